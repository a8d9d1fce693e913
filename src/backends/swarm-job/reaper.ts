/**
 * Reaping for one-offs run as Swarm jobs, by the rules containers follow (lifecycle/reaper.ts): a job
 * service whose attached owner on this host is gone is an orphan; a detached one is removed
 * once its task has ended and been kept for its keep-for. Only services with oneoff's marker.
 */
import type { ContainerDetails, ContainerEngine, ContainerSummary } from "../../engine/types.js";
import { TERMINAL_TASK_STATES, type ServiceSummary, type SwarmJobs, type TaskStatus } from "../../engine/swarm/types.js";
import { DEFAULT_KEEP_DETACHED_MS, Labels } from "../../requests/labels.js";
import { ownerAlive, parseOwner, type Owner } from "../../lifecycle/owner.js";
import { removeJob } from "./oneoffs.js";
import type { ReapOptions } from "../../lifecycle/reaper.js";
import { inScope } from "../../lifecycle/reap-scope.js";

export interface JobState {
  service: ServiceSummary;
  /** Its newest task, if it has one yet. */
  task?: TaskStatus;
}

/** Pure: the job services to remove now. */
export function jobsToReap(jobs: readonly JobState[], isAlive: (owner: Owner) => boolean, now: Date): JobState[] {
  return jobs.filter(({ service, task }) => {
    const labels = service.labels;
    if (labels[Labels.managed] !== "true") return false;
    if (labels[Labels.detached] === "true") {
      if (!task || !TERMINAL_TASK_STATES.has(task.state)) return false;
      const keepForSeconds = Number(labels[Labels.keepFor] ?? DEFAULT_KEEP_DETACHED_MS / 1000);
      return Number.isFinite(keepForSeconds) && task.statusAt.getTime() + keepForSeconds * 1000 <= now.getTime();
    }
    const owner = parseOwner(labels[Labels.owner]);
    return owner !== undefined && !isAlive(owner);
  });
}

/** How long a finished attached job's container is left for its oneoff to read the end of its log. */
const JOB_CONTAINER_GRACE_SECONDS = 10;

/**
 * Pure: Swarm job containers (io.oneoff.job) that ended longer ago than they are kept: the
 * job's keep-for when it was detached, else a minute. Engines before 24.0 leave them on their
 * node after the job's service is removed (moby#44312).
 */
export function findFinishedJobContainers(containers: readonly ContainerDetails[], now: Date): ContainerDetails[] {
  return containers.filter((container) => {
    if (!container.labels[Labels.job] || (container.state !== "exited" && container.state !== "dead") || !container.finishedAt)
      return false;
    const keepForSeconds = Number(container.labels[Labels.keepFor] ?? JOB_CONTAINER_GRACE_SECONDS);
    return Number.isFinite(keepForSeconds) && container.finishedAt.getTime() + keepForSeconds * 1000 <= now.getTime();
  });
}

export async function reapJobs(
  client: ContainerEngine,
  jobs: SwarmJobs,
  options: ReapOptions = {},
): Promise<{ removed: ContainerSummary[]; failed: Array<{ container: ContainerSummary; error: Error }> }> {
  const services = (await jobs.listServices(`${Labels.managed}=true`)).filter((service) => inScope(service.labels, options.scope ?? []));
  const states = await Promise.all(
    services.map(async (service): Promise<JobState> => {
      const [task] = await jobs.listTasks(service.id);
      return task ? { service, task } : { service };
    }),
  );
  const result = { removed: [] as ContainerSummary[], failed: [] as Array<{ container: ContainerSummary; error: Error }> };
  for (const { service, task } of jobsToReap(states, (owner) => ownerAlive(owner), options.now ?? new Date())) {
    // Reported in the containers' terms (cleanup prints both alike); the state says what it is.
    const entry: ContainerSummary = { id: service.id, name: service.name, labels: service.labels, state: `job ${task?.state ?? "new"}` };
    try {
      // As every removal of a job: a task still running elsewhere is stopped first, the
      // task's container here goes with the service.
      if (!options.dryRun) await removeJob(client, service.id);
      result.removed.push(entry);
    } catch (error) {
      result.failed.push({ container: entry, error: error as Error });
    }
  }
  return result;
}
