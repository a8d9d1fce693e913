/**
 * Splits the engine's multiplexed attach stream (no TTY) into stdout and stderr.
 * Each frame: [stream type: 1 byte][3 zero bytes][payload length: uint32 BE][payload].
 * Written instead of using docker-modem's demuxStream, which ignores backpressure (a fast
 * command fills memory when stdout is slow), never ends, and silently passes bad input through.
 * Here a chunk is acknowledged only once both destinations have taken its bytes, so the
 * engine socket is read no faster than the caller's stdout and stderr drain.
 */
import { Writable } from "node:stream";
import { onWriteFailure } from "../output/write-failures.js";

const HEADER_SIZE = 8;
const STREAM_STDIN = 0;
const STREAM_STDOUT = 1;
const STREAM_STDERR = 2;
const STREAM_SYSTEM_ERROR = 3;

export class FrameDemuxer extends Writable {
  private readonly header = Buffer.alloc(HEADER_SIZE);
  private headerBytes = 0;
  private payloadRemaining = 0;
  private target: Writable | undefined;
  private readonly discarded = new Set<Writable>();
  /** A system-error frame's payload, gathered until the frame is complete. */
  private systemError: Buffer[] = [];

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    private readonly onSystemError: (message: string) => void = () => {},
  ) {
    super();
    // A write that fails (`oneoff run ... | head`, a full disk) ends the demuxing with that
    // failure: the caller stops the one-off, as nothing can receive its output.
    const unsubscribe = [
      onWriteFailure(stdout, "stdout", (failure) => this.destroy(failure)),
      onWriteFailure(stderr, "stderr", (failure) => this.destroy(failure)),
    ];
    this.once("close", () => unsubscribe.forEach((stop) => stop()));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const blocked = new Set<Writable>();
    let offset = 0;
    while (offset < chunk.length) {
      if (this.payloadRemaining === 0) {
        const take = Math.min(HEADER_SIZE - this.headerBytes, chunk.length - offset);
        chunk.copy(this.header, this.headerBytes, offset, offset + take);
        this.headerBytes += take;
        offset += take;
        if (this.headerBytes < HEADER_SIZE) break;
        this.headerBytes = 0;
        const type = this.header[0];
        this.payloadRemaining = this.header.readUInt32BE(4);
        this.systemError = [];
        if (type === STREAM_STDOUT || type === STREAM_STDIN) this.target = this.stdout;
        else if (type === STREAM_STDERR) this.target = this.stderr;
        else if (type === STREAM_SYSTEM_ERROR) this.target = undefined;
        else {
          done(new Error(`the engine sent an output frame of unknown type ${type}: the stream is not multiplexed`));
          return;
        }
        continue;
      }
      const take = Math.min(this.payloadRemaining, chunk.length - offset);
      const payload = chunk.subarray(offset, offset + take);
      offset += take;
      this.payloadRemaining -= take;
      if (this.target === undefined) {
        // Copied: the chunk's buffer may be reused once this call returns.
        this.systemError.push(Buffer.from(payload));
        if (this.payloadRemaining === 0) this.onSystemError(Buffer.concat(this.systemError).toString("utf8"));
      } else if (this.accepts(this.target) && !this.target.write(payload)) blocked.add(this.target);
    }
    if (blocked.size === 0) {
      done();
      return;
    }
    let waiting = blocked.size;
    for (const destination of blocked) {
      const resume = () => {
        destination.off("drain", resume);
        destination.off("error", resume);
        destination.off("close", resume);
        if (--waiting === 0) done();
      };
      destination.on("drain", resume);
      destination.on("error", resume);
      destination.on("close", resume);
    }
  }

  /** False once a destination was destroyed or ended (by its owner): its output is dropped. */
  private accepts(destination: Writable): boolean {
    if (destination.destroyed || destination.writableEnded) this.discarded.add(destination);
    return !this.discarded.has(destination);
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.payloadRemaining > 0 || this.headerBytes > 0) {
      done(new Error("the engine closed the output stream in the middle of a frame: the last output may be incomplete"));
      return;
    }
    done();
  }
}
