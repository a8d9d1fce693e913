/**
 * oneoff as a library: `import { run } from "oneoff"` does what `oneoff run` does; `release`,
 * `check`, `list`, `logs`, `stop` and `cleanup` what their commands do. Options take values
 * (`env: { K: "V" }`, `memory: 512 * 2 ** 20`, `timeout: 600_000` or "10m"), or the CLI's
 * strings. IO, working directory and environment are this process's unless `context` says
 * otherwise; oneoff's own lines go to `context.messages` when given (else only its warnings, to
 * stderr). Errors that leave here name these options, not the CLI's flags.
 */
import type { Writable } from "node:stream";
import { isatty } from "node:tty";
import { asLibraryError, optionsNotFlags } from "./pipeline/library-errors.js";
import { toRunOptions, type LibraryRunOptions } from "./pipeline/library-options.js";
import type { CleanupResult } from "./pipeline/oneoffs.js";
import * as operations from "./pipeline/operations.js";
import { run as runPipeline } from "./pipeline/run.js";
import { markWritesThrough } from "./session/output.js";
import type { Check } from "./lifecycle/checks.js";
import type { OneOffView } from "./types/oneoff-view.js";
import type { ReapResult } from "./lifecycle/reaper.js";
import type { ContainerEngine } from "./engine/types.js";
import type { RunContext } from "./types/context.js";
import type { RunResult } from "./types/result.js";

// What docs/library.md promises, and no more (test/packaging checks the built package's list).
export type { RunContext, RunResult, LibraryRunOptions, Check, OneOffView, ReapResult, CleanupResult };
export type { Duration } from "./pipeline/library-options.js";
export type { EngineOptions } from "./pipeline/operations.js";
export type { InterruptSource } from "./types/context.js";
export { OneoffError } from "./output/errors.js";
export { abortInterrupts, processInterrupts } from "./session/interrupts.js";

/** list's options, as `oneoff ps`'s flags. */
export interface ListOptions extends operations.EngineOptions {
  /** Ended one-offs too (ps -a). */
  all?: boolean;
  /** Only this app's one-offs (default: every app's). */
  app?: string;
}

/** logs' options, as `oneoff logs`'s flags, and where the output goes. */
export interface LogsOptions extends operations.EngineOptions {
  /** Keep following the output until the one-off ends (logs -f). */
  follow?: boolean;
  /** Start each line with the engine's timestamp (logs -t). */
  timestamps?: boolean;
  /** The one-off's stdout (default this process's). */
  stdout?: Writable;
  /** The one-off's stderr, and warnings (default this process's). */
  stderr?: Writable;
}

/** stop's options, as `oneoff stop`'s flags. */
export interface StopOptions extends operations.EngineOptions {
  /** Seconds between SIGTERM and SIGKILL (stop -t); by default the one-off's own stop timeout (--stop-timeout), else 10. */
  seconds?: number;
}

/** cleanup's options, as `oneoff cleanup`'s flags. */
export interface CleanupOptions extends operations.EngineOptions {
  /** Only say what would be removed (cleanup --dry-run). */
  dryRun?: boolean;
  /** Only what passes these label filters, as cleanup --filter: `label=KEY[=VALUE]`, `label!=KEY[=VALUE]`; all must hold. */
  filters?: string[];
}

/** Of the context, what the calls but `run` use. */
interface Where {
  cwd?: string;
  env?: RunContext["env"];
  /** @internal A test's client (see RunContext's). */
  client?: ContainerEngine;
}
const here = (context: Where) => ({ cwd: process.cwd(), env: process.env, ...context });

/** `work`, with a failure renamed for the library (errors name options, not flags). */
async function asLibraryCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asLibraryError(error);
  }
}

/**
 * Runs a one-off as `oneoff run` does. Pass `stdout`/`stderr` streams to capture or silence
 * it, `messages` to hear what oneoff says, `cwd` and `env` to plan as from elsewhere, `signal`
 * to stop it.
 */
export function run(options: LibraryRunOptions, context: Partial<RunContext> = {}): Promise<RunResult> {
  // The process's own streams, where the caller gives none: output may go through one reused buffer.
  markWritesThrough(process.stdout, process.stderr);
  const defaults: RunContext = {
    cwd: process.cwd(),
    env: process.env,
    // Made only if the one-off reads it, as for the CLI: Node loads modules to make it.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
  if (!("stdin" in context)) defaults.stdinIsTTY = isatty(0);
  // The caller's properties as they are: spreading would call a getter among them.
  const given = Object.defineProperties(defaults, Object.getOwnPropertyDescriptors(context));
  return asLibraryCall(() => runPipeline(toRunOptions(options), given));
}

/** The release phase, as `oneoff release`: the release task, once per release image, holding the lock "release". */
export function release(options: LibraryRunOptions = {}, context: Partial<RunContext> = {}): Promise<RunResult> {
  return run({ ...options, releaseTask: true }, context);
}

/** The pre-flight checks, as `oneoff check`: resolves with each check; none starts anything. */
export async function check(options: LibraryRunOptions = {}, context: Where = {}): Promise<Check[]> {
  const checks = await asLibraryCall(() => operations.check(options, here(context)));
  // A failed "config" check carries the error that stopped planning, worded as any other.
  return checks.map((item) =>
    item.ok ? item : { ...item, detail: optionsNotFlags(item.detail), ...(item.hint ? { hint: optionsNotFlags(item.hint) } : {}) },
  );
}

/** One-offs on the engine, as `oneoff ps` (`all`: ended ones too; `app`: one app's, else all). */
export function list(options: ListOptions = {}, context: Where = {}): Promise<OneOffView[]> {
  return asLibraryCall(() => operations.list(options, here(context)));
}

/** A one-off's output, as `oneoff logs`, into `stdout` and `stderr` (default this process's). */
export function logs(reference: string, options: LogsOptions = {}, context: Where = {}): Promise<void> {
  return asLibraryCall(() => operations.logs(reference, { stdout: process.stdout, stderr: process.stderr, ...options }, here(context)));
}

/** Stops one-offs, as `oneoff stop`: SIGTERM, then SIGKILL after `seconds` (default: each one's own stop timeout, else 10). */
export function stop(references: string[], options: StopOptions = {}, context: Where = {}): Promise<string[]> {
  return asLibraryCall(() => operations.stop(references, options, here(context)));
}

/** Removes orphaned and expired one-offs, as `oneoff cleanup` (`dryRun`: only says which). */
export function cleanup(options: CleanupOptions = {}, context: Where = {}): Promise<CleanupResult> {
  return asLibraryCall(() => operations.cleanup(options, here(context)));
}
