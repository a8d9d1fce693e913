/**
 * A run's recorded session on the engine: its compressed asciicast is the one file of a volume
 * `oneoff-recording-<run>`, labelled with the run and its app, so a prune of the run's record
 * removes it too (run-records-engine.ts). The plain Engine API has no call that writes into a
 * volume, so a container that mounts it is created, never started, and given the file through
 * the archive endpoint (the engine mounts a stopped container's volumes for it), then removed.
 * That container's image is imported once per engine from an empty tar (no registry, no pull:
 * a Swarm manager that never pulled the release has it too); it needs a Cmd, never a binary.
 * The volume carries the run's own labels (--label, ONEOFF_LABELS) as its record does, so a
 * team's label selector finds the recording beside the run's containers and record.
 */
import { Readable } from "node:stream";
import type { ContainerEngine } from "../engine/types.js";
import { LABEL_PREFIX, neverStartedLabels } from "../requests/labels.js";
import { NEVER_STARTED_STREAMS } from "../requests/create-body.js";
import { packOneFile, readOneFile } from "../formats/one-file-tar.js";
import { randomBytes } from "node:crypto";
import { currentOwner, formatOwner } from "./owner.js";

const recordingVolumeName = (runId: string) => `oneoff-recording-${runId}`;

const RECORDING_LABEL = `${LABEL_PREFIX}recording`;
const STORE_IMAGE = { repository: "oneoff-record-store", tag: "1" };
/** On the store image and its containers: what they are, for whoever lists the engine's objects. */
const STORE_LABEL = `${LABEL_PREFIX}record-store`;
const MOUNT = "/recording";
const FILE = "session.cast.gz";
/** The most of a stored recording read back: a cast is capped (record_limit) before it is compressed. */
const MAX_READ_BYTES = 2 * 1024 ** 3;

/**
 * Stores `cast` (compressed) as the recording of `run`; rejects when the engine refuses any step.
 * `run.labels`: the run's own labels (oneoff's, which users cannot set, win over them).
 */
export async function storeRecording(
  client: ContainerEngine,
  run: { runId: string; app: string; labels: Readonly<Record<string, string>> },
  cast: Buffer,
): Promise<void> {
  const volume = recordingVolumeName(run.runId);
  await client.createVolume(volume, {
    ...run.labels,
    [RECORDING_LABEL]: "true",
    [`${RECORDING_LABEL}.run`]: run.runId,
    [`${RECORDING_LABEL}.app`]: run.app,
  });
  await withStoreContainer(client, volume, run, (id) => client.putArchive(id, MOUNT, Readable.from([packOneFile(FILE, cast, new Date())])));
}

/** The compressed cast of `run`'s recording; undefined when there is none on the engine. */
export async function readRecording(client: ContainerEngine, run: { runId: string; app: string }): Promise<Buffer | undefined> {
  const volume = recordingVolumeName(run.runId);
  if (!(await client.volumeExists(volume))) return undefined;
  return withStoreContainer(client, volume, { app: run.app, labels: {} }, async (id) => {
    const archive = await client.getArchive(id, `${MOUNT}/${FILE}`);
    if (!archive) return undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of archive as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > MAX_READ_BYTES) {
        archive.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    return readOneFile(Buffer.concat(chunks));
  });
}

/** Removes `runId`'s recording, if it has one (a prune of its record). */
export async function removeRecording(client: ContainerEngine, runId: string): Promise<void> {
  await client.removeVolume(recordingVolumeName(runId));
}

/**
 * Runs `use` with a created, never started container that mounts `volume`; removes it whatever
 * happens. A oneoff killed before that removal leaves the container: it carries what the reap
 * (oneoff cleanup, the watchdog's) selects a one-off by, oneoff's marker and this process as
 * its owner, so it is removed as any one-off whose owner is surely gone, as a check's probe
 * container is. Not by age: a store of a large recording over a slow engine may take longer
 * than any age chosen, and an owner that still runs is never judged gone. `of`: the app and
 * the run's own labels, as the probe's, so whoever lists their one-offs by label sees it too.
 */
async function withStoreContainer<T>(
  client: ContainerEngine,
  volume: string,
  of: { app: string; labels: Readonly<Record<string, string>> },
  use: (id: string) => Promise<T>,
): Promise<T> {
  const image = `${STORE_IMAGE.repository}:${STORE_IMAGE.tag}`;
  if (!(await client.inspectImage(image)))
    await client.importImage(STORE_IMAGE, { [STORE_LABEL]: "true" }, packOneFile(".oneoff", Buffer.alloc(0), new Date(0)));
  const id = await client.createContainer(`oneoff-record-store-${randomBytes(6).toString("hex")}`, {
    Image: image,
    Cmd: ["/never-started"],
    Env: [],
    Labels: {
      ...of.labels,
      [STORE_LABEL]: "true",
      ...neverStartedLabels(of.app, formatOwner(currentOwner())),
    },
    ...NEVER_STARTED_STREAMS,
    HostConfig: { Binds: [`${volume}:${MOUNT}`], AutoRemove: false, NetworkMode: "none" },
  });
  try {
    return await use(id);
  } finally {
    await client.remove(id).catch(() => {});
  }
}
