/**
 * Container one-offs already on the engine, as ps, logs, stop, wait and cleanup see them:
 * found by oneoff's labels, reaped when their owner is surely gone or their keep time passed.
 */
import type { ContainerEngine } from "../../engine/types.js";
import { listOneOffs } from "./oneoffs.js";
import { findExpired, findOrphans, type ReapOptions, type ReapResult } from "../../lifecycle/reaper.js";
import { inScope } from "../../lifecycle/reap-scope.js";
import { ownerAlive } from "../../lifecycle/owner.js";
import { OneoffError } from "../../output/errors.js";
import { isDetached, Labels } from "../../requests/labels.js";
import type { FoundOneOff } from "../backend.js";

export { listOneOffs };

/** The container `reference` (ID, unique prefix or name) names; undefined when there is none. */
export async function findContainerOneOff(client: ContainerEngine, reference: string): Promise<FoundOneOff | undefined> {
  const container = await client.inspectContainer(reference);
  if (!container) return undefined;
  if (container.labels[Labels.managed] !== "true") {
    throw new OneoffError(`${reference} is not a one-off container (it has no ${Labels.managed} label)`, {
      hint: "oneoff only acts on its own containers; use docker for others",
    });
  }
  const runId = container.labels[Labels.run];
  return {
    id: container.id,
    ...(runId ? { runId } : {}),
    logs: async (options) => ({ stream: await client.logs(container.id, options), tty: container.tty }),
    stop: (seconds) => client.stop(container.id, seconds),
    wait: () => client.waitForExit(container.id),
  };
}

/** Removes orphaned one-offs and detached ones past their keep time. */
export async function reapContainers(client: ContainerEngine, options: ReapOptions): Promise<ReapResult> {
  const containers = (await client.listContainers(`${Labels.managed}=true`)).filter((container) =>
    inScope(container.labels, options.scope ?? []),
  );
  const orphans = findOrphans(containers, (owner) => ownerAlive(owner));
  // Only ended detached ones need their finish time, which the list does not carry.
  const ended = containers.filter((container) => isDetached(container) && (container.state === "exited" || container.state === "dead"));
  const details = (await Promise.all(ended.map((container) => client.inspectContainer(container.id)))).filter(
    (detail) => detail !== undefined,
  );
  return removeAll(client, [...orphans, ...findExpired(details, options.now ?? new Date())], options);
}

/** Removes each container (or only lists it, with dryRun), collecting what failed. */
export async function removeAll(
  client: ContainerEngine,
  containers: ReapResult["removed"],
  options: { dryRun?: boolean },
): Promise<ReapResult> {
  const result: ReapResult = { removed: [], failed: [] };
  for (const container of containers) {
    try {
      if (!options.dryRun) await client.remove(container.id);
      result.removed.push(container);
    } catch (error) {
      result.failed.push({ container, error: error as Error });
    }
  }
  return result;
}
