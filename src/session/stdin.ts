/**
 * The caller's stdin to the one-off.
 */
import type { Duplex, Readable } from "node:stream";

/**
 * Copies the caller's stdin to the command, pausing while the engine is slow to take it, and
 * half-closes the connection at EOF: that is what makes the command's read() return 0.
 * With `detach`, the detach keys are taken out of what is typed; once they are typed the copy
 * stops and the connection is half-closed, which ends a terminal session's attach and leaves
 * the one-off running (for a TTY the engine keeps the container's stdin open).
 * Returns a function that stops copying (the command may exit before stdin ends).
 */
export function pumpStdin(stdin: Readable, connection: Duplex, detach?: DetachKeys, interrupts?: TypedInterrupts): () => void {
  let waitingForDrain = false;
  const write = (data: Buffer) => {
    if (data.length === 0 || connection.write(data) || waitingForDrain) return;
    waitingForDrain = true;
    stdin.pause();
    connection.once("drain", () => {
      waitingForDrain = false;
      stdin.resume();
    });
  };
  const onData = (chunk: Buffer) => {
    interrupts?.typed(chunk);
    write(detach ? detach.filter(chunk) : chunk);
    if (detach?.detached) {
      stop();
      connection.end();
    }
  };
  const onEnd = () => {
    if (detach) write(detach.flush());
    connection.end();
  };
  const stop = () => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.off("error", onEnd);
    stdin.pause();
  };
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.on("error", onEnd);
  stdin.resume();
  return stop;
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

/** Docker's notation as people read keys: ctrl-p,ctrl-q -> "Ctrl-P Ctrl-Q". */
export function keysForHumans(keys: string): string {
  return keys
    .split(",")
    .map((key) => key.trim().replace(/^ctrl-(.)$/, (_, c: string) => `Ctrl-${c.toUpperCase()}`))
    .join(" ");
}

/**
 * Takes the detach keys out of what is typed, wherever reads split them and whatever comes
 * before or after them in a read (a terminal's answer to the program's cursor query can follow
 * them). oneoff finds them itself: older engines match only keys that arrive one per read, and
 * knowing the keys were typed is what tells a detach from a lost connection.
 * A typed prefix of the keys is held back until the next byte shows whether the keys follow.
 */
export class DetachKeys {
  private readonly sequence: Buffer;
  private held = Buffer.alloc(0);
  private seen = false;

  /** `keys` in docker's notation (ctrl-p,ctrl-q). */
  constructor(keys: string) {
    this.sequence = detachKeyBytes(keys);
  }

  /** True once the whole sequence was typed: nothing after it is passed on. */
  get detached(): boolean {
    return this.seen;
  }

  /** The part of `chunk` to pass on to the one-off. */
  filter(chunk: Buffer): Buffer {
    if (this.seen) return Buffer.alloc(0);
    const first = this.sequence[0];
    // Most reads hold no key of the sequence: passed on as they are, with no copy.
    if (first === undefined || (this.held.length === 0 && !chunk.includes(first))) return chunk;
    const out: number[] = [];
    let pending = [...this.held];
    for (const byte of chunk) {
      pending.push(byte);
      // Pass on bytes from the front until what is held could still start the sequence.
      while (pending.length > 0 && !pending.every((byte, i) => byte === this.sequence[i])) {
        out.push(pending.shift() as number);
      }
      if (pending.length === this.sequence.length) {
        this.seen = true;
        pending = [];
        break;
      }
    }
    this.held = Buffer.from(pending);
    return Buffer.from(out);
  }

  /** At the end of input, a held prefix was keys like any others. */
  flush(): Buffer {
    const held = this.held;
    this.held = Buffer.alloc(0);
    return held;
  }
}

/** Ctrl-C as a terminal in raw mode sends it: one byte, ETX. */
const CTRL_C = 0x03;

/**
 * Counts the Ctrl-C's typed into a terminal session. In raw mode they reach the one-off's
 * terminal, not oneoff, and its terminal turns them into SIGINT for the foreground program:
 * a command that is PID 1 (`sleep`, many scripts) ignores SIGINT unless it handles it, so
 * Ctrl-C would never end it. Three within the window call `onThree`, which stops the one-off
 * as docker stop does, and so does every Ctrl-C after them (which kills it); fewer are left to
 * the one-off, as docker leaves them.
 */
export class TypedInterrupts {
  private times: number[] = [];
  private fired = false;

  constructor(
    private readonly onThree: () => void,
    private readonly windowMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  typed(chunk: Buffer): void {
    if (!chunk.includes(CTRL_C)) return;
    if (this.fired) return this.onThree();
    const at = this.now();
    for (const byte of chunk) if (byte === CTRL_C) this.times.push(at);
    this.times = this.times.filter((time) => at - time < this.windowMs);
    if (this.times.length >= 3) {
      this.fired = true;
      this.onThree();
    }
  }
}
