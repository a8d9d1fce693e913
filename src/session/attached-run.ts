/**
 * One attached one-off, from create to removal:
 *   create -> connect extra networks -> attach -> start -> (stdin in, output out) -> wait -> remove
 * Attach comes before start so not a byte of early output is missed; removal is in the
 * `finally` of the whole life, so a start failure, an engine error or an interrupt all end
 * with the container gone (or with a line naming the container we could not remove).
 */
import type { Duplex, Readable, Writable } from "node:stream";
import type { ContainerEngine } from "../engine/types.js";
import type { Reporter } from "../output/reporter.js";
import type { ContainerSpec } from "../spec/create-body.js";
import { ExitCode } from "../output/errors.js";
import { forwardOutput } from "./output.js";
import { enterRawMode, followWindowSize } from "./terminal.js";
import { exitCodeForSignal, type InterruptSignal, type InterruptSource } from "./interrupts.js";
import { StopControl } from "./stop-control.js";
import type { Watchdog } from "../lifecycle/watchdog.js";

export interface SessionIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface AttachedRunOptions {
  engine: ContainerEngine;
  spec: ContainerSpec;
  interactive: boolean;
  /** A terminal session: raw local terminal, one raw output stream, window size followed. */
  tty: boolean;
  stopTimeoutSeconds: number;
  /** Stop the one-off after this long (exit 124). */
  timeoutMs?: number;
  io: SessionIO;
  interrupts: InterruptSource;
  report: Reporter;
  /** Called once the container exists, before it starts (for callers that track it). */
  onCreated?: (containerId: string) => void;
  /** Removes the container should this process die before it does. */
  watchdog: Watchdog;
  /**
   * Creates the container (default: engine.createContainer); locks swap in a create that
   * waits for or refuses a held lock. `cancelled` turns true once an interrupt cancels the run.
   */
  create?: (cancelled: () => boolean) => Promise<string>;
}

/** How a one-off ended, for reports and the audit log. */
export type Ending = "exited" | "timeout" | "interrupted" | "output-lost";

export interface AttachedRunResult {
  exitCode: number;
  containerId: string;
  ending: Ending;
  /** The signal that interrupted it, when ending is "interrupted". */
  signal?: InterruptSignal;
}

class Cancelled extends Error {}

/**
 * Detaching needs detached one-offs to come back to, which oneoff does not have yet; the
 * engine cannot switch detach keys off, so it gets a sequence nobody types by accident.
 */
const DETACH_DISABLED = "ctrl-],ctrl-^,ctrl-],ctrl-^,ctrl-],ctrl-^,ctrl-],ctrl-^";

export async function runAttached(options: AttachedRunOptions): Promise<AttachedRunResult> {
  const { engine, spec, io, report } = options;
  const stop = new StopControl(engine, options.stopTimeoutSeconds, report);
  const unsubscribe = options.interrupts.subscribe((signal) => stop.onInterrupt(signal));
  const checkCancelled = () => {
    if (stop.cancelledBy) throw new Cancelled();
  };
  let containerId: string | undefined;
  let stream: Duplex | undefined;
  let stopStdin = () => {};
  let restoreTerminal = () => {};
  let stopResizing = () => {};
  try {
    checkCancelled();
    options.watchdog.watch(spec.name);
    containerId = await (options.create ? options.create(() => stop.cancelledBy !== undefined) : engine.createContainer(spec.name, spec.body));
    options.onCreated?.(containerId);
    for (const network of spec.extraNetworks) await engine.connectNetwork(containerId, network);
    checkCancelled();
    stream = await engine.attach(containerId, {
      stdin: options.interactive,
      ...(options.tty && options.interactive ? { detachKeys: DETACH_DISABLED } : {}),
    });
    const id = containerId;
    const output = forwardOutput(stream, io, options.tty, report).then((error) => {
      // A lost attach connection leaves nobody to read the one-off or type into it: stop it
      // (its exit code still comes from wait) rather than let it run on unseen.
      if (error) {
        report.warn(`lost the one-off's output stream: ${error.message}; stopping it`);
        void engine.kill(id, "SIGKILL").catch(() => {});
      }
      return error;
    });
    checkCancelled();
    if (options.tty && options.interactive) restoreTerminal = enterRawMode(io.stdin);
    await engine.start(containerId);
    stop.started(containerId);
    if (options.timeoutMs !== undefined) stop.startTimeout(options.timeoutMs);
    if (options.tty) stopResizing = followWindowSize([io.stdout, io.stderr], (size) => engine.resize(id, size));
    if (options.interactive) stopStdin = pumpStdin(io.stdin, stream);
    const [containerExitCode, outputError] = await Promise.all([engine.waitForExit(containerId), output]);
    if (outputError) return { exitCode: ExitCode.runnerFailed, containerId, ending: "output-lost" };
    const signal = stop.interruptedBy;
    return {
      exitCode: stop.exitCode(containerExitCode),
      containerId,
      ending: stop.hasTimedOut ? "timeout" : signal ? "interrupted" : "exited",
      ...(signal ? { signal } : {}),
    };
  } catch (error) {
    // Cancelled before start (also while waiting for a lock): exit as the interrupt says.
    if (stop.cancelledBy && (error instanceof Cancelled || containerId === undefined)) {
      return { exitCode: exitCodeForSignal(stop.cancelledBy), containerId: containerId ?? "", ending: "interrupted", signal: stop.cancelledBy };
    }
    throw error;
  } finally {
    unsubscribe();
    stop.dispose();
    stopResizing();
    stopStdin();
    restoreTerminal();
    stream?.destroy();
    const removed = containerId ? await removeOrReport(engine, containerId, spec.name, report) : true;
    if (removed) options.watchdog.release();
    else options.watchdog.abandon();
  }
}

/**
 * Copies the caller's stdin to the command, pausing while the engine is slow to take it, and
 * half-closes the connection at EOF: that is what makes the command's read() return 0.
 * Returns a function that stops copying (the command may exit before stdin ends).
 */
function pumpStdin(stdin: Readable, connection: Duplex): () => void {
  let waitingForDrain = false;
  const onData = (chunk: Buffer) => {
    if (!connection.write(chunk) && !waitingForDrain) {
      waitingForDrain = true;
      stdin.pause();
      connection.once("drain", () => {
        waitingForDrain = false;
        stdin.resume();
      });
    }
  };
  const onEnd = () => connection.end();
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.on("error", onEnd);
  stdin.resume();
  return () => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.off("error", onEnd);
    stdin.pause();
  };
}

async function removeOrReport(engine: ContainerEngine, containerId: string, name: string, report: Reporter): Promise<boolean> {
  try {
    await engine.remove(containerId);
    return true;
  } catch (error) {
    report.warn(
      `could not remove the one-off container ${name} (${containerId.slice(0, 12)}): ${(error as Error).message}; the watchdog keeps trying for 2 minutes, or remove it with: docker rm -f ${containerId.slice(0, 12)}`,
    );
    return false;
  }
}
