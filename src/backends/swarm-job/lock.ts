/**
 * Locks for Swarm jobs, as for containers (lock.ts): the job holding lock NAME is the service
 * named `<app>-lock-<NAME>`, and the swarm's managers refuse a second service of that name,
 * whichever machine asks. A job whose task has ended, or whose attached owner on this host
 * has died, no longer holds it: its service is removed and the create tried again.
 */
import type { ServiceDefinition, SwarmJobs, TaskStatus } from "../../engine/swarm/types.js";
import { TERMINAL_TASK_STATES } from "../../engine/swarm/types.js";
import type { Reporter } from "../../output/reporter.js";
import type { ServiceSpec } from "../../requests/service-spec.js";
import { Labels } from "../../requests/labels.js";
import { endedHolderHolds, holdLock } from "../../lifecycle/lock.js";
import { ownerLiveness, parseOwner, type Liveness, type Owner } from "../../lifecycle/owner.js";

export interface JobHolder {
  service: ServiceDefinition;
  task?: TaskStatus;
}

/** Pure: whether the job holding the lock's name still holds the lock. */
export function jobHoldsLock(holder: JobHolder, livenessOf: (owner: Owner) => Liveness, now: Date = new Date()): boolean {
  const labels = holder.service.spec.Labels ?? {};
  // An ended job holds it while its oneoff finishes (the ledger), as a container does.
  if (holder.task && TERMINAL_TASK_STATES.has(holder.task.state)) return endedHolderHolds(labels, holder.task.statusAt, livenessOf, now);
  if (labels[Labels.detached] === "true") return true;
  const owner = parseOwner(labels[Labels.owner]);
  return owner === undefined || livenessOf(owner) !== "dead";
}

export function describeJobHolder(holder: JobHolder): string {
  const labels = holder.service.spec.Labels ?? {};
  const what = labels[Labels.task] ? `task ${labels[Labels.task]}` : "a one-off";
  return `${what} started by ${labels[Labels.startedBy] ?? "someone"} at ${labels[Labels.startedAt] ?? "an unknown time"}, job service ${holder.service.name}`;
}

export function createJobHoldingLock(request: {
  jobs: SwarmJobs;
  lock: string;
  spec: ServiceSpec;
  report: Reporter;
  waitMs?: number;
  cancelled?: () => boolean;
  registryAuth?: string;
}): Promise<string> {
  const { jobs, spec } = request;
  return holdLock(request, {
    create: () => jobs.createService(spec, request.registryAuth),
    holder: async () => {
      const service = await jobs.inspectService(spec.Name);
      if (!service) return undefined;
      const [task] = await jobs.listTasks(service.id);
      return task ? { service, task } : { service };
    },
    holds: (holder) => jobHoldsLock(holder, (owner) => ownerLiveness(owner)),
    describe: describeJobHolder,
    free: (holder) => jobs.removeService(holder.service.id),
  });
}
