/**
 * Finding and removing orphaned one-offs: containers with oneoff's labels whose attached
 * owner process (on this host) is gone. Only ever touches containers carrying the marker
 * label; owners on other hosts are left alone, since nothing here can tell if they live.
 */
import type { ContainerDetails, ContainerEngine, ContainerSummary } from "../engine/types.js";
import { DEFAULT_KEEP_DETACHED_MS, isDetached, Labels } from "../spec/labels.js";
import { ownerAlive, parseOwner, type Owner } from "./owner.js";
import { reapJobs } from "./reaper-jobs.js";
import { managerJobs } from "./job-oneoffs.js";

/**
 * Pure: which of `containers` are orphans, given a liveness check for owners. A detached
 * one-off outlives its owner by design: it is an orphan only if it never started.
 */
export function findOrphans(containers: readonly ContainerSummary[], isAlive: (owner: Owner) => boolean): ContainerSummary[] {
  return containers.filter((container) => {
    if (container.labels[Labels.managed] !== "true") return false;
    if (isDetached(container) && container.state !== "created") return false;
    const owner = parseOwner(container.labels[Labels.owner]);
    return owner !== undefined && !isAlive(owner);
  });
}

/** Pure: detached one-offs that ended longer ago than they are kept for. */
export function findExpired(containers: readonly ContainerDetails[], now: Date): ContainerDetails[] {
  return containers.filter((container) => {
    if (container.labels[Labels.managed] !== "true" || !isDetached(container)) return false;
    if (container.state !== "exited" && container.state !== "dead") return false;
    const keepForSeconds = Number(container.labels[Labels.keepFor] ?? DEFAULT_KEEP_DETACHED_MS / 1000);
    if (!Number.isFinite(keepForSeconds) || !container.finishedAt) return false;
    return container.finishedAt.getTime() + keepForSeconds * 1000 <= now.getTime();
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
    if (!container.labels[Labels.job] || (container.state !== "exited" && container.state !== "dead") || !container.finishedAt) return false;
    const keepForSeconds = Number(container.labels[Labels.keepFor] ?? JOB_CONTAINER_GRACE_SECONDS);
    return Number.isFinite(keepForSeconds) && container.finishedAt.getTime() + keepForSeconds * 1000 <= now.getTime();
  });
}

/** Why the reaper removes a container, for `oneoff cleanup`'s line. Pure. */
export function whyReaped(container: Pick<ContainerSummary, "labels" | "state">): string {
  const labels = container.labels;
  if (labels[Labels.job] !== undefined && labels[Labels.managed] !== "true") return `the container of Swarm job ${labels[Labels.job]}, ended`;
  if (labels[Labels.detached] === "true" && container.state !== "created") return "kept past its time";
  return `owner ${labels[Labels.owner]} is gone`;
}

export interface ReapResult {
  removed: ContainerSummary[];
  failed: Array<{ container: ContainerSummary; error: Error }>;
}

/** Removes orphans and expired detached one-offs. */
export async function reapOrphans(engine: ContainerEngine, options: { dryRun?: boolean; now?: Date } = {}): Promise<ReapResult> {
  const containers = await engine.listContainers(`${Labels.managed}=true`);
  const orphans = findOrphans(containers, (owner) => ownerAlive(owner));
  // Only ended detached ones need their finish time, which the list does not carry.
  const ended = containers.filter((container) => isDetached(container) && (container.state === "exited" || container.state === "dead"));
  const details = (await Promise.all(ended.map((container) => engine.inspectContainer(container.id)))).filter((detail) => detail !== undefined);
  const expired = findExpired(details, options.now ?? new Date());
  const jobContainers = (await engine.listContainers(Labels.job)).filter((container) => container.state === "exited" || container.state === "dead");
  const jobDetails = (await Promise.all(jobContainers.map((container) => engine.inspectContainer(container.id)))).filter((detail) => detail !== undefined);
  expired.push(...findFinishedJobContainers(jobDetails, options.now ?? new Date()));
  const result: ReapResult = { removed: [], failed: [] };
  for (const container of [...orphans, ...expired]) {
    try {
      if (!options.dryRun) await engine.remove(container.id);
      result.removed.push(container);
    } catch (error) {
      result.failed.push({ container, error: error as Error });
    }
  }
  const jobs = await managerJobs(engine);
  if (jobs) {
    const reaped = await reapJobs(engine, jobs, options);
    result.removed.push(...reaped.removed);
    result.failed.push(...reaped.failed);
  }
  return result;
}
