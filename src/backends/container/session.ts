/**
 * One attached one-off, from create to removal:
 *   create -> connect extra networks -> attach -> start -> (stdin in, output out) -> wait -> remove
 * Attach comes before start so not a byte of early output is missed; removal is in the
 * `finally` of the whole life, so a start failure, an engine error or an interrupt all end
 * with the container gone (or with a line naming the container we could not remove).
 */
import type { SessionIO } from "../../types/context.js";
import type { SessionEngine } from "../../engine/types.js";
import type { Reporter } from "../../output/reporter.js";
import type { ContainerSpec } from "../../requests/create-body.js";
import { ExitCode } from "../../output/errors.js";
import { outputForwarder, stillRunningAfterStreamEnd } from "../../session/output.js";
import { onWriteFailure, WriteFailed } from "../../output/write-failures.js";
import { DEFAULT_DETACH_KEYS } from "../../config/value-rules.js";
import { DETACHED_SUFFIX } from "../../requests/labels.js";
import { DetachKeys, pumpStdin, TypedInterrupts } from "../../session/stdin.js";
import { enterRawMode, followWindowSize } from "../../session/terminal.js";
import { exitCodeForSignal, type InterruptSignal, type InterruptSource } from "../../session/interrupts.js";
import { StopControl } from "../../session/stop-control.js";
import { cancelledEnding, SessionTeardown, type WatchdogHandle } from "../../session/teardown.js";
import type { Ending } from "../../types/result.js";
import { stopGraceSeconds } from "../../settings/stop-timeout-row.js";
import type { SessionPlan } from "../../types/plan.js";

export interface ContainerSessionOptions {
  client: SessionEngine;
  spec: ContainerSpec;
  /**
   * How it is attached (tty: raw local terminal, one raw output stream, window size followed;
   * detachKeys default ctrl-p,ctrl-q), how long it may run (timeoutMs: then stopped, exit 124),
   * how long a stop waits.
   */
  plan: SessionPlan;
  io: SessionIO;
  interrupts: InterruptSource;
  report: Reporter;
  /** Removes the container should this process die before it does. */
  watchdog: WatchdogHandle;
  /**
   * Creates the container (default: engine.createContainer); locks swap in a create that
   * waits for or refuses a held lock. `cancelled` turns true once an interrupt cancels the run.
   */
  create?: (cancelled: () => boolean) => Promise<string>;
  /** Called once the container exists (and its lock is held): false skips the run. */
  beforeStart?: () => Promise<boolean>;
  /** Puts files into the created container before it starts (copy-in, secrets); `signal` aborts on an interrupt. */
  prepare?: (containerId: string, signal: AbortSignal) => Promise<void>;
  /**
   * Called when the command exited by itself (not timed out, interrupted or detached), before
   * removal; returns the exit code to report (copy-out can turn 0 into 125).
   */
  collect?: (containerId: string, exitCode: number, signal: AbortSignal) => Promise<number>;
  /**
   * Called once the one-off has ended (not skipped or detached), before its container is
   * removed: while it exists, a lock it holds is still held (the release ledger is written here).
   */
  beforeRemoval?: (ended: ContainerSessionResult) => Promise<void>;
}

export interface ContainerSessionResult {
  exitCode: number;
  containerId: string;
  ending: Ending;
  /** The signal that interrupted it, when ending is "interrupted". */
  signal?: InterruptSignal;
  /** When ending is "output-failed": which stream could not be written, and why. */
  outputFailure?: string;
}

class Cancelled extends Error {}

