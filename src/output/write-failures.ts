/**
 * A write to oneoff's stdout or stderr that failed: the reader went away (EPIPE), the disk is
 * full (ENOSPC), the terminal hung up (EIO). It is an outcome, never swallowed: each stream's
 * first failure is kept here for whoever writes to it (a running one-off is stopped, main
 * checks before it exits), and oneoff exits 141 for EPIPE (as a shell reports death by
 * SIGPIPE), 125 otherwise. Watching a stream is also what keeps an 'error' on it from
 * crashing oneoff with a stack trace.
 */
import type { Writable } from "node:stream";
import { ExitCode, OneoffError } from "./errors.js";

export class WriteFailed extends OneoffError {
  /** Said already (by the session that stopped its one-off): main does not say it again. */
  reported = false;

  constructor(
    readonly stream: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(`could not write to ${stream}: ${why(code, cause)}`, {
      exitCode: code === "EPIPE" ? ExitCode.readerGone : ExitCode.runnerFailed,
      cause,
    });
  }

  /** EPIPE: whoever read the output has stopped reading; oneoff ends quietly. */
  get readerGone(): boolean {
    return this.code === "EPIPE";
  }
}

/** "ENOSPC: no space left on device, write" -> "no space left on device (ENOSPC)". */
function why(code: string, cause: unknown): string {
  if (code === "EPIPE") return "its reader went away (EPIPE)";
  const message = cause instanceof Error ? cause.message : String(cause);
  const text = /^E[A-Z]+: (.*?)(, write)?$/.exec(message)?.[1];
  return text ? `${text} (${code})` : message;
}

interface Watch {
  failure: WriteFailed | undefined;
  readonly listeners: Set<(failure: WriteFailed) => void>;
}

const watches = new WeakMap<Writable, Watch>();

/** Starts watching `stream` (named as the user knows it: stdout, stderr), once; later calls keep the first name. */
export function watchWrites(stream: Writable, name: string): void {
  if (watches.has(stream)) return;
  const watch: Watch = { failure: undefined, listeners: new Set() };
  watches.set(stream, watch);
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (watch.failure) return;
    watch.failure = new WriteFailed(name, error.code ?? "", error);
    for (const listener of watch.listeners) listener(watch.failure);
  });
}

/** Calls `listener` with the stream's first write failure (soon, if it has failed already); returns the unsubscribe. */
export function onWriteFailure(stream: Writable, name: string, listener: (failure: WriteFailed) => void): () => void {
  watchWrites(stream, name);
  const watch = watches.get(stream) as Watch;
  if (watch.failure) {
    const failure = watch.failure;
    queueMicrotask(() => listener(failure));
    return () => {};
  }
  watch.listeners.add(listener);
  return () => watch.listeners.delete(listener);
}

/**
 * The stream's write failure, once what was written to it has gone out (or failed): an error
 * of an asynchronous write arrives after write() returned.
 */
export async function writesSettled(stream: Writable): Promise<WriteFailed | undefined> {
  const failure = () => watches.get(stream)?.failure;
  // Polled: 'drain' comes only after a write() that returned false, and a stream with a high
  // water mark above what it holds never says when it has written it out.
  while (!failure() && !stream.destroyed && stream.writableLength > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  // A failed write's 'error' is emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  return failure();
}
