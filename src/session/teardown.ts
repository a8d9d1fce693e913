/**
 * How every session ends, written once: the container session, the Swarm-job session and
 * `oneoff attach` let go of what they hold in one order, and the two that own their one-off
 * then end it in the order the product depends on:
 *   the release ledger (while the one-off exists, so a lock it holds is still held)
 *   -> the one-off's removal -> the watchdog stands down (or, when removal failed, takes over).
 * An engine gone mid-run skips the removal: the watchdog takes over at once, and one line says
 * both what failed and that it will clean up.
 */
import type { Ending } from "../types/result.js";
import { EngineUnreachable } from "../engine/types.js";
import { exitCodeForSignal, type InterruptSignal } from "./interrupts.js";
import { OneoffError } from "../output/errors.js";
import type { StopControl } from "./stop-control.js";

/** How a one-off ended, as its session saw it: what the watchdog records in place of owner-gone. */
interface SeenEnding {
  ending: Ending;
  exitCode: number;
  signal?: string;
}

/** The watchdog as a session sees it (lifecycle/watchdog.ts, a room above, implements it). */
export interface WatchdogHandle {
  release(): void;
  /** `seen`: the one-off had ended, and how (oneoff's own end record may not reach an engine that is gone). */
  abandon(seen?: SeenEnding): void;
}

/**
 * What a session holds while it runs. Each is set as it is taken, and let go in this order,
 * whatever the session got to: nothing reacts to interrupts or failed writes any more, no
 * timer can fire, no resize, no stdin is pumped, the local terminal is itself again, and the
 * engine's stream is closed.
 */
export class SessionHoldings {
  unsubscribeInterrupts = () => {};
  stopWatchingWrites: Array<() => void> = [];
  stopControl: Pick<StopControl, "dispose"> | undefined;
  stopResizing = () => {};
  stopStdin = () => {};
  stopServiceLogs = () => {};
  restoreTerminal = () => {};
  stream: { destroy(): void } | undefined;

  letGo(): void {
    this.unsubscribeInterrupts();
    for (const stopWatching of this.stopWatchingWrites) stopWatching();
    this.stopControl?.dispose();
    this.stopResizing();
    this.stopStdin();
    this.stopServiceLogs();
    this.restoreTerminal();
    this.stream?.destroy();
  }
}

/** An ending as far as the teardown cares. */
interface Ended {
  ending: Ending;
  exitCode: number;
  signal?: string;
}

export class SessionTeardown<Result extends Ended> {
  readonly holdings = new SessionHoldings();
  /** How the one-off ended, once it has (unset: it failed, or never was created). */
  ended: Result | undefined;
  private handedToWatchdog = false;

  constructor(private readonly watchdog: WatchdogHandle) {}

  /** Records how the one-off ended and returns it, for `return teardown.end(...)`. */
  end(result: Result): Result {
    this.ended = result;
    return result;
  }

  /**
   * For a session's catch: an engine that cannot be reached once the one-off exists cannot
   * remove it either. The watchdog takes over, and the error returned says so (`removes`:
   * what it removes, "one-off NAME (ID)"); any other error is returned as it is.
   */
  engineGone(error: unknown, { created, removes }: { created: boolean; removes: string }): unknown {
    if (!created || !(error instanceof EngineUnreachable)) return error;
    this.handedToWatchdog = true;
    this.watchdog.abandon();
    return new OneoffError(error.message, {
      hint: `${error.hint ?? "start the engine"}; the watchdog removes ${removes} once it answers`,
      cause: error,
    });
  }

  /**
   * For a session's finally. `kept`: the one-off runs on (detached) and is only marked so;
   * otherwise the ledger is written for one that ran (not skipped), then `remove` (true when
   * it is gone, false when it said why not), then the watchdog stands down or takes over.
   */
  async finish(how: {
    kept?: () => Promise<void>;
    beforeRemoval?: (ended: Result) => Promise<void>;
    remove: () => Promise<boolean>;
  }): Promise<void> {
    this.holdings.letGo();
    if (how.kept) {
      await how.kept();
      this.watchdog.release();
      return;
    }
    if (this.handedToWatchdog) return;
    const ended = this.ended;
    if (ended && ended.ending !== "skipped" && ended.ending !== "detached") await how.beforeRemoval?.(ended);
    if (await how.remove()) this.watchdog.release();
    else this.watchdog.abandon(ended && seenEnding(ended));
  }
}

function seenEnding({ ending, exitCode, signal }: Ended): SeenEnding {
  return { ending, exitCode, ...(signal ? { signal } : {}) };
}

/** A run cancelled before its one-off started: it ends as the interrupt (or the failed write) says. */
export function cancelledEnding(
  stop: Pick<StopControl, "cancelledBy" | "outputFailure">,
):
  | { exitCode: number; ending: "output-failed"; outputFailure: string }
  | { exitCode: number; ending: "interrupted"; signal: InterruptSignal } {
  const failure = stop.outputFailure;
  if (failure) return { exitCode: failure.exitCode, ending: "output-failed", outputFailure: failure.message };
  const signal = stop.cancelledBy ?? "SIGTERM";
  return { exitCode: exitCodeForSignal(signal), ending: "interrupted", signal };
}