export async function runContainerSession(options: ContainerSessionOptions): Promise<ContainerSessionResult> {
  const { client, spec, io, report, plan } = options;
  const stop = new StopControl(client, stopGraceSeconds(plan.settings), report, spec.body.StopSignal);
  const teardown = new SessionTeardown<ContainerSessionResult>(options.watchdog);
  const { holdings } = teardown;
  holdings.stopControl = stop;
  // Copies in and out run while nothing else would react to an interrupt: they stop on one.
  const copying = new AbortController();
  // Once the command has exited there is nothing to forward a signal to: it only stops copy-out.
  let exited = false;
  let interruptedAfterExit: InterruptSignal | undefined;
  holdings.unsubscribeInterrupts = options.interrupts.subscribe((signal) => {
    if (exited && options.collect) interruptedAfterExit ??= signal;
    else stop.onInterrupt(signal);
    copying.abort();
  });
  // A write to the caller's stdout or stderr that fails (a reader gone, a full disk) stops the
  // one-off as an interrupt would: nothing can receive its output any more.
  holdings.stopWatchingWrites = [io.stdout, io.stderr].map((stream, i) =>
    onWriteFailure(stream, i === 0 ? "stdout" : "stderr", (failure) => {
      stop.outputFailed(failure);
      copying.abort();
    }),
  );
  const checkCancelled = () => {
    if (stop.cancelledBy) throw new Cancelled();
  };
  let containerId: string | undefined;
  let detached = false;
  let sessionOver = false;
  try {
    checkCancelled();
    containerId = await (options.create
      ? options.create(() => stop.cancelledBy !== undefined)
      : client.createContainer(spec.name, spec.body, spec.platform));
    for (const network of spec.extraNetworks) await client.connectNetwork(containerId, network);
    checkCancelled();
    if (options.beforeStart && !(await options.beforeStart())) return teardown.end({ exitCode: 0, containerId, ending: "skipped" });
    if (options.prepare) {
      await options.prepare(containerId, copying.signal).catch((error: unknown) => {
        checkCancelled();
        throw error;
      });
      checkCancelled();
    }
    const forwarder = outputForwarder(io, { tty: plan.tty, report });
    // A terminal session's keys: the engine is told them, and oneoff finds them (DetachKeys).
    const keysToDetach = plan.tty && plan.interactive ? (plan.detachKeys ?? DEFAULT_DETACH_KEYS) : undefined;
    const stream = await client.attach(containerId, {
      stdin: plan.interactive,
      detachKeys: keysToDetach,
      readBufferFree: forwarder.idle,
    });
    holdings.stream = stream;
    const id = containerId;
    const output = forwarder.forward(stream).then((error) => {
      // A lost attach connection leaves nobody to read the one-off or type into it: stop it
      // (its exit code still comes from wait) rather than let it run on unseen.
      // Once the session is over, its own teardown destroys the stream: that is no loss.
      if (error && !(error instanceof WriteFailed) && !sessionOver) {
        report.warn(`lost the one-off's output stream: ${error.message}; stopping it`);
        void client.kill(id, "SIGKILL").catch(() => {});
      }
      return error;
    });
    checkCancelled();
    if (plan.tty && plan.interactive) holdings.restoreTerminal = enterRawMode(io.stdin);
    await client.start(containerId);
    stop.started(containerId);
    if (plan.timeoutMs !== undefined) stop.startTimeout(plan.timeoutMs);
    if (plan.tty) holdings.stopResizing = followWindowSize([io.stdout, io.stderr], (size) => client.resize(id, size));
    const detachKeys = keysToDetach ? new DetachKeys(keysToDetach) : undefined;
    const typedInterrupts = keysToDetach ? new TypedInterrupts(() => stop.stopAsTyped()) : undefined;
    if (plan.interactive) holdings.stopStdin = pumpStdin(io.stdin, stream, detachKeys, typedInterrupts);
    const waiting = new AbortController();
    const exit = client.waitForExit(containerId, waiting.signal);
    exit.catch(() => {});
    const outputError = await output;
    if (outputError && !(outputError instanceof WriteFailed))
      return teardown.end({ exitCode: ExitCode.runnerFailed, containerId, ending: "output-lost" });
    // Typing the detach keys ends a terminal session's stream early; the one-off runs on, and
    // is kept.
    if (detachKeys?.detached && (await stillRunningAfterStreamEnd(client, containerId, exit))) {
      detached = true;
      waiting.abort();
      return teardown.end({ exitCode: 0, containerId, ending: "detached" });
    }
    const containerExitCode = await exit;
    exited = true;
    const signal = stop.interruptedBy;
    const failure = stop.outputFailure;
    const exitedByItself = !signal && !stop.hasTimedOut && !failure;
    if (containerExitCode === 137 && exitedByItself) await explainKill(client, containerId, spec, report);
    // The command is done: its timeout no longer applies to copying its files out.
    stop.dispose();
    const exitCode =
      exitedByItself && options.collect
        ? await options.collect(containerId, containerExitCode, copying.signal)
        : stop.exitCode(containerExitCode);
    // An interrupt during copy-out cut it short: report the interrupt, as for the command.
    const lateSignal = exitedByItself && options.collect ? interruptedAfterExit : undefined;
    if (lateSignal)
      return teardown.end({ exitCode: exitCodeForSignal(lateSignal), containerId, ending: "interrupted", signal: lateSignal });
    // Also a write that failed while its files were copied out (a notice on a closed stderr).
    const outputFailure = stop.outputFailure;
    if (outputFailure)
      return teardown.end({ exitCode: outputFailure.exitCode, containerId, ending: "output-failed", outputFailure: outputFailure.message });
    return teardown.end({
      exitCode,
      containerId,
      ending: stop.hasTimedOut ? "timeout" : signal ? "interrupted" : "exited",
      signal,
    });
  } catch (error) {
    // Cancelled before start (also while waiting for a lock): exit as the interrupt says.
    if (stop.cancelledBy && (error instanceof Cancelled || containerId === undefined))
      return teardown.end({ ...cancelledEnding(stop), containerId: containerId ?? "" });
    throw teardown.engineGone(error, {
      created: containerId !== undefined,
      removes: `one-off ${spec.name} (${containerId?.slice(0, 12)})`,
    });
  } finally {
    sessionOver = true;
    const id = containerId;
    await teardown.finish({
      kept: detached && id ? () => keepDetached(client, id, spec.name, report) : undefined,
      beforeRemoval: options.beforeRemoval,
      remove: async () => (id ? removeOrReport(client, id, spec.name, report) : true),
    });
  }
}

