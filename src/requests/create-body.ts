/**
 * RunPlan + identity -> the Engine API's POST /containers/create body and container name.
 * Pure, so --dry-run can print exactly what would be sent and tests can assert on it.
 */
import type { RunPlan } from "../types/plan.js";
import { oneOffLabels, type OneOffIdentity } from "./labels.js";
import {
  afterCreateFromRuntime,
  configFromRuntime,
  hostConfigFromRuntime,
  networkingConfigFromRuntime,
  type RuntimeHostConfig,
} from "./runtime-settings.js";
import type { ApiMount } from "../settings/mount-api.js";
import type { Mount } from "../types/config.js";

export interface ContainerSpec {
  name: string;
  body: CreateBody;
  /** --network's networks after the first, connected between create and start (API < 1.44 takes one). */
  extraNetworks: string[];
  /** The image's platform (os/arch[/variant]): the create request's `platform` query parameter. */
  platform?: string;
  /**
   * The volume row's mounts in the order given: the body keeps them apart (Binds, Volumes,
   * Mounts), and a Swarm job's Mounts list them in this order.
   */
  volume: Mount[];
}

/**
 * The subset of the Engine API create body oneoff sets. An optional field may be present and
 * undefined: the body is only read field by field or written as JSON (engine/docker/requests.ts,
 * --dry-run's redactedJson), and JSON.stringify leaves undefined out. Labels are the exception,
 * read key by key, so they never hold an undefined value.
 */
export interface CreateBody {
  Image: string;
  Cmd: string[];
  Env: string[];
  Labels: Record<string, string>;
  /** Anonymous volumes by target (docker run -v /path). */
  Volumes?: Record<string, Record<string, never>>;
  AttachStdin: boolean;
  AttachStdout: true;
  AttachStderr: true;
  OpenStdin: boolean;
  StdinOnce: boolean;
  /** With a TTY the output is one raw stream (stderr merged into it), as with docker run -t. */
  Tty: boolean;
  /** What docker stop sends first (--stop-signal); absent: the image's, else SIGTERM. */
  StopSignal?: string;
  HostConfig: RuntimeHostConfig & {
    /** docker run -v's mounts, `SOURCE:TARGET[:MODE]`. */
    Binds?: string[];
    Mounts?: ApiMount[];
    /** oneoff removes the container itself after reading its exit code: with AutoRemove,
     * Podman loses the exit code, and later features copy files out before removal. */
    AutoRemove: false;
  };
  NetworkingConfig?: { EndpointsConfig: Record<string, Record<string, never>> };
}

/**
 * The stream fields of a container that is created and never started (a check's probe, the
 * record store): it is only mounted for archive calls, so no stdin and no terminal.
 */
export const NEVER_STARTED_STREAMS = {
  AttachStdin: false,
  AttachStdout: true,
  AttachStderr: true,
  OpenStdin: false,
  StdinOnce: false,
  Tty: false,
} as const;

export function buildContainerSpec(
  plan: RunPlan,
  identity: Omit<OneOffIdentity, "app" | "releaseReference" | "task" | "command" | "lock" | "keepForSeconds">,
  nameSuffix: string,
  /** Whether the engine runs on this machine (its binds' paths are ours): see settings/mount-api.ts. */
  engineOnThisMachine = true,
): ContainerSpec {
  const { settings } = plan;
  const context = { engineOnThisMachine };
  // The label row gives the user's labels; oneoff's own go over them (resolution already
  // refused the user's with our prefix), so ps, reaping and audit can trust them. The env row
  // gives Env and the volume row anonymous Volumes, each kept in its place in the body.
  const { Labels: userLabels, Env: env, Volumes: volumes, ...config } = configFromRuntime(settings, context);
  const labels = {
    ...(userLabels as Record<string, string> | undefined),
    ...oneOffLabels({
      ...identity,
      app: plan.app,
      releaseReference: plan.releaseReference,
      task: plan.task,
      lock: plan.lock,
      keepForSeconds: plan.keepForMs === undefined ? undefined : Math.round(plan.keepForMs / 1000),
      command: plan.command,
    }),
  };
  const body: CreateBody = {
    Image: identity.imageId,
    Cmd: plan.command,
    Env: (env as string[] | undefined) ?? [],
    Labels: labels,
    Volumes: volumes as CreateBody["Volumes"],
    // Stdin is attached only with -i; StdinOnce makes the engine close the command's stdin
    // when our side half-closes, which is how EOF reaches it (as compose does).
    AttachStdin: plan.interactive,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: plan.interactive,
    StdinOnce: plan.interactive,
    Tty: plan.tty,
    ...config,
    HostConfig: {
      ...hostConfigFromRuntime(settings, context),
      AutoRemove: false,
    },
    NetworkingConfig: networkingConfigFromRuntime(settings),
  };
  // A lock's one-off takes the lock's name: the engine's unique names are the lock.
  const name = plan.lock ? lockContainerName(plan.app, plan.lock) : (plan.name ?? containerName(plan, nameSuffix));
  return { name, body, extraNetworks: afterCreateFromRuntime(settings), platform: settings.platform, volume: settings.volume ?? [] };
}

/** `shop-lock-migrate`: one name per app and lock, so the engine lets only one exist. */
function lockContainerName(app: string, lock: string): string {
  return `${namePart(app) || "oneoff"}-lock-${lock}`;
}

/** `shop-migrate-run-1a2b3c`, like compose's `project_service_run_id`: readable in `docker ps`. */
export function containerName(plan: Pick<RunPlan, "app" | "task">, suffix: string): string {
  return [namePart(plan.app) || "oneoff", plan.task ? namePart(plan.task) : undefined, "run", suffix].filter(Boolean).join("-");
}

/** Docker names match [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
function namePart(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.-]+/g, "-").replace(/^[^a-zA-Z0-9]+/, "");
}
