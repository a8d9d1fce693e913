/**
 * A long-running Swarm service as a config source (`--engine swarm --from web`): found by
 * name, by stack (`docker stack deploy` names services STACK_NAME and labels them with the
 * stack), and turned into a SettingsLayer under oneoff.yaml and flags. What only a service
 * has (secrets, configs, placement) is not a setting: the job's spec copies it from the
 * service's own spec (src/requests/service-spec.ts).
 */
import { ForeignLabels } from "../requests/labels.js";
import type { ServiceDefinition, SwarmJobs } from "../engine/swarm/types.js";
import { OneoffError } from "../output/errors.js";
import { PER_CONTAINER_ENV } from "../formats/env-rules.js";
import { runningEnv } from "../settings/env-row.js";
import type { SettingsLayer } from "../types/config.js";
import { runtimeFromJob } from "../requests/job-runtime.js";
import { NOT_INHERITED } from "../requests/service-spec.js";
import { SETTINGS } from "../settings/table.js";
import type { RuntimeSettings } from "../types/config.js";

const STACK_LABEL = ForeignLabels.stackNamespace;

/**
 * The rows a job does not inherit from the service's spec as fields (service-spec.ts's
 * NOT_INHERITED, and the task's limits): `--from` reads them back as settings instead, under
 * flags and oneoff.yaml. Not the hostname: a service's is a template for its tasks
 * ({{.Node.Hostname}}), not a one-off's name.
 */
const READ_BACK_AS_SETTINGS: ReadonlyArray<keyof RuntimeSettings> = SETTINGS.filter(
  ({ name, jobField }) =>
    jobField !== undefined &&
    name !== "hostname" &&
    (jobField.startsWith("TaskTemplate.") || NOT_INHERITED.includes(jobField.split(".")[0] ?? "")),
).map((row) => row.name);

/** The service `from` names: exactly (name or ID), else APP_FROM of stack APP, else FROM of the one stack that has it. */
export async function findService(jobs: SwarmJobs, from: string, app: string | undefined, endpoint: string): Promise<ServiceDefinition> {
  const exact = await jobs.inspectService(from);
  if (exact) return exact;
  if (app) {
    const ofStack = await jobs.inspectService(`${app}_${from}`);
    if (ofStack) return ofStack;
  }
  const stacked = (await jobs.listServices(STACK_LABEL)).filter((service) => service.name === `${service.labels[STACK_LABEL]}_${from}`);
  if (stacked.length > 1) {
    throw new OneoffError(
      `--from ${from}: stacks ${stacked.map((service) => service.labels[STACK_LABEL]).join(", ")} all have a service ${from}`,
      {
        hint: "set app: to the stack's name, or give the service's full name (STACK_SERVICE)",
      },
    );
  }
  const only = stacked[0];
  const found = only ? await jobs.inspectService(only.id) : undefined;
  if (found) return found;
  throw new OneoffError(`--from ${from}: no service ${from} on the swarm at ${endpoint}`, {
    hint: "check the name with docker service ls",
  });
}

/** Pure: the service's settings, as a layer under oneoff.yaml and flags. */
export function serviceLayer(service: ServiceDefinition): SettingsLayer {
  const template = service.spec.TaskTemplate;
  const container = template.ContainerSpec;
  return {
    source: `service ${service.name}`,
    settings: {
      release: container.Image,
      // Read back through the env row (below, too); a service with no Env has none.
      env: runningEnv(container.Env ?? []),
      // What a job does not inherit from the service's spec (requests/service-spec.ts), as settings: mounts, user, workdir, limits, labels, ...
      // A service's networks are its task's; an old one's, its spec's own (deprecated there).
      ...runtimeFromJob({ ...template, Networks: template.Networks ?? service.spec.Networks }, READ_BACK_AS_SETTINGS, {
        engineEnv: PER_CONTAINER_ENV,
      }),
    },
  };
}
