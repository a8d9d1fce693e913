/**
 * One-offs run as Swarm jobs, as ps, logs, stop and wait see them: services with oneoff's
 * labels, each with its one task. Where the task's container is on the engine oneoff talks to,
 * its log and its signals are used (as for a container one-off); elsewhere the service's.
 */
import type { ContainerEngine, SessionEngine } from "../../engine/types.js";
import { TERMINAL_TASK_STATES, type ServiceDefinition, type SwarmJobs, type SwarmNode, type TaskStatus } from "../../engine/swarm/types.js";
import { OneoffError } from "../../output/errors.js";
import { commandOf, Labels } from "../../requests/labels.js";
import type { OneOffView } from "../../types/oneoff-view.js";

export interface JobOneOff {
  service: ServiceDefinition;
  task?: TaskStatus;
  /** The task's container, when it is on this engine. */
  localContainerId?: string;
}

/** The engine's swarm side when it is a manager (jobs can be listed and found there). */
export async function managerJobs(client: ContainerEngine): Promise<SwarmJobs | undefined> {
  const jobs = client.swarm?.();
  return jobs && (await jobs.node().catch(() => undefined)) ? jobs : undefined;
}

/** Pure: what `ps` shows of a job one-off. */
export function jobView(job: Pick<JobOneOff, "service" | "task">): OneOffView {
  const labels = job.service.spec.Labels ?? {};
  const command = commandOf(labels);
  const ended = job.task !== undefined && TERMINAL_TASK_STATES.has(job.task.state);
  const startedAt = labels[Labels.startedAt];
  return {
    id: job.service.id,
    name: job.service.name,
    app: labels[Labels.app] ?? "",
    ...(labels[Labels.task] ? { task: labels[Labels.task] as string } : {}),
    command,
    imageId: labels[Labels.releaseImageId] ?? "",
    releaseReference: labels[Labels.releaseReference] ?? "",
    startedBy: labels[Labels.startedBy] ?? "",
    ...(startedAt ? { startedAt } : {}),
    state: `job ${job.task?.state ?? "new"}`,
    detached: labels[Labels.detached] === "true",
    ...(labels[Labels.lock] ? { lock: labels[Labels.lock] as string } : {}),
    ...(ended && job.task?.exitCode !== undefined ? { exitCode: job.task.exitCode } : {}),
    ...(ended && startedAt && job.task ? { durationMs: job.task.statusAt.getTime() - new Date(startedAt).getTime() } : {}),
  };
}

export async function listJobOneOffs(jobs: SwarmJobs, options: { all: boolean; app?: string }): Promise<OneOffView[]> {
  const label = options.app ? `${Labels.app}=${options.app}` : `${Labels.managed}=true`;
  const services = (await jobs.listServices(label)).filter((service) => service.labels[Labels.managed] === "true");
  const views = await Promise.all(
    services.map(async (summary) => {
      const service = await jobs.inspectService(summary.id);
      if (!service) return undefined;
      const [task] = await jobs.listTasks(service.id);
      if (!options.all && task && TERMINAL_TASK_STATES.has(task.state)) return undefined;
      return jobView({ service, task });
    }),
  );
  return views.filter((view): view is OneOffView => view !== undefined);
}

/** A job one-off by service ID, unique ID prefix or name; undefined when there is none. */
export async function findJobOneOff(client: ContainerEngine, reference: string): Promise<JobOneOff | undefined> {
  const jobs = await managerJobs(client);
  if (!jobs) return undefined;
  const service = await jobs.inspectService(reference);
  if (!service) return undefined;
  if (service.spec.Labels?.[Labels.managed] !== "true") {
    throw new OneoffError(`${reference} is not a one-off job (its service has no ${Labels.managed} label)`, {
      hint: "oneoff only acts on its own jobs; use docker service for others",
    });
  }
  const [task] = await jobs.listTasks(service.id);
  const node = await jobs.node();
  const local = task?.containerId && task.nodeId === node?.id ? task.containerId : undefined;
  return { service, task, localContainerId: local };
}

/**
 * Removes a job: its service, then its task's container where that is on this engine (Swarm
 * leaves a removed service's containers behind for a while). Already gone counts as removed.
 * `knownNode`: the engine's node, when the caller has read it already.
 */
export async function removeJob(client: Pick<SessionEngine, "remove" | "swarm">, nameOrId: string, knownNode?: SwarmNode): Promise<void> {
  const jobs = client.swarm?.();
  if (!jobs) return;
  const service = await jobs.inspectService(nameOrId);
  if (!service) return;
  const [tasks, node] = await Promise.all([jobs.listTasks(service.id), knownNode ?? jobs.node()]);
  // A task still running on another node outlives its removed service on engines before
  // 24.0 (moby#44312): stop it first.
  if (tasks.some((task) => !TERMINAL_TASK_STATES.has(task.state) && task.nodeId !== node?.id)) await jobs.stopJob(service.id);
  await jobs.removeService(service.id);
  for (const task of tasks) {
    if (task.containerId && task.nodeId === node?.id) await client.remove(task.containerId);
  }
}
