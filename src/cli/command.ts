import type { DocumentKind } from "../output/json-document.js";
import { fstatSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { isatty } from "node:tty";
import type { EngineFlags } from "../config/environments.js";

/** What every CLI command file gets from main: where to write, and how to hand over its job. */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  /**
   * Prints a command's --json document on stdout (output/json-document.ts): the one object the
   * command prints. main prints an error document instead when the command fails before this.
   */
  document(kind: DocumentKind, body: Record<string, unknown>): void;
}

export interface CliContext {
  io: CliIO;
  /** The words after `--`: the one-off's command, untouched. */
  afterDashDash: string[] | undefined;
  /** Called by a command's action with the work to do; main runs it and exits with its code. */
  act(job: () => Promise<number>): void;
  /** The global --host, --context and --env-name, once argv is parsed: which engine. */
  engineFlags(): EngineFlags;
  /** --debug: say which files were read, and show stack traces. */
  debug?: boolean;
}

let stdinTolerated = false;

/**
 * process.stdin, with an 'error' listener: a hung-up terminal (EIO) must not crash oneoff with
 * an unhandled 'error' before it has cleaned up (main watches stdout and stderr). Node makes
 * it on first use, and for a file or /dev/null (a CI job's stdin) it loads fs/promises and
 * readline to do so (docs/development.md). So `run` asks for it only when its one-off reads stdin, `attach`
 * when it attaches, and `logs` never.
 */
export function processStdin(): Readable {
  if (!stdinTolerated) process.stdin.on("error", () => {});
  stdinTolerated = true;
  return process.stdin;
}

/**
 * Whether stdin holds input someone meant for the command: a pipe, a file, or a socket (what
 * a parent process's "pipe" is). A terminal is a session's business, and /dev/null (a CI
 * job's, cron's) holds nothing.
 */
export function stdinIsPipedInput(): boolean {
  if (isatty(0)) return false;
  try {
    const stats = fstatSync(0);
    return stats.isFIFO() || stats.isFile() || stats.isSocket();
  } catch {
    return false; // no stdin at all
  }
}
