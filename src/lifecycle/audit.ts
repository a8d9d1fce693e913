/**
 * The audit log: two JSON lines per one-off, appended when it starts and when it ends,
 * whatever the ending; a oneoff killed with SIGKILL still leaves its start line. They hold who
 * ran what, on which release, when and how it ended; never env values or secrets (argv is
 * kept, with URL passwords masked). Lines of one run share its run ID (io.oneoff.run).
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type AuditOutcome =
  | "skipped"
  | "exited"
  | "timeout"
  | "interrupted"
  | "output-lost"
  | "output-failed"
  | "detached"
  | "lock-refused"
  | "not-found"
  | "cannot-invoke"
  | "failed";

/** What a run's start line and end line both say. */
interface AuditRun {
  /** Shared by the run's two lines; absent on lines written before oneoff wrote start lines. */
  runId?: string;
  startedAt: string;
  by: string;
  app: string;
  releaseReference: string;
  task?: string;
  command: string[];
  lock?: string;
  /** Files copied in and out (paths only), as `LOCAL -> CONTAINER` / `CONTAINER -> LOCAL`. */
  copyIn?: string[];
  copyOut?: string[];
  /** Names of the secrets the one-off got (never their values). */
  secrets?: string[];
}

/** The line written as a run starts, before it contacts an engine. */
export interface AuditStart extends AuditRun {
  event: "start";
}

export interface AuditEntry extends AuditRun {
  endedAt: string;
  durationMs: number;
  /** Absent when oneoff failed before resolving the release. */
  imageId?: string;
  containerId?: string;
  exitCode: number;
  outcome: AuditOutcome;
  signal?: string;
  /** oneoff's own error line, when it failed; which output could not be written, for output-failed. */
  error?: string;
}

/** A run as history shows it: its end line, or its start line alone when it never wrote one (killed, or still running). */
export type AuditRecord = AuditEntry | (AuditRun & { outcome: "no end recorded" });

/** oneoff's own state folder, per user: $XDG_STATE_HOME/oneoff (default ~/.local/state/oneoff). */
export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  const stateHome = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), ".local", "state");
  return path.join(stateHome, "oneoff");
}

/** ONEOFF_AUDIT_LOG, else audit.jsonl in the state folder. */
export function auditLogPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.ONEOFF_AUDIT_LOG) return path.resolve(env.ONEOFF_AUDIT_LOG);
  return path.join(stateDir(env), "audit.jsonl");
}

export function appendAudit(file: string, line: AuditEntry | AuditStart): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // One write of one line: appends of a line this small are not interleaved between processes.
  appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
}

/** The runs in the log, oldest first: each run's end line where it has one, else its start line. */
export function readAudit(file: string): AuditRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: AuditRecord[] = [];
  const started = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let parsed: AuditEntry | AuditStart;
    try {
      parsed = JSON.parse(line) as AuditEntry | AuditStart;
    } catch {
      continue; // a torn last line after a crash: skip it
    }
    if ("event" in parsed) {
      const { event: _event, ...run } = parsed;
      if (run.runId) started.set(run.runId, records.length);
      records.push({ ...run, outcome: "no end recorded" });
      continue;
    }
    const at = parsed.runId === undefined ? undefined : started.get(parsed.runId);
    if (at === undefined) records.push(parsed);
    else records[at] = parsed;
  }
  return records;
}
