/**
 * The team's history: a record of every one-off, kept on the engine it ran on, so every
 * operator and CI runner that reaches that engine sees who ran what there.
 *
 * Stored as the release ledger is (ledger.ts): labelled volumes that nothing mounts. No image,
 * no container, labels fixed at create (append-only), they survive the removal of every
 * container, and the engine lists them by label (one app's records without reading another's).
 * A run writes a start volume before its one-off starts and, once it has ended, one complete
 * end volume (the start's labels and the end's), then removes the start: one volume per run.
 * The first end written wins: creating a volume whose name exists changes nothing.
 *
 * This module is pure: records to labels and back, the command as it may be stored, and which
 * records a keep policy prunes.
 */
import { RECORD_LABEL, RECORD_LABEL_PREFIX } from "../requests/labels.js";
import { auditableCommand } from "../output/redact.js";
import type { HistoryKeep, RunKind } from "../types/plan.js";

const PREFIX = RECORD_LABEL_PREFIX;

/** The ending a watchdog or reap records for a run whose oneoff died before writing one. */
export const OWNER_GONE = "owner-gone";

export const DEFAULT_HISTORY_KEEP: HistoryKeep = { count: 1000 };

export interface RunRecord {
  runId: string;
  app: string;
  environment?: string;
  task?: string;
  /** The command as stored: argv redacted, secret values masked, cut at MAX_COMMAND_CHARS. */
  command: string[];
  kind: RunKind;
  releaseReference: string;
  imageId: string;
  by: string;
  version: string;
  startedAt: string;
  /** The keep policy of the run's app when it ran: what a background prune goes by. */
  keep: HistoryKeep;
  /**
   * Started with --detach: no oneoff waits for its end, so the reap and `oneoff wait` record it.
   * An attached run's end is its oneoff's (or, if that died, its watchdog's) to write.
   */
  detached?: boolean;
  /** The session was recorded (oneoff replay): its cast's size before compression, and whether it was cut at record_limit. */
  recording?: { bytes: number; cut: boolean };
  /** `ending`: the audit log's outcomes, and owner-gone. */
  end?: { endedAt: string; ending: string; exitCode?: number; signal?: string };
}

/** The stored command's length, in characters of its JSON: labels are metadata, not a log. */
const MAX_COMMAND_CHARS = 4096;
/** What a cut command ends with, so a reader sees it was cut. */
const CUT_MARK = "...(cut)";

/**
 * Pure: argv as a record may hold it, exactly as the audit log writes it: URL passwords and
 * secret-named values masked, and every known secret value (the run's `secrets:`, read before
 * this) wherever it appears in a word, which auditableCommand masks through redactEnvValue.
 */
export function recordedCommand(command: readonly string[]): string[] {
  return auditableCommand(command);
}

/** The start volume's and the end volume's names: one of each per run at most. */
export const startVolumeName = (runId: string) => `oneoff-record-${runId}-start`;
export const endVolumeName = (runId: string) => `oneoff-record-${runId}`;

/** Pure: the record as volume labels. `extra`: the run's own labels (--label, ONEOFF_LABELS), kept with it. */
export function recordLabels(record: RunRecord, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const json = JSON.stringify(record.command);
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [`${PREFIX}${key}`]: value });
  return {
    ...extra,
    [RECORD_LABEL]: record.end ? "end" : "start",
    [`${PREFIX}run`]: record.runId,
    [`${PREFIX}app`]: record.app,
    ...optional("environment", record.environment),
    ...optional("task", record.task),
    [`${PREFIX}command`]: json.length > MAX_COMMAND_CHARS ? `${json.slice(0, MAX_COMMAND_CHARS)}${CUT_MARK}` : json,
    [`${PREFIX}kind`]: record.kind,
    [`${PREFIX}release`]: record.releaseReference,
    [`${PREFIX}image-id`]: record.imageId,
    [`${PREFIX}by`]: record.by,
    [`${PREFIX}version`]: record.version,
    [`${PREFIX}started-at`]: record.startedAt,
    [`${PREFIX}keep-count`]: String(record.keep.count),
    ...optional("detached", record.detached ? "true" : undefined),
    ...optional("keep-age-ms", record.keep.ageMs === undefined ? undefined : String(record.keep.ageMs)),
    ...optional("recording-bytes", record.recording ? String(record.recording.bytes) : undefined),
    ...optional("recording-cut", record.recording?.cut ? "true" : undefined),
    ...optional("ended-at", record.end?.endedAt),
    ...optional("ending", record.end?.ending),
    ...optional("exit-code", record.end?.exitCode === undefined ? undefined : String(record.end.exitCode)),
    ...optional("signal", record.end?.signal),
  };
}

