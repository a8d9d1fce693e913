/**
 * The `--json` contract: every command that takes --json prints exactly one JSON object on
 * stdout, whatever happens. Its `schema` names the kind of document (docs/schemas/KIND.schema.json
 * describes each) and `schemaVersion` the version of that contract; a failure of oneoff itself
 * (bad input, a refusal, an unreachable engine) is an `error` document with the exit code and
 * the one line the CLI prints on stderr. Pure.
 */
import { escapeJsonControls } from "./escape-controls.js";
import { ExitCode, exitCodeOf, OneoffError } from "./errors.js";
import { redactSecretValues } from "./redact.js";

export type DocumentKind = "run" | "ps" | "history" | "tasks" | "check" | "diff" | "ledger" | "error";

/**
 * Each kind's contract version, bumped alone when that kind changes in a way its readers would
 * misread (docs/pipelines.md lists the changes): a ps or history reader is not told to re-check
 * anything when only a run's document changed.
 */
const SCHEMA_VERSIONS: Readonly<Record<DocumentKind, number>> = {
  // 2: the one-off is `id` and `kind` ("container" or "job"); 1 named it `containerId`, which
  // held the Swarm service's ID for a job.
  run: 2,
  ps: 1,
  history: 2,
  tasks: 1,
  check: 1,
  diff: 1,
  ledger: 1,
  error: 1,
};

export function jsonDocument(kind: DocumentKind, body: Record<string, unknown>): string {
  return `${escapeJsonControls(JSON.stringify({ schema: `oneoff/${kind}`, schemaVersion: SCHEMA_VERSIONS[kind], ...body }))}\n`;
}

/** The document for a failure of `command` (one line, as on stderr; the hint apart). */
export function errorDocument(command: string, error: unknown): string {
  return jsonDocument("error", errorBody(command, error));
}

/** What an error document says of a failure of `command`. */
export function errorBody(command: string, error: unknown): Record<string, unknown> {
  const known = error instanceof OneoffError;
  const message = known
    ? error.message.trim().replace(/\s*\n\s*/g, " ")
    : `internal error: ${error instanceof Error ? error.message : String(error)}`;
  return {
    command,
    ending: "error",
    exitCode: known ? exitCodeOf(error) : ExitCode.runnerFailed,
    error: {
      message: redactSecretValues(message),
      ...(known && error.hint ? { hint: redactSecretValues(error.hint) } : {}),
    },
  };
}
