/**
 * What reaping removes, decided purely: containers with oneoff's labels whose attached owner is
 * surely gone, and detached ones past their keep time. Only containers carrying the marker
 * label are touched; owners nothing here can judge are left alone. Each backend reaps its own
 * kind (each backend folder's existing.ts); a Swarm job's rules are backends/swarm-job/reaper.ts.
 */
import type { ContainerDetails, ContainerSummary } from "../engine/types.js";
import { DEFAULT_KEEP_DETACHED_MS, isDetached, Labels } from "../requests/labels.js";
import { parseOwner, type Owner } from "./owner.js";
import type { LabelFilter } from "./reap-scope.js";

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

/** Why the reaper removes a container, for `oneoff cleanup`'s line. Pure. */
export function whyReaped(container: Pick<ContainerSummary, "labels" | "state">): string {
  const labels = container.labels;
  if (labels[Labels.job] !== undefined && labels[Labels.managed] !== "true")
    return `the container of Swarm job ${labels[Labels.job]}, ended`;
  if (labels[Labels.detached] === "true" && container.state !== "created") return "kept past its time";
  return `owner ${labels[Labels.owner]} is gone`;
}

/** How a reap runs: `dryRun` removes nothing; `scope`: only what passes these label filters (cleanup --filter). */
export interface ReapOptions {
  dryRun?: boolean;
  now?: Date;
  scope?: readonly LabelFilter[];
}

export interface ReapResult {
  removed: ContainerSummary[];
  failed: Array<{ container: ContainerSummary; error: Error }>;
}
