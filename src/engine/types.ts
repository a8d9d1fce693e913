/**
 * What the rest of oneoff needs from a container engine. Implementations live under
 * src/engine/<name>/ and are the only code that knows the Engine API's wire shapes.
 */
import type { ProcessDefinition } from "../types/process.js";
import type { RuntimeSettings } from "../types/config.js";
import type { Duplex, Readable } from "node:stream";
import { OneoffError } from "../output/errors.js";
import type { CreateBody } from "../requests/create-body.js";
import type { SessionJobs, SwarmJobs } from "./swarm/types.js";

/** Creating a container (a service, a volume) failed because its name is taken (how engine-enforced locks work). */
export class NameInUse extends OneoffError {
  constructor(
    readonly containerName: string,
    what = "a container",
  ) {
    super(`${what} named ${containerName} already exists`);
  }
}

export interface ImageSummary {
  /** The immutable image ID, `sha256:...`. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** The image's own environment (ENV lines), which every container of it gets under its own. */
  env: string[];
  /** What the image's config gives every container of it that sets none of its own (USER, WORKDIR, STOPSIGNAL), as settings. */
  settings: RuntimeSettings;
}

export interface PullProgress {
  /** Layer ID, when the event is about one layer. */
  id?: string;
  status: string;
  progress?: string;
  /** Bytes of the layer done so far and its size, while it downloads or extracts. */
  current?: number;
  total?: number;
}

export interface AttachOptions {
  stdin: boolean;
  /** TTY sessions only: the sequence the engine treats as "detach" (docker notation). */
  detachKeys?: string;
  /**
   * Whether nothing downstream still holds bytes the stream gave it (every queue empty). With
   * it, an engine may read into one reused buffer while this says so, instead of a new one per
   * read (memory stays flat however much output passes).
   */
  readBufferFree?: () => boolean;
}

export interface TerminalSize {
  rows: number;
  columns: number;
}

/** The engine cannot be reached (down, restarting, socket gone, network). */
export class EngineUnreachable extends OneoffError {}

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** created, running, exited, ... */
  state: string;
}

export type { ProcessDefinition };

export interface ContainerDetails extends ContainerSummary {
  exitCode: number;
  startedAt?: Date;
  finishedAt?: Date;
  oomKilled: boolean;
  /** Whether it has a TTY (its logs are then one raw stream, not multiplexed). */
  tty: boolean;
  imageId: string;
}

/** What the engine's archive endpoint says of a path in a container's filesystem. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: the permission bits, plus 1<<31 for a directory, 1<<27 for a symlink. */
  mode: number;
  linkTarget: string;
}

