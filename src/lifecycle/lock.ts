/**
 * Locks enforced by the engine itself, the mechanism every backend shares: the one-off that
 * holds lock NAME is created under a name the engine keeps unique (`<app>-lock-<NAME>`: a
 * container's, a job service's), and the engine refuses a second of that name. So two
 * pipelines on two machines sharing an engine cannot both hold it, nothing on either machine
 * has to agree, and the lock goes when the one-off goes (the watchdog removes it even when
 * oneoff is killed).
 *
 * A holder that no longer holds the lock (a detached one-off that ended and is kept, or one
 * whose oneoff died between create and start) is moved out of the way, and the create is
 * tried again. Each backend says what its holders are (backends/container/lock.ts,
 * backends/swarm-job/lock.ts).
 */
import { NameInUse } from "../engine/types.js";
import { formatDuration } from "../formats/units.js";
import { OneoffError } from "../output/errors.js";
import type { Reporter } from "../output/reporter.js";
import { Labels } from "../requests/labels.js";
import { parseOwner, type Liveness, type Owner } from "./owner.js";

export interface LockRequest {
  lock: string;
  /** How long to wait for the lock; undefined fails at once. */
  waitMs?: number;
  report: Reporter;
  /** @internal How often to look again while waiting (default 500 ms): only tests shorten it. */
  pollMs?: number;
  /** Stop waiting when this turns true (an interrupt). */
  cancelled?: () => boolean;
}

/**
 * An ended holder whose oneoff may still be at work (copying files out, writing the ledger)
 * holds the lock while that oneoff lives; where nothing here can tell whether it lives (it
 * runs on another machine), for this long after the holder ended.
 */
const ENDED_HOLDER_GRACE_MS = 15 * 60_000;

export type LivenessOf = (owner: Owner) => Liveness;

/** Pure: whether an attached holder that has ended still holds the lock for its owner. */
export function endedHolderHolds(
  labels: Readonly<Record<string, string>>,
  endedAt: Date | undefined,
  livenessOf: LivenessOf,
  now: Date,
): boolean {
  if (labels[Labels.detached] === "true") return false;
  const owner = parseOwner(labels[Labels.owner]);
  if (owner === undefined) return false;
  const liveness = livenessOf(owner);
  if (liveness === "alive") return true;
  return liveness === "unknown" && endedAt !== undefined && now.getTime() - endedAt.getTime() < ENDED_HOLDER_GRACE_MS;
}

/** A lock is held by another one-off (audited as "lock-refused"). */
export class LockHeld extends OneoffError {}

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

export async function holdLock<Holder>(request: LockRequest, target: LockTarget<Holder>): Promise<string> {
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
      throw new LockHeld(
        `lock ${lock} is still held after waiting ${formatDuration(request.waitMs as number)}, by ${target.describe(holder)}`,
        {
          hint: "wait longer with --wait-lock DURATION, or stop that one-off",
        },
      );
    }
    if (request.cancelled?.()) throw new OneoffError(`stopped waiting for lock ${lock}`);
    if (!announced) {
      report.info(`waiting for lock ${lock}, held by ${target.describe(holder)}`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(request.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
  }
}
