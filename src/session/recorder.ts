/**
 * Records a one-off's session while it runs, from the chunks the session already writes to
 * the caller's stdout and stderr (and, with `record: input`, reads from its stdin): no second
 * stream from the engine. Each chunk is decoded, masked and turned into one cast event at once
 * (asciicast.ts), and the event lines go into a gzip stream kept in memory, whose compression
 * runs off the main thread; the cast is capped (record_limit) before it is compressed.
 */
import { Writable, type Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { CastWriter, type CastHeader, type CastStream } from "./asciicast.js";
import { inheritWritesThrough } from "./output.js";

type TerminalOutput = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/**
 * gzip level 1: measured on ~100 MiB of varied terminal lines (medians of 3, a busy 2-core
 * machine), level 1 took 1.7 s of the thread pool and level 6 2.7 s, for a file only 9% smaller;
 * on repetitive output (yes) both took 0.6 s.
 */
const GZIP_LEVEL = 1;

export interface SessionRecording {
  /** The streams the session writes to (and reads from) in place of the caller's. */
  io: { stdin: Readable; stdout: Writable; stderr: Writable };
  /** Stops recording; the compressed cast, its uncompressed size, and whether it was cut at the cap. */
  finish(): Promise<{ cast: Buffer; bytes: number; cut: boolean }>;
}

export function recordSession(
  io: { stdin: Readable; stdout: TerminalOutput; stderr: TerminalOutput },
  how: { tty: boolean; input: boolean; limitBytes: number; secrets: readonly string[]; title: string; env: CastHeader["env"] },
): SessionRecording {
  const began = performance.now();
  // Output in pieces as large as the batches going in: fewer callbacks back from the thread pool.
  const gzip = createGzip({ level: GZIP_LEVEL, chunkSize: BATCH_CHARS });
  const compressed: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
  const batch = new LineBatch((text) => gzip.write(text));
  const terminal = how.tty ? [io.stdout, io.stderr].find((output) => output.isTTY && output.columns && output.rows) : undefined;
  const writer = new CastWriter(
    {
      width: terminal?.columns ?? 80,
      height: terminal?.rows ?? 24,
      timestamp: Math.floor(Date.now() / 1000),
      env: how.env,
      title: how.title,
    },
    { secrets: how.secrets, limitBytes: how.limitBytes, elapsedMs: () => performance.now() - began, sink: (line) => batch.add(line) },
  );
  const undo: Array<() => void> = [];
  if (terminal) {
    const onResize = () => writer.resize(terminal.columns ?? 80, terminal.rows ?? 24);
    terminal.on("resize", onResize);
    undo.push(() => terminal.off("resize", onResize));
  }
  if (how.input) undo.push(recordInput(io.stdin, (chunk) => writer.write("i", chunk)));
  const stdout = new RecordedOutput(io.stdout, (chunk) => writer.write("o", chunk));
  // With a terminal, whatever reaches stderr is on the same screen.
  const stderr = new RecordedOutput(io.stderr, (chunk) => writer.write(how.tty ? "o" : ("e" satisfies CastStream), chunk));
  return {
    io: {
      get stdin() {
        return io.stdin;
      },
      stdout,
      stderr,
    },
    async finish() {
      for (const step of undo) step();
      stdout.release();
      stderr.release();
      const ended = writer.end();
      batch.flush();
      await new Promise((resolve, reject) => gzip.once("end", resolve).once("error", reject).end());
      return { cast: Buffer.concat(compressed), ...ended };
    },
  };
}

/**
 * Joins the cast's lines into writes of about BATCH_CHARS for the gzip stream: each write to it
 * is a trip to the thread pool, and a terminal's chunks are small. Measured on a 100 MiB terminal
 * session (Node 24, 2 cores): a write per line cost the main thread 2.3 s in zlib's dispatch and
 * the session ran 1.19x its unrecorded time.
 */
const BATCH_CHARS = 256 * 1024;

class LineBatch {
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly write: (text: string) => void) {}

  add(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.lines.length) this.write(this.lines.join(""));
    this.lines = [];
    this.chars = 0;
  }
}

/**
 * Listens to what the session reads from stdin, once it reads: a 'data' listener added before
 * the session resumes the stream would start it flowing early and take bytes the one-off never gets.
 */
function recordInput(stdin: Readable, onChunk: (chunk: Buffer) => void): () => void {
  const listen = () => stdin.on("data", onChunk);
  if (stdin.readableFlowing) listen();
  else stdin.once("resume", listen);
  return () => {
    stdin.off("resume", listen);
    stdin.off("data", onChunk);
  };
}

/**
 * The caller's stream as the session sees it: every chunk goes to the recorder, then on to the
 * caller's stream with its backpressure. It answers as a terminal when the caller's is one
 * (size, resizes: what followWindowSize reads), fails as it fails, and writes through when it does.
 */
class RecordedOutput extends Writable {
  private readonly forwardResize = () => this.emit("resize");
  private readonly forwardError = (error: Error) => this.destroy(error);

  constructor(
    private readonly target: TerminalOutput,
    private readonly onChunk: (chunk: Buffer) => void,
  ) {
    super();
    target.on("resize", this.forwardResize);
    target.on("error", this.forwardError);
    inheritWritesThrough(this, target);
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }
  get columns(): number | undefined {
    return this.target.columns;
  }
  get rows(): number | undefined {
    return this.target.rows;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.onChunk(chunk);
    if (this.target.destroyed || this.target.write(chunk)) done();
    else this.target.once("drain", () => done());
  }

  /** Stops following the caller's stream: the session is over. */
  release(): void {
    this.target.off("resize", this.forwardResize);
    this.target.off("error", this.forwardError);
  }
}
