/**
 * Finding and removing orphaned one-offs: containers with oneoff's labels whose attached
 * owner process (on this host) is gone. Only ever touches containers carrying the marker
 * label; owners on other hosts are left alone, since nothing here can tell if they live.
 */
import type { ContainerEngine, ContainerSummary } from "../engine/types.js";
import { Labels } from "../spec/labels.js";
import { ownerAlive, parseOwner, type Owner } from "./owner.js";

/** Pure: which of `containers` are orphans, given a liveness check for owners. */
export function findOrphans(containers: readonly ContainerSummary[], isAlive: (owner: Owner) => boolean): ContainerSummary[] {
  return containers.filter((container) => {
    if (container.labels[Labels.managed] !== "true") return false;
    const owner = parseOwner(container.labels[Labels.owner]);
    return owner !== undefined && !isAlive(owner);
  });
}

export interface ReapResult {
  removed: ContainerSummary[];
  failed: Array<{ container: ContainerSummary; error: Error }>;
}

export async function reapOrphans(engine: ContainerEngine, options: { dryRun?: boolean } = {}): Promise<ReapResult> {
  const orphans = findOrphans(await engine.listContainers(`${Labels.managed}=true`), (owner) => ownerAlive(owner));
  const result: ReapResult = { removed: [], failed: [] };
  for (const container of orphans) {
    try {
      if (!options.dryRun) await engine.remove(container.id);
      result.removed.push(container);
    } catch (error) {
      result.failed.push({ container, error: error as Error });
    }
  }
  return result;
}
