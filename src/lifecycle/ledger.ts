/**
 * The release ledger: which release tasks ran for which release image ID, kept on the engine
 * so every machine that shares it sees the same ledger.
 *
 * Each record is a labelled volume that nothing mounts. Why a volume: it needs no image (a
 * record container would pin the release image and block its removal), runs nothing, carries
 * labels that cannot change after create (an append-only record), survives the removal of
 * every container, and the engine lists volumes by label. The cost: `docker volume prune`
 * on engines before 23.0 removes unused named volumes too, ledger included.
 */
import { LEDGER_LABEL, LEDGER_LABEL_PREFIX } from "../requests/labels.js";
import type { ContainerEngine } from "../engine/types.js";

const PREFIX = LEDGER_LABEL_PREFIX;

export interface LedgerRecord {
  app: string;
  imageId: string;
  task: string;
  outcome: "succeeded" | "failed";
  exitCode: number;
  startedAt: string;
  endedAt: string;
  by: string;
  forced: boolean;
  /** The volume holding the record. */
  volume?: string;
}

/** Pure: the record as volume labels, and back. */
export function recordLabels(record: LedgerRecord): Record<string, string> {
  return {
    [LEDGER_LABEL]: "true",
    [`${PREFIX}app`]: record.app,
    [`${PREFIX}image-id`]: record.imageId,
    [`${PREFIX}task`]: record.task,
    [`${PREFIX}outcome`]: record.outcome,
    [`${PREFIX}exit-code`]: String(record.exitCode),
    [`${PREFIX}started-at`]: record.startedAt,
    [`${PREFIX}ended-at`]: record.endedAt,
    [`${PREFIX}by`]: record.by,
    [`${PREFIX}forced`]: String(record.forced),
  };
}

export function recordFromLabels(volume: string, labels: Record<string, string>): LedgerRecord | undefined {
  const get = (key: string) => labels[`${PREFIX}${key}`];
  const outcome = get("outcome");
  if (labels[LEDGER_LABEL] !== "true" || (outcome !== "succeeded" && outcome !== "failed")) return undefined;
  return {
    app: get("app") ?? "",
    imageId: get("image-id") ?? "",
    task: get("task") ?? "",
    outcome,
    exitCode: Number(get("exit-code") ?? "0"),
    startedAt: get("started-at") ?? "",
    endedAt: get("ended-at") ?? "",
    by: get("by") ?? "",
    forced: get("forced") === "true",
    volume,
  };
}

/** Pure: the latest success of `task` on `imageId`, if any: failures are never "done". */
export function lastSuccess(records: readonly LedgerRecord[], imageId: string, task: string): LedgerRecord | undefined {
  return records
    .filter((record) => record.imageId === imageId && record.task === task && record.outcome === "succeeded")
    .sort((a, b) => b.endedAt.localeCompare(a.endedAt))[0];
}

export async function readLedger(client: ContainerEngine, app: string): Promise<LedgerRecord[]> {
  const volumes = await client.listVolumes(`${PREFIX}app=${app}`);
  return volumes
    .map((volume) => recordFromLabels(volume.name, volume.labels))
    .filter((record): record is LedgerRecord => record !== undefined)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Appends a record, then keeps the newest `keep` records of the app. */
export async function recordRelease(client: ContainerEngine, record: LedgerRecord, keep: number): Promise<void> {
  const safe = (text: string) => text.replace(/[^a-zA-Z0-9_.-]+/g, "-");
  const name = `oneoff-ledger-${safe(record.app)}-${safe(record.task)}-${record.imageId.replace(/^sha256:/, "").slice(0, 12)}-${Date.parse(record.endedAt) || Date.now()}-${Math.random().toString(16).slice(2, 6)}`;
  await client.createVolume(name, recordLabels(record));
  const records = await readLedger(client, record.app);
  for (const old of records.slice(0, Math.max(0, records.length - keep))) {
    if (old.volume) await client.removeVolume(old.volume).catch(() => {});
  }
}
