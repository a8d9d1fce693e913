/**
 * Holds a one-off's output in memory for `--json --capture` and library callers. Bounded:
 * past the limit further bytes are dropped and the result says it was truncated, so a
 * runaway command cannot exhaust oneoff's memory.
 */
import { Writable } from "node:stream";

const CAPTURE_LIMIT_BYTES = 64 * 1024 * 1024;

export class OutputCapture {
  private size = 0;
  private truncated = false;
  private readonly chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  readonly stdout = this.sink("stdout");
  readonly stderr = this.sink("stderr");

  result(): { stdout: Buffer; stderr: Buffer; truncated: boolean } {
    return { stdout: Buffer.concat(this.chunks.stdout), stderr: Buffer.concat(this.chunks.stderr), truncated: this.truncated };
  }

  private sink(stream: "stdout" | "stderr"): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const room = CAPTURE_LIMIT_BYTES - this.size;
        if (chunk.length > room) this.truncated = true;
        const kept = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
        if (kept.length) this.chunks[stream].push(Buffer.from(kept));
        this.size += kept.length;
        done();
      },
    });
  }
}
