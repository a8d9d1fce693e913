/**
 * Signals the user sends to an attached one-off. The session decides what they mean; where
 * they come from (process signals for the CLI, an AbortSignal for the library) is wired here.
 */
import { constants } from "node:os";
import type { InterruptSignal, InterruptSource } from "../types/context.js";

export type { InterruptSignal, InterruptSource };

const FORWARDED_SIGNALS: readonly InterruptSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The CLI's source: oneoff's own process signals. Subscribing replaces Node's default exit. */
export function processInterrupts(target: NodeJS.Process = process): InterruptSource {
  return {
    subscribe(handler) {
      const listeners = FORWARDED_SIGNALS.map((signal) => {
        const listener = () => handler(signal);
        target.on(signal, listener);
        return [signal, listener] as const;
      });
      return () => {
        for (const [signal, listener] of listeners) target.off(signal, listener);
      };
    },
  };
}

/** The library's source: aborting the signal stops the one-off as SIGTERM would. */
export function abortInterrupts(signal: AbortSignal): InterruptSource {
  return {
    subscribe(handler) {
      const listener = () => handler("SIGTERM");
      if (signal.aborted) queueMicrotask(listener);
      else signal.addEventListener("abort", listener, { once: true });
      return () => signal.removeEventListener("abort", listener);
    },
  };
}

export const noInterrupts: InterruptSource = { subscribe: () => () => {} };

/** 128 + the signal's number: the shell's (and docker's) exit code for death by signal. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
