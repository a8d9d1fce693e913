/**
 * Moves the one-off's output from the engine to the caller: demultiplexed into stdout and
 * stderr without a TTY, one raw stream to stdout with one. Either way with backpressure, and
 * never ending the caller's streams (they outlive the one-off).
 */
import type { Duplex, Writable } from "node:stream";
import { Writable as WritableStream } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ContainerEngine } from "../engine/types.js";
import type { Reporter } from "../output/reporter.js";
import { FrameDemuxer } from "./demux.js";

/** Resolves (never rejects) once the output has been fully written, with any error met. */
export function forwardOutput(stream: Duplex | NodeJS.ReadableStream, io: { stdout: Writable; stderr: Writable }, tty: boolean, report: Reporter): Promise<Error | undefined> {
  const destination = tty ? rawOutput(io.stdout) : new FrameDemuxer(io.stdout, io.stderr, (message) => report.warn(`engine: ${message.trim()}`));
  return pipeline(stream, destination).then(
    () => undefined,
    (error: Error) => error,
  );
}

function rawOutput(stdout: Writable): Writable {
  let dropped = false;
  stdout.on("error", () => (dropped = true));
  return new WritableStream({
    write(chunk: Buffer, _encoding, done) {
      if (dropped || stdout.destroyed || stdout.write(chunk)) return done();
      const resume = () => {
        stdout.off("drain", resume);
        stdout.off("close", resume);
        done();
      };
      stdout.on("drain", resume);
      stdout.on("close", resume);
    },
  });
}

/**
 * The output stream ended: did the container end too, or is it still running (a detach, or a
 * lost connection)? Waits up to a second for `exit` before asking the engine.
 */
export async function stillRunningAfterStreamEnd(engine: ContainerEngine, containerId: string, exit: Promise<number>): Promise<boolean> {
  const exited = await Promise.race([exit.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))]);
  if (exited) return false;
  return (await engine.inspectContainer(containerId).catch(() => undefined))?.state === "running";
}
