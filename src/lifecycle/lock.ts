/**
 * Locks enforced by the engine itself: a one-off that holds lock NAME is created under the
 * container name `<app>-lock-<NAME>`, and the engine refuses a second container of that name.
 * So two pipelines on two machines sharing an engine cannot both hold it, nothing on either
 * machine has to agree, and the lock goes when the one-off's container goes (the watchdog
 * removes it even when oneoff is killed).
 *
 * A holder that is no longer running (it finished and was kept, or its owner died between
 * create and start) does not hold the lock: it is renamed out of the way (keeping its logs)
 * or removed, and the create is tried again.
 */
import type { ContainerDetails, ContainerEngine } from "../engine/types.js";
import { NameInUse } from "../engine/types.js";
import { formatDuration } from "../config/units.js";
import { OneoffError } from "../output/errors.js";
import type { Reporter } from "../output/reporter.js";
import type { CreateBody } from "../spec/create-body.js";
import { DETACHED_SUFFIX, Labels } from "../spec/labels.js";
import { ownerLiveness, parseOwner, type Liveness, type Owner } from "./owner.js";

export interface LockedCreate {
  engine: ContainerEngine;
  lock: string;
  name: string;
  body: CreateBody;
  /** How long to wait for the lock; undefined fails at once. */
  waitMs?: number;
  report: Reporter;
  /** Poll interval while waiting. */
  pollMs?: number;
  /** Stop waiting when this turns true (an interrupt). */
  cancelled?: () => boolean;
}

/**
 * An ended holder whose oneoff may still be at work (copying files out, writing the ledger)
 * holds the lock while that oneoff lives; where nothing here can tell whether it lives (it
 * runs on another machine), for this long after the holder ended.
 */
export const ENDED_HOLDER_GRACE_MS = 15 * 60_000;

type LivenessOf = (owner: Owner) => Liveness;

/** Pure: whether an attached holder that has ended still holds the lock for its owner. */
export function endedHolderHolds(labels: Readonly<Record<string, string>>, endedAt: Date | undefined, livenessOf: LivenessOf, now: Date): boolean {
  if (labels[Labels.detached] === "true") return false;
  const owner = parseOwner(labels[Labels.owner]);
  if (owner === undefined) return false;
  const liveness = livenessOf(owner);
  if (liveness === "alive") return true;
  return liveness === "unknown" && endedAt !== undefined && now.getTime() - endedAt.getTime() < ENDED_HOLDER_GRACE_MS;
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
  const since = labels[Labels.startedAt] ?? holder.startedAt?.toISOString() ?? "an unknown time";
  const finishing = holder.state === "exited" || holder.state === "dead" ? " (its command has ended; its oneoff is finishing: copy-out, ledger)" : "";
  return `${what} started by ${who} at ${since}, container ${holder.id.slice(0, 12)}${finishing}`;
}

/** A lock is held by another one-off (audited as "lock-refused"). */
export class LockHeld extends OneoffError {}

export async function createHoldingLock(request: LockedCreate): Promise<string> {
  const { engine, name, body } = request;
  return holdLock(request, {
    create: () => engine.createContainer(name, body),
    holder: () => engine.inspectContainer(name),
    holds: (holder) => holdsLock(holder, (owner) => ownerLiveness(owner)),
    describe: describeHolder,
    free: (holder) => freeName(engine, holder),
  });
}

/** What a lock is made of: something the engine creates under a unique name (a container, a service). */
export interface LockTarget<Holder> {
  /** Rejects with NameInUse when the name is taken. */
  create(): Promise<string>;
  /** What holds the name now; undefined once it is gone. */
  holder(): Promise<Holder | undefined>;
  holds(holder: Holder): boolean;
  describe(holder: Holder): string;
  /** Frees the name from a holder that no longer holds the lock. */
  free(holder: Holder): Promise<void>;
}

export async function holdLock<Holder>(request: Pick<LockedCreate, "lock" | "waitMs" | "report" | "pollMs" | "cancelled">, target: LockTarget<Holder>): Promise<string> {
  const { lock, report } = request;
  const deadline = request.waitMs === undefined ? undefined : Date.now() + request.waitMs;
  let announced = false;
  for (;;) {
    try {
      return await target.create();
    } catch (error) {
      if (!(error instanceof NameInUse)) throw error;
    }
    const holder = await target.holder();
    if (holder && !target.holds(holder)) {
      await target.free(holder);
      continue;
    }
    if (!holder) continue; // released between our create and inspect
    if (deadline === undefined) {
      throw new LockHeld(`lock ${lock} is held by ${target.describe(holder)}`, {
        hint: "wait for it with --wait-lock, or stop that one-off",
      });
    }
    if (Date.now() >= deadline) {
      throw new LockHeld(`lock ${lock} is still held after waiting ${formatDuration(request.waitMs as number)}, by ${target.describe(holder)}`, {
        hint: "wait longer with --wait-lock DURATION, or stop that one-off",
      });
    }
    if (request.cancelled?.()) throw new OneoffError(`stopped waiting for lock ${lock}`);
    if (!announced) {
      report.info(`waiting for lock ${lock}, held by ${target.describe(holder)}`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(request.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
  }
}

/** Frees the lock's name from a holder that no longer holds it: kept for its logs if it ran. */
async function freeName(engine: ContainerEngine, holder: ContainerDetails): Promise<void> {
  try {
    if (holder.state === "exited" && holder.labels[Labels.detached] === "true") {
      await engine.rename(holder.id, `${holder.name}-done-${holder.id.slice(0, 12)}`);
    } else {
      await engine.remove(holder.id);
    }
  } catch (error) {
    // Another oneoff freed it first: the retry will tell.
    if (!(error instanceof NameInUse)) throw error;
  }
}
