/**
 * The audit log: one JSON line per one-off, appended when it ends, whatever the ending. It
 * holds who ran what, on which release, when and how it ended; never env values or secrets
 * (argv is kept, with URL passwords masked).
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type AuditOutcome = "skipped" | "exited" | "timeout" | "interrupted" | "output-lost" | "detached" | "lock-refused" | "not-found" | "cannot-invoke" | "failed";

export interface AuditEntry {
  startedAt: string;
  endedAt: string;
  durationMs: number;
  by: string;
  app: string;
  releaseReference: string;
  /** Absent when oneoff failed before resolving the release. */
  imageId?: string;
  task?: string;
  command: string[];
  containerId?: string;
  exitCode: number;
  outcome: AuditOutcome;
  signal?: string;
  lock?: string;
  /** Files copied in and out (paths only), as `LOCAL -> CONTAINER` / `CONTAINER -> LOCAL`. */
  copyIn?: string[];
  copyOut?: string[];
  /** Names of the secrets the one-off got (never their values). */
  secrets?: string[];
  /** oneoff's own error line, when it failed. */
  error?: string;
}

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

export function appendAudit(file: string, entry: AuditEntry): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // One write of one line: appends of a line this small are not interleaved between processes.
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

export function readAudit(file: string): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditEntry];
      } catch {
        return []; // a torn last line after a crash: skip it
      }
    });
}
