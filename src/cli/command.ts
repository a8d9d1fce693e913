import type { DocumentKind } from "../output/json-document.js";
import { fstatSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { isatty } from "node:tty";
import type { EngineFlags } from "../config/environments.js";

/**
 * The process a command runs in, as main is given it: where to write and read, whether those
 * are terminals, the working directory and the environment. The CLI's entry gives oneoff's own
 * (thisProcess); a test or an embedding caller gives its own, and no command reads `process`.
 */
export interface CliProcess {
  stdout: Writable;
  stderr: Writable;
  /** Read only by a command that passes stdin on: a getter here is not called otherwise (processStdin says why). */
  readonly stdin: Readable;
  /**
   * What stdin is: a terminal; input someone meant for the command (a pipe, a file, a socket:
   * what a parent process's "pipe" is); or nothing (/dev/null, as a CI job's or cron's, or none).
   */
  stdinIs: "terminal" | "input" | "nothing";
  stdoutIsTTY: boolean;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** What every CLI command file gets from main: its process, and where its --json document goes. */
export interface CliIO extends CliProcess {
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

/** oneoff's own process, as the CLI's entry (bin/oneoff.js) runs main in it. */
export function thisProcess(): CliProcess {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return processStdin();
    },
    stdinIs: stdinKind(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

let stdinTolerated = false;

/**
 * process.stdin, with an 'error' listener: a hung-up terminal (EIO) must not crash oneoff with
 * an unhandled 'error' before it has cleaned up (main watches stdout and stderr). Node makes
 * it on first use, and for a file or /dev/null (a CI job's stdin) it loads fs/promises and
 * readline to do so (docs/development.md). So `run` asks for it only when its one-off reads stdin, `attach`
 * when it attaches, and `logs` never.
 */
function processStdin(): Readable {
  if (!stdinTolerated) process.stdin.on("error", () => {});
  stdinTolerated = true;
  return process.stdin;
}

/** What file descriptor 0 is, without making process.stdin: a terminal, input, or nothing. */
function stdinKind(): CliProcess["stdinIs"] {
  if (isatty(0)) return "terminal";
  try {
    const stats = fstatSync(0);
    return stats.isFIFO() || stats.isFile() || stats.isSocket() ? "input" : "nothing";
  } catch {
    return "nothing"; // no stdin at all
  }
}
