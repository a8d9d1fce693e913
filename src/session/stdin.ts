/**
 * The caller's stdin to the one-off.
 */
import type { Duplex, Readable } from "node:stream";

/**
 * Copies the caller's stdin to the command, pausing while the engine is slow to take it, and
 * half-closes the connection at EOF: that is what makes the command's read() return 0.
 * Returns a function that stops copying (the command may exit before stdin ends).
 */
export function pumpStdin(stdin: Readable, connection: Duplex, observe?: (chunk: Buffer) => void): () => void {
  let waitingForDrain = false;
  const onData = (chunk: Buffer) => {
    observe?.(chunk);
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

/** The bytes a detach sequence in docker's notation stands for: ctrl-p,ctrl-q -> 0x10 0x11. */
export function detachKeyBytes(keys: string): Buffer {
  return Buffer.from(
    keys.split(",").map((key) => {
      const name = key.trim();
      if (!name.startsWith("ctrl-")) return name.charCodeAt(0);
      const c = name.slice("ctrl-".length);
      return c >= "a" && c <= "z"
        ? c.charCodeAt(0) - 96
        : (({ "@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, _: 31 } as Record<string, number>)[c] ?? 0);
    }),
  );
}

/**
 * Remembers whether the last keys typed were the detach sequence: when the engine then ends
 * the stream, the user detached; when it ends otherwise (stdin closed by a hang-up, the
 * command's exit), it was no detach.
 */
export class DetachWatch {
  private tail = Buffer.alloc(0);

  constructor(private readonly sequence: Buffer) {}

  readonly observe = (chunk: Buffer): void => {
    this.tail = Buffer.concat([this.tail, chunk]).subarray(-this.sequence.length);
  };

  get typed(): boolean {
    return this.sequence.length > 0 && this.tail.equals(this.sequence);
  }
}
