/**
 * The run records (run-records.ts) on the engine: written by a run, its watchdog, `oneoff
 * wait` and the reap; read by `oneoff history`; pruned by the reap, never on a run's path.
 */
import type { ContainerEngine } from "../engine/types.js";
import { Labels, RECORD_LABEL, RECORD_LABEL_PREFIX } from "../requests/labels.js";
import {
  endVolumeName,
  latestPerRun,
  OWNER_GONE,
  prunedVolumes,
  recordFromLabels,
  recordLabels,
  startVolumeName,
  type RunRecord,
  type StoredRecord,
} from "./run-records.js";
import { removeRecording } from "./recordings.js";
import { inScope, type LabelFilter } from "./reap-scope.js";

/** The start record: a volume created before the one-off starts. */
export async function writeStartRecord(client: ContainerEngine, record: RunRecord, extra: Readonly<Record<string, string>>): Promise<void> {
  await client.createVolume(startVolumeName(record.runId), recordLabels({ ...record, end: undefined }, extra));
}

/** The end record, complete (the start's labels and the end's); then the start, no longer needed, goes. */
export async function writeEndRecord(client: ContainerEngine, record: RunRecord, extra: Readonly<Record<string, string>>): Promise<void> {
  await client.createVolume(endVolumeName(record.runId), recordLabels(record, extra));
  await client.removeVolume(startVolumeName(record.runId)).catch(() => {});
}

async function storedRecords(client: ContainerEngine, label: string): Promise<Array<StoredRecord & { labels: Record<string, string> }>> {
  const volumes = await client.listVolumes(label);
  return volumes.flatMap((volume) => {
    const record = recordFromLabels(volume.labels);
    return record ? [{ volume: volume.name, record, labels: volume.labels }] : [];
  });
}

/** The records of `app` (every app's when undefined), one per run, in no order: the engine lists them by label. */
export async function readRecords(client: ContainerEngine, app: string | undefined): Promise<RunRecord[]> {
  const stored = await storedRecords(client, app === undefined ? RECORD_LABEL : `${RECORD_LABEL_PREFIX}app=${app}`);
  return latestPerRun(stored).records.map((entry) => entry.record);
}

/** The labels a record volume carries beside the record's own: the run's --label and ONEOFF_LABELS. */
function extraLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => key !== RECORD_LABEL && !key.startsWith(RECORD_LABEL_PREFIX)));
}

/**
 * Records how a run ended when its oneoff could not: `oneoff wait`, the watchdog, the reap.
 * Only a run with a start record and no end gets one; false when it got none.
 */
export async function endOpenRun(client: ContainerEngine, runId: string, end: NonNullable<RunRecord["end"]>): Promise<boolean> {
  const open = await openRecord(client, runId);
  if (!open) return false;
  await writeEndRecord(client, { ...open.record, end }, extraLabels(open.labels));
  return true;
}

/** The run's start record while it has no end, with its volume's labels. */
async function openRecord(
  client: ContainerEngine,
  runId: string,
): Promise<(StoredRecord & { labels: Record<string, string> }) | undefined> {
  const { records } = latestPerRun(await storedRecords(client, `${RECORD_LABEL_PREFIX}run=${runId}`));
  return records.find((entry) => entry.record.runId === runId && !entry.record.end) as
    (StoredRecord & { labels: Record<string, string> }) | undefined;
}

/**
 * Records how `oneoff stop` ended a run: `stopped`, or `killed` when its one-off outlived the
 * grace period and took SIGKILL (exit code 137), with the exit code when it is there to read.
 * Only an open record gets it: an end its oneoff (or `wait`) wrote first stands.
 */
export async function endStoppedRun(client: ContainerEngine, runId: string, endedAt: Date): Promise<boolean> {
  const open = await openRecord(client, runId);
  if (!open) return false;
  const state = await runState(client, open.record).catch(() => undefined);
  const exitCode = state?.state === "ended" ? state.exitCode : undefined;
  const end = {
    endedAt: endedAt.toISOString(),
    ending: exitCode === 137 ? "killed" : "stopped",
    ...(exitCode === undefined ? {} : { exitCode }),
  };
  await writeEndRecord(client, { ...open.record, end }, extraLabels(open.labels));
  return true;
}

/**
 * What is left of a run on the engine: `ended` with its exit code when its container (or job
 * task) has exited, `running` while it is still there unfinished, `gone` when nothing is left.
 */
async function runState(
  client: ContainerEngine,
  record: RunRecord,
): Promise<{ state: "ended"; exitCode: number } | { state: "running" | "gone" }> {
  const label = `${Labels.run}=${record.runId}`;
  if (record.kind === "job") {
    const jobs = client.swarm?.();
    const services = jobs ? await jobs.listServices(label) : [];
    if (services.length === 0) return { state: "gone" };
    const task = (await jobs!.listTasks((services[0] as { id: string }).id))[0];
    return task?.exitCode !== undefined ? { state: "ended", exitCode: task.exitCode } : { state: "running" };
  }
  const containers = await client.listContainers(label);
  if (containers.length === 0) return { state: "gone" };
  const details = await client.inspectContainer((containers[0] as { id: string }).id);
  if (details && (details.state === "exited" || details.state === "dead")) return { state: "ended", exitCode: details.exitCode };
  return { state: details ? "running" : "gone" };
}

/**
 * The reap's part (never a run's): ends the open records of detached one-offs that have exited
 * (no oneoff saw their end) with its exit code, and as owner-gone those with nothing left
 * on the engine once `goneAfterMs` has passed since they started (a start written by a run
 * still creating its one-off is younger); removes leftover starts; then prunes each app's
 * records to its history_keep. Returns how many open records it ended, and how many volumes it
 * removed (records pruned and leftover starts).
 */
export async function settleAndPruneRecords(
  client: ContainerEngine,
  now: Date,
  goneAfterMs: number,
  scope: readonly LabelFilter[] = [],
): Promise<{ ended: number; pruned: number }> {
  // Scoped (cleanup --filter): only the records carrying the labels, as if they were all there are.
  const stored = async (label: string) => (await storedRecords(client, label)).filter((entry) => inScope(entry.labels, scope));
  let ended = 0;
  for (const open of latestPerRun(await stored(`${RECORD_LABEL}=start`)).records) {
    const state = await runState(client, open.record).catch(() => undefined);
    const endedAt = now.toISOString();
    // An attached run's exited one-off is its oneoff's to record (it may be writing the end
    // now, with how it ended); only a detached run's end is left to the reap.
    if (state?.state === "ended" && open.record.detached)
      ended += Number(await endOpenRun(client, open.record.runId, { endedAt, ending: "exited", exitCode: state.exitCode }));
    else if (state?.state === "gone" && now.getTime() - Date.parse(open.record.startedAt) > goneAfterMs)
      ended += Number(await endOpenRun(client, open.record.runId, { endedAt, ending: OWNER_GONE }));
  }
  const { records, leftovers } = latestPerRun(await stored(RECORD_LABEL));
  const recordedRuns = new Map(records.flatMap((entry) => (entry.record.recording ? [[entry.volume, entry.record.runId]] : [])));
  let pruned = 0;
  for (const volume of [...leftovers, ...prunedVolumes(records, now)]) {
    const removed = await client.removeVolume(volume).then(
      () => 1,
      () => 0,
    );
    pruned += removed;
    // A recording goes with its record (after it: a record left without its recording says so in replay).
    const runId = recordedRuns.get(volume);
    if (removed && runId !== undefined) await removeRecording(client, runId).catch(() => {});
  }
  return { ended, pruned };
}
