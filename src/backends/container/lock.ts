/**
 * A container one-off's lock: the container named `<app>-lock-<NAME>` (lifecycle/lock.ts has
 * the mechanism). Its holder is that container, judged by its state and its owner.
 */
import type { ContainerDetails, ContainerEngine } from "../../engine/types.js";
import { NameInUse } from "../../engine/types.js";
import { endedHolderHolds, holdLock, type LivenessOf, type LockRequest } from "../../lifecycle/lock.js";
import { ownerLiveness, parseOwner } from "../../lifecycle/owner.js";
import type { CreateBody } from "../../requests/create-body.js";
import { DETACHED_SUFFIX, Labels } from "../../requests/labels.js";

export interface LockedCreate extends LockRequest {
  client: ContainerEngine;
  name: string;
  body: CreateBody;
  platform?: string;
}

/** Whether the container named after the lock still holds it. Pure. */
export function holdsLock(holder: ContainerDetails, livenessOf: LivenessOf, now: Date = new Date()): boolean {
  if (holder.state === "running" || holder.state === "restarting" || holder.state === "paused" || holder.state === "removing") return true;
  if (holder.state === "created") {
    // Created but not started yet: held while its oneoff is alive to start it.
    const owner = parseOwner(holder.labels[Labels.owner]);
    return owner === undefined || livenessOf(owner) !== "dead";
  }
  // Exited: a kept detached one-off (renamed by a terminal detach) no longer holds it.
  return !holder.name.endsWith(DETACHED_SUFFIX) && endedHolderHolds(holder.labels, holder.finishedAt, livenessOf, now);
}

export function describeHolder(holder: ContainerDetails): string {
  const labels = holder.labels;
  const what = labels[Labels.task] ? `task ${labels[Labels.task]}` : "a one-off";
  const who = labels[Labels.startedBy] ?? "someone";
  const since = labels[Labels.startedAt] ?? (holder.startedAt && holder.startedAt.toISOString()) ?? "an unknown time";
  const finishing =
    holder.state === "exited" || holder.state === "dead" ? " (its command has ended; its oneoff is finishing: copy-out, ledger)" : "";
  return `${what} started by ${who} at ${since}, container ${holder.id.slice(0, 12)}${finishing}`;
}

export async function createHoldingLock(request: LockedCreate): Promise<string> {
  const { client, name, body } = request;
  return holdLock(request, {
    create: () => client.createContainer(name, body, request.platform),
    holder: () => client.inspectContainer(name),
    holds: (holder) => holdsLock(holder, (owner) => ownerLiveness(owner)),
    describe: describeHolder,
    free: (holder) => freeName(client, holder),
  });
}

/** Frees the lock's name from a holder that no longer holds it: kept for its logs if it ran. */
async function freeName(client: ContainerEngine, holder: ContainerDetails): Promise<void> {
  try {
    if (holder.state === "exited" && holder.labels[Labels.detached] === "true") {
      await client.rename(holder.id, `${holder.name}-done-${holder.id.slice(0, 12)}`);
    } else {
      await client.remove(holder.id);
    }
  } catch (error) {
    // Another oneoff freed it first: the retry will tell.
    if (!(error instanceof NameInUse)) throw error;
  }
}
