/**
 * Where a run does its IO, and what it may use: the CLI passes its process's streams, signals
 * and environment; a library caller passes its own. Types only, at the bottom of the house.
 */
import type { Readable, Writable } from "node:stream";
// The one arrow up from types/: a test may pass its own engine (the interface, a type only).
import type { ContainerEngine } from "../engine/types.js";

/** One one-off's streams. */
export interface SessionIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Where interrupts come from. */
export type InterruptSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Delivers interrupts (signals for the CLI, an AbortSignal for the library) to a running session. */
export interface InterruptSource {
  /** Calls `handler` for each interrupt until the returned function is called. */
  subscribe(handler: (signal: InterruptSignal) => void): () => void;
}

export interface RunContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Read only by a one-off that takes stdin (interactive): a getter here is not called otherwise. */
  stdin: Readable;
  /** Whether stdin is a terminal, for a caller whose `stdin` is such a getter (default: stdin.isTTY). */
  stdinIsTTY?: boolean;
  /** The command's stdout (its stderr too with `json`). */
  stdout: Writable;
  /** The command's stderr; oneoff's own warnings too when no `messages` is given. */
  stderr: Writable;
  /**
   * Where oneoff's own lines go: progress, the banner, "SIGTERM forwarded", warnings. The CLI
   * passes its stderr. Without it (a library call) oneoff says nothing but warnings, which go
   * to `stderr`: a caller asks for the rest by passing a stream.
   */
  messages?: Writable;
  /** Where interrupts come from: the CLI passes its process signals (default: `signal`, or none). */
  interrupts?: InterruptSource;
  /** For library callers: aborting stops the one-off as SIGTERM would. */
  signal?: AbortSignal;
  // oneoff's own tests' seams, marked @internal: the package's types leave them out (tsconfig's
  // stripInternal), and docs/library.md promises none of them. A caller's client would be
  // ContainerEngine, an interface that changes with every backend; the tests pass a slowed one.
  /** @internal A client to use instead of one for the engine the options, the environment and DOCKER_* choose. */
  client?: ContainerEngine;
  /**
   * @internal Start the watchdog that removes the one-off if this process dies first (default
   * true; with a test's own `client` it talks to the engine DOCKER_HOST names, so such tests
   * may want it off).
   */
  watchdog?: boolean;
  /** @internal Append to the audit log (default true). */
  audit?: boolean;
}
