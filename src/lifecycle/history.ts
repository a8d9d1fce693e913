/**
 * `oneoff history`'s view, pure: the engine's run records (every operator's) merged with this
 * machine's audit log by run ID, filtered, newest first.
 */
import type { AuditRecord } from "./audit.js";
import type { RunRecord } from "./run-records.js";

/** One run as history shows it (the `history` document's entry, version 2). */
export interface HistoryEntry {
  runId?: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  by: string;
  app: string;
  environment?: string;
  kind?: string;
  releaseReference: string;
  imageId?: string;
  task?: string;
  command: string[];
  exitCode?: number;
  /** How it ended: the audit log's outcomes, `owner-gone`, `stopped` or `killed` (oneoff stop), or `no end recorded` (running, detached, or killed and not yet settled). */
  outcome: string;
  signal?: string;
  error?: string;
  /** Its session was recorded (oneoff replay): the cast's size before compression, and whether it was cut at record_limit. */
  recording?: { bytes: number; cut: boolean };
  /** Where the run was found: the engine's records, this machine's audit log, or both. */
  source: "engine" | "local" | "both";
}

const NO_END = "no end recorded";

function fromRecord(record: RunRecord): HistoryEntry {
  const end = record.end;
  const took = end ? Date.parse(end.endedAt) - Date.parse(record.startedAt) : NaN;
  return {
    runId: record.runId,
    startedAt: record.startedAt,
    ...(end ? { endedAt: end.endedAt } : {}),
    ...(Number.isFinite(took) ? { durationMs: took } : {}),
    by: record.by,
    app: record.app,
    ...(record.environment ? { environment: record.environment } : {}),
    kind: record.kind,
    releaseReference: record.releaseReference,
    imageId: record.imageId,
    ...(record.task ? { task: record.task } : {}),
    command: record.command,
    ...(end?.exitCode === undefined ? {} : { exitCode: end.exitCode }),
    outcome: end ? end.ending : NO_END,
    ...(end?.signal ? { signal: end.signal } : {}),
    ...(record.recording ? { recording: record.recording } : {}),
    source: "engine",
  };
}

function fromAudit(record: AuditRecord): HistoryEntry {
  const ended = record.outcome === NO_END ? undefined : record;
  return {
    ...(record.runId ? { runId: record.runId } : {}),
    startedAt: record.startedAt,
    ...(ended ? { endedAt: ended.endedAt, durationMs: ended.durationMs } : {}),
    by: record.by,
    app: record.app,
    releaseReference: record.releaseReference,
    ...(ended?.imageId ? { imageId: ended.imageId } : {}),
    ...(record.task ? { task: record.task } : {}),
    command: record.command,
    ...(ended ? { exitCode: ended.exitCode } : {}),
    outcome: record.outcome,
    ...(ended?.signal ? { signal: ended.signal } : {}),
    ...(ended?.error ? { error: ended.error } : {}),
    source: "local",
  };
}

/**
 * Pure: one entry per run, newest first. A run in both keeps the ending that says more: the
 * audit log's end line (it has oneoff's error line) when it has one, else the engine's (which
 * a watchdog, `wait` or the reap may have ended for a oneoff that died or left it detached).
 */
export function mergeHistory(records: readonly RunRecord[], audit: readonly AuditRecord[]): HistoryEntry[] {
  const merged = new Map<string, HistoryEntry>();
  const unnamed: HistoryEntry[] = [];
  for (const record of records) merged.set(record.runId, fromRecord(record));
  for (const line of audit) {
    const local = fromAudit(line);
    const remote = local.runId === undefined ? undefined : merged.get(local.runId);
    if (local.runId === undefined) unnamed.push(local);
    else if (!remote) merged.set(local.runId, local);
    else {
      // A detached run's end line says only that it was left running; the engine's end says how it ended.
      const localSaysMore = local.outcome !== NO_END && !(local.outcome === "detached" && remote.outcome !== NO_END);
      merged.set(local.runId, { ...(localSaysMore ? { ...remote, ...local } : { ...local, ...remote }), source: "both" });
    }
  }
  return [...merged.values(), ...unnamed].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export interface HistoryFilter {
  app?: string;
  /** `user` or `user@host`. */
  user?: string;
  /** Runs started at or after this time. */
  since?: Date;
  task?: string;
  failed?: boolean;
}

/** Endings that are no failure; with exit code 0 a run in one of them succeeded. */
const FINE_ENDINGS = new Set(["exited", "detached", "skipped"]);

/** Pure: whether a run failed: a non-zero exit, or an ending other than exited, detached or skipped (a release already done). */
function failedRun(entry: HistoryEntry): boolean {
  return (entry.exitCode !== undefined && entry.exitCode !== 0) || !FINE_ENDINGS.has(entry.outcome);
}

export function filterHistory(entries: readonly HistoryEntry[], filter: HistoryFilter): HistoryEntry[] {
  return entries.filter(
    (entry) =>
      (filter.app === undefined || entry.app === filter.app) &&
      (filter.user === undefined || entry.by === filter.user || entry.by.split("@")[0] === filter.user) &&
      (filter.since === undefined || Date.parse(entry.startedAt) >= filter.since.getTime()) &&
      (filter.task === undefined || entry.task === filter.task) &&
      (filter.failed !== true || failedRun(entry)),
  );
}