/**
 * A detached session's container stays. Its labels say "attached" and cannot change, so the
 * name carries it: NAME-detached is what the reaper leaves alone until it has ended and been
 * kept for a day, like a one-off started with --detach.
 */
async function keepDetached(client: SessionEngine, containerId: string, name: string, report: Reporter): Promise<void> {
  const short = containerId.slice(0, 12);
  try {
    await client.rename(containerId, `${name}${DETACHED_SUFFIX}`);
  } catch (error) {
    report.warn(`detached, but could not mark ${short} as detached (${(error as Error).message}); it may be reaped as an orphan`);
  }
  report.warn(
    `detached from ${name}${DETACHED_SUFFIX} (${short}); it keeps running. Re-attach: oneoff attach ${short}; stop: oneoff stop ${short}; output: oneoff logs ${short}`,
  );
}

/** 137 is SIGKILL; when the kernel's OOM killer sent it, say so: the fix is the limit. */
async function explainKill(client: SessionEngine, containerId: string, spec: ContainerSpec, report: Reporter): Promise<void> {
  const details = await client.inspectContainer(containerId).catch(() => undefined);
  if (!details?.oomKilled) return;
  const limit = spec.body.HostConfig.Memory;
  report.warn(
    `the one-off was killed for running out of memory${typeof limit === "number" && limit > 0 ? ` (its limit is ${Math.round(limit / 1024 / 1024)} MiB)` : ""}: raise --memory / memory:, or make the command use less`,
  );
}

async function removeOrReport(client: SessionEngine, containerId: string, name: string, report: Reporter): Promise<boolean> {
  try {
    await client.remove(containerId);
    return true;
  } catch (error) {
    report.warn(
      `could not remove the one-off container ${name} (${containerId.slice(0, 12)}): ${(error as Error).message}; the watchdog keeps trying for 2 minutes, or remove it with: docker rm -f ${containerId.slice(0, 12)}`,
    );
    return false;
  }
}