/** Pure: a record read back from a volume's labels; undefined when they are not a record (labels are untrusted). */
export function recordFromLabels(labels: Readonly<Record<string, string>>): RunRecord | undefined {
  const get = (key: string): string | undefined => (Object.hasOwn(labels, `${PREFIX}${key}`) ? labels[`${PREFIX}${key}`] : undefined);
  const stage = labels[RECORD_LABEL];
  const runId = get("run");
  const app = get("app");
  const startedAt = get("started-at");
  if ((stage !== "start" && stage !== "end") || !runId || !app || !startedAt) return undefined;
  const number = (text: string | undefined) => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined);
  const environment = get("environment");
  const task = get("task");
  const ageMs = number(get("keep-age-ms"));
  const exitCode = number(get("exit-code"));
  const signal = get("signal");
  const recordingBytes = number(get("recording-bytes"));
  return {
    runId,
    app,
    ...(environment === undefined ? {} : { environment }),
    ...(task === undefined ? {} : { task }),
    command: commandOfLabel(get("command") ?? "[]"),
    kind: get("kind") === "job" ? "job" : "container",
    releaseReference: get("release") ?? "",
    imageId: get("image-id") ?? "",
    by: get("by") ?? "",
    version: get("version") ?? "",
    startedAt,
    keep: { count: number(get("keep-count")) ?? DEFAULT_HISTORY_KEEP.count, ...(ageMs === undefined ? {} : { ageMs }) },
    ...(get("detached") === "true" ? { detached: true } : {}),
    ...(recordingBytes === undefined ? {} : { recording: { bytes: recordingBytes, cut: get("recording-cut") === "true" } }),
    ...(stage === "end"
      ? {
          end: {
            endedAt: get("ended-at") ?? "",
            ending: get("ending") ?? "",
            ...(exitCode === undefined ? {} : { exitCode }),
            ...(signal === undefined ? {} : { signal }),
          },
        }
      : {}),
  };
}

/** A command label read back; one cut short stays one word, ending in the cut mark. */
function commandOfLabel(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((word) => typeof word === "string")) return parsed as string[];
  } catch {
    // cut, or not ours
  }
  return [text];
}

/** A record with the volume it was read from. */
export interface StoredRecord {
  volume: string;
  record: RunRecord;
}

/**
 * Pure: one record per run, an end winning over a start (both exist for a moment while the end
 * is written); `leftovers`: start volumes whose run has an end, to remove.
 */
export function latestPerRun(stored: readonly StoredRecord[]): { records: StoredRecord[]; leftovers: string[] } {
  const byRun = new Map<string, StoredRecord>();
  const leftovers: string[] = [];
  for (const entry of stored) {
    const seen = byRun.get(entry.record.runId);
    if (!seen) byRun.set(entry.record.runId, entry);
    else if (!seen.record.end && entry.record.end) {
      leftovers.push(seen.volume);
      byRun.set(entry.record.runId, entry);
    } else if (seen.record.end && !entry.record.end) leftovers.push(entry.volume);
  }
  return { records: [...byRun.values()], leftovers };
}

/**
 * Pure: the volumes a prune removes: per app, the records past the newest `count`, and those
 * started longer than `ageMs` ago. Each app goes by the policy its newest record carries (the
 * one in force when it last ran).
 */
export function prunedVolumes(records: readonly StoredRecord[], now: Date): string[] {
  const byApp = new Map<string, StoredRecord[]>();
  for (const entry of records) {
    const entries = byApp.get(entry.record.app);
    if (entries) entries.push(entry);
    else byApp.set(entry.record.app, [entry]);
  }
  const pruned: string[] = [];
  for (const entries of byApp.values()) {
    const newestFirst = [...entries].sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
    const keep = (newestFirst[0] as StoredRecord).record.keep;
    newestFirst.forEach((entry, index) => {
      const age = now.getTime() - Date.parse(entry.record.startedAt);
      if (index >= keep.count || (keep.ageMs !== undefined && age > keep.ageMs)) pruned.push(entry.volume);
    });
  }
  return pruned;
}
