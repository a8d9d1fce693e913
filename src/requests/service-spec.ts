/**
 * A one-off's container spec -> the Engine API's POST /services/create body for a Swarm job.
 * Pure, like the container spec it starts from: the container create body stays the one
 * description of the one-off (env, user, workdir, mounts, networks, limits, labels), and this
 * only restates it in a service's terms, adding what a service has and a container has not
 * (secrets, configs, placement) from the long-running service it copies, when there is one.
 */
import type { ContainerSpec } from "./create-body.js";
import { jobRuntime } from "./job-runtime.js";
import { Labels } from "./labels.js";
import { runtimeOfSpec } from "./runtime-settings.js";
import { stopGraceSeconds } from "../settings/stop-timeout-row.js";

interface ServiceMount {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  [option: string]: unknown;
}

export interface ServiceContainerSpec {
  Image: string;
  Command?: string[];
  Args?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  TTY?: boolean;
  OpenStdin?: boolean;
  Mounts?: ServiceMount[];
  /** "IP hostname" lines, as in /etc/hosts (docker run's --add-host is host:ip). */
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; [option: string]: unknown };
  Secrets?: unknown[];
  Configs?: unknown[];
  StopGracePeriod?: number;
  /** What stops the task first (--stop-signal), as a container's StopSignal. */
  StopSignal?: string;
  Hostname?: string;
  Healthcheck?: unknown;
  [field: string]: unknown;
}

/** A service's place on a network: the job's own (--network), or its service's with its aliases. */
type NetworkAttachment = { Target: string; Aliases?: string[] };

export interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: ServiceContainerSpec;
    Resources?: { Limits?: { MemoryBytes?: number; NanoCPUs?: number; [limit: string]: unknown }; Reservations?: unknown };
    RestartPolicy?: { Condition: string; [option: string]: unknown };
    Placement?: { Constraints?: string[]; [option: string]: unknown };
    Networks?: NetworkAttachment[];
    [field: string]: unknown;
  };
  Mode: Record<string, unknown>;
  Networks?: NetworkAttachment[];
  [field: string]: unknown;
}

export interface JobOptions {
  /** The service's name (job-name.ts): Swarm takes less than a container's name may hold. */
  name: string;
  /** What the nodes run: a digest reference where there is one (any node can pull it), else the image ID. */
  image: string;
  /** The long-running service's spec (`--from`), for what only a service has. */
  base?: ServiceSpec;
  /** Extra placement constraints (`--constraint`), after the base's. */
  constraints?: readonly string[];
}

// Per-container or per-service fields of the base that a one-off must not inherit: its own
// command, a health check (a one-off is not a server), the service's hostname template.
// What settings rows live in these fields, `--from` reads back as settings (config/swarm-service.ts).
export const NOT_INHERITED: readonly string[] = [
  "Command",
  "Args",
  "Env",
  "Labels",
  "Mounts",
  "Hosts",
  "DNSConfig",
  "TTY",
  "OpenStdin",
  "StopGracePeriod",
  "Hostname",
  "Healthcheck",
  "User",
  "Dir",
  "Image",
];

export function buildJobServiceSpec(container: ContainerSpec, options: JobOptions): ServiceSpec {
  const { body } = container;
  const baseTemplate = options.base?.TaskTemplate;
  const baseContainer = Object.fromEntries(
    Object.entries(baseTemplate?.ContainerSpec ?? {}).filter(([key]) => !NOT_INHERITED.includes(key)),
  );
  const baseMounts = baseTemplate?.ContainerSpec.Mounts ?? [];
  // Mounts, limits, hosts, DNS, init, capabilities, ulimits, tmpfs, ...: what a service can carry
  // of them (the Swarm backend refuses the rest before this is built). The mounts in the order
  // given, which the create body (Binds, Volumes, Mounts apart) does not keep.
  // A job always has a stop grace (StopGracePeriod, the stop timeout row's job field): the one-off's, else docker's default.
  const settings = runtimeOfSpec(container);
  const runtime = { ...settings, volume: container.volume, stopTimeout: stopGraceSeconds(settings) };
  const {
    container: { Labels: userLabels, Env: env, Mounts: ownMounts = [], ...runtimeFields },
    task,
    mounts: tmpfsMounts,
  } = jobRuntime(runtime);
  // A service has only Mounts: a -v mount becomes one (the node refuses a missing host path).
  const mounts = (ownMounts as ServiceMount[]).map((mount): ServiceMount => {
    // Keep the service's own mount (with its volume or bind options) when it is the same one.
    const same = baseMounts.find(
      (candidate) =>
        candidate.Target === mount.Target && candidate.Type === mount.Type && (candidate.Source ?? "") === (mount.Source ?? ""),
    );
    return same ?? { ...mount };
  });
  mounts.push(...tmpfsMounts.filter((tmpfs) => !mounts.some((mount) => mount.Target === tmpfs.Target)));
  // Keep the service's own attachment (with its aliases) to a network the job is on too.
  const baseNetworks = baseTemplate?.Networks ?? options.base?.Networks ?? [];
  const networks = ((task.Networks ?? []) as NetworkAttachment[]).map(
    (attachment) => baseNetworks.find((network) => network.Target === attachment.Target) ?? attachment,
  );
  const constraints = [...(baseTemplate?.Placement?.Constraints ?? []), ...(options.constraints ?? [])];
  const limits = (task.Resources as { Limits?: Record<string, unknown> } | undefined)?.Limits ?? {};
  // The container gets the user's labels (the label row's), and only enough of oneoff's to be
  // reaped on its node: not the marker, so it is never mistaken for a one-off container of its own.
  const containerLabels = {
    ...(userLabels as Record<string, string> | undefined),
    [Labels.job]: options.name,
    ...(body.Labels[Labels.keepFor] ? { [Labels.keepFor]: body.Labels[Labels.keepFor] } : {}),
  };
  const reservations = baseTemplate?.Resources?.Reservations;
  // --platform: the nodes whose platform the image is for (os/arch; a variant has no field here).
  const [os, architecture] = container.platform?.split("/") ?? [];
  const placement = {
    ...(baseTemplate?.Placement ?? {}),
    ...(constraints.length ? { Constraints: constraints } : {}),
    ...(os && architecture ? { Platforms: [{ OS: os, Architecture: architecture }] } : {}),
  };
  return {
    Name: options.name,
    // oneoff's labels go on the service: it is what ps, stop and the reaper find.
    Labels: body.Labels,
    TaskTemplate: {
      LogDriver: runtime.logDriver ? { Name: runtime.logDriver, Options: runtime.logOpt } : baseTemplate?.LogDriver,
      ContainerSpec: {
        ...baseContainer,
        Image: options.image,
        Args: body.Cmd,
        // The env row's, in its place (a spec always has Env: the create body's list, read back and written again).
        Env: env as string[] | undefined,
        Labels: containerLabels,
        TTY: body.Tty,
        OpenStdin: body.OpenStdin,
        Mounts: mounts.length ? mounts : undefined,
        ...runtimeFields,
      },
      Resources:
        Object.keys(limits).length || reservations
          ? { Limits: Object.keys(limits).length ? limits : undefined, Reservations: reservations }
          : undefined,
      // Run once: a failed one-off is reported, never retried behind the user's back.
      RestartPolicy: { Condition: "none" },
      Placement: Object.keys(placement).length ? placement : undefined,
      Networks: networks.length ? networks : undefined,
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}
