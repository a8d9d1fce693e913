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
import { onWriteFailure, writesSettled } from "../output/write-failures.js";
import { FrameDemuxer } from "./demux.js";

/**
 * Resolves (never rejects) once the output has been fully written, with any error met: a
 * WriteFailed when the caller's stdout or stderr could not take it.
 */
export function forwardOutput(
  stream: Duplex | NodeJS.ReadableStream,
  io: { stdout: Writable; stderr: Writable },
  how: { tty: boolean; report: Reporter },
): Promise<Error | undefined> {
  return outputForwarder(io, how).forward(stream);
}

export interface OutputForwarder {
  /**
   * True when the caller's streams write through (markWritesThrough) and no queue between the
   * stream and them holds bytes: what it was given has been written out (or dropped), so the
   * bytes' buffer may be reused.
   */
  idle(): boolean;
  forward(stream: Duplex | NodeJS.ReadableStream): Promise<Error | undefined>;
}

/**
 * Streams that write a chunk out before write() returns when nothing is queued in them, and
 * keep no reference to it: the process's own stdout and stderr, which the CLI and the
 * library's defaults mark. Only for these may a read buffer be reused; a caller's own stream
 * may keep the chunks it is given (many collect them), and gets a new buffer for every read.
 */
const writesThrough = new WeakSet<Writable>();

export function markWritesThrough(...streams: Writable[]): void {
  for (const stream of streams) writesThrough.add(stream);
}

/** Marks `stream`, which passes each chunk on to `target` before its write() returns, as writing through when `target` does. */
export function inheritWritesThrough(stream: Writable, target: Writable): void {
  if (writesThrough.has(target)) writesThrough.add(stream);
}

/** forwardOutput in two steps, so that the attach can ask `idle()` before the stream exists. */
export function outputForwarder(
  io: { stdout: Writable; stderr: Writable },
  { tty, report }: { tty: boolean; report: Reporter },
): OutputForwarder {
  const destination = tty
    ? rawOutput(io.stdout)
    : new FrameDemuxer(io.stdout, io.stderr, (message) => report.warn(`engine: ${message.trim()}`));
  const queued = (stream: Writable) => stream.writableLength > 0;
  const ours = writesThrough.has(io.stdout) && writesThrough.has(io.stderr);
  return {
    idle: () => ours && !queued(destination) && !queued(io.stdout) && !queued(io.stderr),
    forward: (stream) =>
      pipeline(stream, destination).then(
        // The last writes may fail after the stream ended: their failure is the outcome too.
        async () => (await writesSettled(io.stdout)) ?? (await writesSettled(io.stderr)),
        (error: Error) => error,
      ),
  };
}

function rawOutput(stdout: Writable): Writable {
  const raw = new WritableStream({
    write(chunk: Buffer, _encoding, done) {
      if (stdout.destroyed || stdout.write(chunk)) return done();
      afterDrain(stdout, () => done());
    },
  });
  // As the demuxer does: a write that fails ends the forwarding with that failure.
  raw.once(
    "close",
    onWriteFailure(stdout, "stdout", (failure) => raw.destroy(failure)),
  );
  return raw;
}

/**
 * The output stream ended: did the container end too, or is it still running (a detach, or a
 * lost connection)? Waits up to a second for `exit` before asking the engine.
 */
export async function stillRunningAfterStreamEnd(
  client: Pick<ContainerEngine, "inspectContainer">,
  containerId: string,
  exit: Promise<number>,
): Promise<boolean> {
  const exited = await Promise.race([
    exit.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000)),
  ]);
  if (exited) return false;
  return (await client.inspectContainer(containerId).catch(() => undefined))?.state === "running";
}

/** Passes bytes on to `target` (with its backpressure), counting them. */
export class ByteCounter extends WritableStream {
  bytes = 0;

  constructor(private readonly target: Writable) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.target.destroyed || this.target.write(chunk)) done();
    else afterDrain(this.target, done);
  }
}

/** Drops the first `skip` bytes written, passes the rest on to `target`. */
export class ByteSkipper extends WritableStream {
  constructor(
    private readonly target: Writable,
    private skip: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const dropped = Math.min(this.skip, chunk.length);
    this.skip -= dropped;
    const rest = dropped ? chunk.subarray(dropped) : chunk;
    if (rest.length === 0 || this.target.destroyed || this.target.write(rest)) done();
    else afterDrain(this.target, done);
  }
}

/** Calls `done` once `target` drains, or closes (a reader gone: nothing more to wait for). */
function afterDrain(target: Writable, done: () => void): void {
  const resume = () => {
    target.off("drain", resume);
    target.off("close", resume);
    done();
  };
  target.on("drain", resume);
  target.on("close", resume);
}
