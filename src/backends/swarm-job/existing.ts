/**
 * Job one-offs already on the swarm, as ps, logs, stop, wait and cleanup see them. Where a
 * job's task container is on the engine oneoff talks to, its log and signals are used (as for
 * a container one-off); elsewhere the service's.
 */
import type { ContainerEngine } from "../../engine/types.js";
import { findJobOneOff, listJobOneOffs, managerJobs } from "./oneoffs.js";
import type { OneOffView } from "../../types/oneoff-view.js";
import type { ReapOptions, ReapResult } from "../../lifecycle/reaper.js";
import { inScope } from "../../lifecycle/reap-scope.js";
import { findFinishedJobContainers, reapJobs } from "./reaper.js";
import { Labels } from "../../requests/labels.js";
import type { FoundOneOff } from "../backend.js";
import { removeAll } from "../container/existing.js";
import { waitForJob } from "./tasks.js";

export async function listJobs(client: ContainerEngine, scope: { all: boolean; app?: string }): Promise<OneOffView[]> {
  const jobs = await managerJobs(client);
  return jobs ? listJobOneOffs(jobs, scope) : [];
}

export async function findJob(client: ContainerEngine, reference: string): Promise<FoundOneOff | undefined> {
  const job = await findJobOneOff(client, reference);
  if (!job) return undefined;
  const here = job.localContainerId;
  const runId = job.service.spec.Labels?.[Labels.run];
  return {
    id: job.service.id,
    ...(runId ? { runId } : {}),
    // Its task container's log where it is here (it ends when the task does), else the
    // service's (which Swarm keeps open with --follow, as docker service logs -f).
    logs: async (options) => ({
      stream: here ? await client.logs(here, options) : await client.swarm!().serviceLogs(job.service.id, options),
      tty: job.service.spec.TaskTemplate.ContainerSpec.TTY === true,
    }),
    // Its task container here is stopped as a container is; elsewhere, as Swarm stops a job
    // (no completions wanted). Either way its log stays until it is reaped.
    stop: (seconds) => (here ? client.stop(here, seconds) : client.swarm!().stopJob(job.service.id)),
    wait: () => waitForJob(client, job.service),
  };
}

/**
 * Removes orphaned and expired job services, and the finished task containers of jobs on this
 * node: engines before 24.0 leave them after the service is removed (moby#44312).
 */
export async function reapJobsAndTheirContainers(client: ContainerEngine, options: ReapOptions): Promise<ReapResult> {
  const ended = (await client.listContainers(Labels.job)).filter(
    (container) => (container.state === "exited" || container.state === "dead") && inScope(container.labels, options.scope ?? []),
  );
  const details = (await Promise.all(ended.map((container) => client.inspectContainer(container.id)))).filter(
    (detail) => detail !== undefined,
  );
  const result = await removeAll(client, findFinishedJobContainers(details, options.now ?? new Date()), options);
  const jobs = await managerJobs(client);
  if (jobs) {
    const reaped = await reapJobs(client, jobs, options);
    result.removed.push(...reaped.removed);
    result.failed.push(...reaped.failed);
  }
  return result;
}
