/**
 * The one error type oneoff raises for anything a user can act on. Exit codes follow the
 * `docker run` contract so pipelines can tell "the command failed" from "oneoff failed".
 */
import { escapeControls } from "./escape-controls.js";
import { redactSecretValues } from "./redact.js";

export const ExitCode = {
  /** oneoff, its config or the engine failed; the command did not run (or its fate is unknown). */
  runnerFailed: 125,
  /** The command was found but cannot be invoked (not executable, permission denied). */
  cannotInvoke: 126,
  /** The command was not found in the image. */
  commandNotFound: 127,
  /** The one-off was stopped because it ran past its timeout. */
  timedOut: 124,
  interrupted: 130,
  terminated: 143,
  /** The reader of oneoff's stdout or stderr went away (EPIPE): as a shell reports death by SIGPIPE. */
  readerGone: 141,
} as const;

export interface OneoffErrorOptions {
  /** What to do about it, shown in parentheses after the message. */
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class OneoffError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: OneoffErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OneoffError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.runnerFailed;
  }
}

/**
 * The single line the CLI prints for an error: `oneoff: <what failed>: <why> (<hint>)`. A
 * message often carries a name or an engine's text, so what control characters remain once
 * its line breaks are joined are shown escaped.
 */
export function formatErrorLine(error: unknown): string {
  return escapeControls(redactSecretValues(errorLine(error)));
}

function errorLine(error: unknown): string {
  if (error instanceof OneoffError) {
    const oneLine = error.message.trim().replace(/\s*\n\s*/g, " ");
    return error.hint ? `oneoff: ${oneLine} (${error.hint})` : `oneoff: ${oneLine}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `oneoff: internal error: ${message.trim().replace(/\s*\n\s*/g, " ")} (run again with --debug for details, and report it)`;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof OneoffError ? error.exitCode : ExitCode.runnerFailed;
}