export interface ContainerEngine {
  /** A human name for the engine, for messages: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** undefined when no such image is present locally. */
  inspectImage(reference: string): Promise<ImageSummary | undefined>;
  /** `registryAuth`: the X-Registry-Auth value (see release/credentials.ts); none pulls anonymously. */
  pullImage(
    repository: string,
    tag: string,
    onProgress: (event: PullProgress) => void,
    registryAuth?: string,
    platform?: string,
  ): Promise<void>;
  /**
   * Whether the engine runs on this machine (a unix socket here), so that a bind's host path
   * names the same folder for it as for us.
   */
  readonly onThisMachine: boolean;
  /** Rejects with NameInUse when a container of that name exists. */
  /** `platform`: os/arch[/variant] of the image to create from (docker run --platform). */
  createContainer(name: string, body: CreateBody, platform?: string): Promise<string>;
  /** undefined when there is no such container. */
  inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined>;
  rename(nameOrId: string, newName: string): Promise<void>;
  /** undefined when there is no such container. */
  inspectProcess(nameOrId: string): Promise<ProcessDefinition | undefined>;
  connectNetwork(containerId: string, network: string): Promise<void>;
  /**
   * The container's attached streams: a raw duplex carrying the multiplexed stdout/stderr
   * frames, and the command's stdin when `stdin` is set. End the write side to send EOF.
   */
  attach(containerId: string, options: AttachOptions): Promise<Duplex>;
  /** Sets the container TTY's size; call after start. */
  resize(containerId: string, size: TerminalSize): Promise<void>;
  /** Rejects with exit code 126/127 when the command cannot be invoked or is not found. */
  start(containerId: string): Promise<void>;
  /** Waits until the container is not running and returns its exit code. Call after start. */
  waitForExit(containerId: string, signal?: AbortSignal): Promise<number>;
  /** Sends a signal; resolves quietly when the container is already gone or stopped. */
  /** `signal` as docker writes it: SIGTERM, TERM or 15 (a container's --stop-signal is any of them). */
  kill(containerId: string, signal: string): Promise<void>;
  /** Force-removes the container (by ID or name) and its anonymous volumes; already gone counts as removed. */
  remove(containerId: string): Promise<void>;
  /** The container's output so far (and, with follow, as it comes), as the attach stream would carry it. */
  logs(containerId: string, options: { follow: boolean; timestamps: boolean }): Promise<NodeJS.ReadableStream>;
  /**
   * SIGTERM (or its stop signal), then SIGKILL after `seconds`, as docker stop; without them,
   * after the container's own StopTimeout (--stop-timeout), else the engine's 10 s.
   */
  stop(containerId: string, seconds?: number): Promise<void>;
  /** Imports a tar as an image (POST /images/create?fromSrc=-): one no registry holds. */
  importImage(reference: { repository: string; tag: string }, labels: Record<string, string>, rootfs: Buffer): Promise<void>;
  /** Creates a named volume with labels; one that exists keeps its labels (docker), or rejects with NameInUse (Podman). */
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Volumes carrying the label `label` (`key` or `key=value`). */
  listVolumes(label: string): Promise<Array<{ name: string; labels: Record<string, string> }>>;
  removeVolume(name: string): Promise<void>;
  /** The engine's version and API version (GET /version). */
  version(): Promise<{ version: string; apiVersion: string }>;
  /** Whether the registry knows `reference` (a manifest lookup through the engine, no pull). */
  /** Whether the image's registry has `reference` (the engine asks it), with the manifest's digest. */
  registryHas(reference: string, registryAuth?: string): Promise<{ ok: true; digest?: string } | { ok: false; why: string }>;
  networkExists(name: string): Promise<boolean>;
  volumeExists(name: string): Promise<boolean>;
  /** A path in a (created, never started) container's filesystem; undefined when absent. */
  statPath(containerId: string, filePath: string): Promise<PathStat | undefined>;
  /**
   * One small file in a container's filesystem, as a tar archive read into memory: undefined
   * when absent, "too large" when over SMALL_FILE_MAX_BYTES (archive-answers.ts), the rest unread.
   */
  readArchive(containerId: string, filePath: string): Promise<Buffer | undefined | "too large">;
  /**
   * Extracts a tar archive (streamed, with backpressure) into the existing directory
   * `directory` of a container, created or stopped. The engine writes into the container's
   * own filesystem (its writable layer, or a volume or bind mounted there) and never into a
   * tmpfs mounted at start: see docs/secrets-and-files.md. Rejects naming the path when the
   * directory is missing or cannot be written.
   */
  putArchive(containerId: string, directory: string, tar: Readable): Promise<void>;
  /** A path in a container's filesystem as a tar stream (its base name at the top); undefined when absent. */
  getArchive(containerId: string, containerPath: string): Promise<Readable | undefined>;
  /** Containers in any state carrying the label `label` (`key` or `key=value`). */
  listContainers(label: string): Promise<ContainerSummary[]>;
  /** The same engine as a Swarm manager, for one-offs run as jobs (absent: not supported). */
  swarm?(): SwarmJobs;
}

/**
 * What one attached one-off's session needs of the engine (backends/container/session.ts,
 * backends/swarm-job/session.ts): every ContainerEngine is one, and test/unit's in-memory
 * engine is one too, so that both sessions' endings are tested without an engine.
 */
export type SessionEngine = Pick<
  ContainerEngine,
  | "endpoint"
  | "createContainer"
  | "connectNetwork"
  | "attach"
  | "start"
  | "waitForExit"
  | "kill"
  | "resize"
  | "logs"
  | "inspectContainer"
  | "rename"
  | "remove"
> & {
  /** Removing a job's service goes through it (backends/swarm-job/oneoffs.ts removeJob). */
  swarm?(): SessionJobs;
};
