/**
 * One attached one-off, from create to removal:
 *   create -> connect extra networks -> attach -> start -> (stdin in, output out) -> wait -> remove
 * Attach comes before start so not a byte of early output is missed; removal is in the
 * `finally` of the whole life, so a start failure, an engine error or an interrupt all end
 * with the container gone (or with a line naming the container we could not remove).
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ContainerEngine } from "../engine/types.js";
import type { Reporter } from "../output/reporter.js";
import type { ContainerSpec } from "../spec/create-body.js";
import { FrameDemuxer } from "./demux.js";
import { exitCodeForSignal, type InterruptSource } from "./interrupts.js";
import { StopControl } from "./stop-control.js";

export interface SessionIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface AttachedRunOptions {
  engine: ContainerEngine;
  spec: ContainerSpec;
  interactive: boolean;
  stopTimeoutSeconds: number;
  io: SessionIO;
  interrupts: InterruptSource;
  report: Reporter;
  /** Called once the container exists, before it starts (for callers that track it). */
  onCreated?: (containerId: string) => void;
}

export interface AttachedRunResult {
  exitCode: number;
  containerId: string;
}

class Cancelled extends Error {}

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
  try {
    checkCancelled();
    containerId = await engine.createContainer(spec.name, spec.body);
    options.onCreated?.(containerId);
    for (const network of spec.extraNetworks) await engine.connectNetwork(containerId, network);
    checkCancelled();
    stream = await engine.attach(containerId, { stdin: options.interactive });
    const output = forwardOutput(stream, io, report);
    checkCancelled();
    await engine.start(containerId);
    stop.started(containerId);
    if (options.interactive) stopStdin = pumpStdin(io.stdin, stream);
    const [containerExitCode, outputError] = await Promise.all([engine.waitForExit(containerId), output]);
    if (outputError) report.warn(`the one-off's output may be incomplete: ${outputError.message}`);
    return { exitCode: stop.exitCode(containerExitCode), containerId };
  } catch (error) {
    if (error instanceof Cancelled && stop.cancelledBy) {
      return { exitCode: exitCodeForSignal(stop.cancelledBy), containerId: containerId ?? "" };
    }
    throw error;
  } finally {
    unsubscribe();
    stop.dispose();
    stopStdin();
    stream?.destroy();
    if (containerId) await removeOrReport(engine, containerId, spec.name, report);
  }
}

/** Resolves (never rejects) when the output has been fully written, with any error met. */
function forwardOutput(stream: Duplex, io: SessionIO, report: Reporter): Promise<Error | undefined> {
  const demuxer = new FrameDemuxer(io.stdout, io.stderr, (message) => report.warn(`engine: ${message.trim()}`));
  return pipeline(stream, demuxer).then(
    () => undefined,
    (error: Error) => error,
  );
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
  stdin.once("error", onEnd);
  stdin.resume();
  return () => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.off("error", onEnd);
    stdin.pause();
  };
}

async function removeOrReport(engine: ContainerEngine, containerId: string, name: string, report: Reporter): Promise<void> {
  try {
    await engine.remove(containerId);
  } catch (error) {
    report.warn(
      `could not remove the one-off container ${name} (${containerId.slice(0, 12)}): ${(error as Error).message}; remove it with: docker rm -f ${containerId.slice(0, 12)}`,
    );
  }
}
