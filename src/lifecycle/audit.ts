/**
 * The audit log: two JSON lines per one-off, appended when it starts and when it ends,
 * whatever the ending; a oneoff killed with SIGKILL still leaves its start line. They hold who
 * ran what, on which release, when and how it ended; never env values or secrets (argv is
 * kept, with URL passwords masked). Lines of one run share its run ID (io.oneoff.run).
 */
import { appendFileSync, closeSync, mkdirSync, readFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensurePrivateFolder, openOwnFileForAppend, xdgBase } from "../formats/private-paths.js";

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
  /** The one-off's ID (RunResult.id): a container's, or a job's service's; named before jobs were. */
  containerId?: string;
  exitCode: number;
  outcome: AuditOutcome;
  signal?: string;
  /** oneoff's own error line, when it failed; which output could not be written, for output-failed. */
  error?: string;
}

/** A run as history shows it: its end line, or its start line alone when it never wrote one (killed, or still running). */
export type AuditRecord = AuditEntry | (AuditRun & { outcome: "no end recorded" });

type Env = Readonly<Record<string, string | undefined>>;

/**
 * oneoff's own state folder, per user: $XDG_STATE_HOME/oneoff (default ~/.local/state/oneoff;
 * a relative XDG_STATE_HOME is ignored, as the XDG spec says).
 */
export function stateDir(env: Env): string {
  const stateHome = xdgBase(env.XDG_STATE_HOME) ?? path.join(env.HOME || os.homedir(), ".local", "state");
  return path.join(stateHome, "oneoff");
}

/**
 * The state folder, made if missing, when no other user can change what is in it (every
 * folder from / down is this user's or root's and writable by no one else); else an Error
 * saying why. With `sudo -E`, HOME is the invoking user's: root must not write there.
 */
export function privateStateDir(env: Env): string {
  const dir = stateDir(env);
  const uid = process.geteuid?.();
  const why = uid === undefined ? undefined : ensurePrivateFolder(dir, uid);
  if (why) throw new Error(`not using the state folder ${dir}: ${why}`);
  return dir;
}

/** ONEOFF_AUDIT_LOG, else audit.jsonl in the state folder. */
export function auditLogPath(env: Env): string {
  if (env.ONEOFF_AUDIT_LOG) return path.resolve(env.ONEOFF_AUDIT_LOG);
  return path.join(stateDir(env), "audit.jsonl");
}

/**
 * Appends one line. ONEOFF_AUDIT_LOG is the user's own choice and may be a link; the default
 * file is written only in a private state folder and never through a link at its name (a
 * planted `audit.jsonl -> /etc/...` would make root append to that file).
 */
export function appendAudit(env: Env, line: AuditEntry | AuditStart): void {
  // One write of one line: appends of a line this small are not interleaved between processes.
  // JSON leaves out the fields a caller passed as undefined (task, lock, imageId, signal...).
  const text = `${JSON.stringify(line)}\n`;
  const uid = process.geteuid?.();
  if (env.ONEOFF_AUDIT_LOG || uid === undefined) {
    const file = auditLogPath(env);
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, text, { mode: 0o600 });
    return;
  }
  const file = path.join(privateStateDir(env), "audit.jsonl");
  let fd: number;
  try {
    fd = openOwnFileForAppend(file, uid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new Error(`${file} is a link; not followed`);
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
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
