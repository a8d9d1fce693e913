/**
 * Where and how a one-off runs. The pipeline (src/pipeline/run.ts) does what every one-off
 * shares, once: the plan, the secrets, the audit lines, the release-once check, the banner, the
 * ledger, the watchdog's lifetime and the result. A backend does what differs: what it refuses,
 * what its create request is, how the release becomes what the engine runs, and how the one-off
 * is created, attached to, waited for, locked and removed, or started and left running.
 *
 * Adding a backend is a folder beside container/ and swarm-job/, and a line in choose.ts.
 */
import type { DryRunImage } from "../release/dry-run-image.js";
import type { Readable, Writable } from "node:stream";
import type { LocatedEngine } from "../engine/connect.js";
import type { ServiceDefinition, SwarmNode } from "../engine/swarm/types.js";
import type { ContainerEngine } from "../engine/types.js";
import type { SecretValue } from "../config/secret-values.js";
import type { BackendPreflight } from "../lifecycle/checks.js";
import type { Watchdog } from "../lifecycle/watchdog.js";
import type { OneOffView } from "../types/oneoff-view.js";
import type { ReapOptions, ReapResult } from "../lifecycle/reaper.js";
import type { Reporter } from "../output/reporter.js";
import type { OneOffIdentity } from "../requests/labels.js";
import type { InterruptSignal, InterruptSource } from "../types/context.js";
import type { RunKind, RunPlan } from "../types/plan.js";
import type { Ending } from "../types/result.js";

/** Who started a one-off, when, with which oneoff: the same for all of its labels and records. */
export type Identity = Omit<OneOffIdentity, "app" | "releaseReference" | "task" | "command" | "imageId" | "lock" | "keepForSeconds">;

/** A run as planned, before any engine is contacted. */
export interface PlannedRun {
  plan: RunPlan;
  identity: Identity;
  /** Random letters that make the one-off's name unique. */
  suffix: string;
  /** The long-running service a Swarm job copies (--from), if any. */
  service: ServiceDefinition | undefined;
}

/** A run connected to its engine, about to talk to it. */
export interface ConnectedRun extends PlannedRun {
  /** The client of the engine (the endpoint) the one-off runs on. */
  client: ContainerEngine;
  report: Reporter;
  /** Where registry credentials are read from (DOCKER_CONFIG, --registry-auth's variable). */
  env: Readonly<Record<string, string | undefined>>;
  /** The secrets' values, read before anything is created. */
  secrets: readonly SecretValue[];
}

/** --dry-run: what the backend would send, and the image it names. */
interface DryRunDescription {
  name: string;
  /** The image as a dry run shows it (the reference, or an image ID given as the release). */
  imageShown: string;
  /** The document's own fields (the pipeline adds the config file and the engine, then masks secrets). */
  document: Record<string, unknown>;
}

/** The release, resolved: the immutable image ID, and what this backend names to its engine. */
interface ReleaseToRun {
  imageId: string;
  /** For a Swarm job: a digest reference every node can pull; for a container: the image ID. */
  image: string;
  /** For a Swarm job: the manager oneoff talks to, read once per run (docker info is slow to answer). */
  swarmNode?: SwarmNode;
}

/** What the pipeline hands an attached session. */
export interface AttachedSession {
  io: { stdin: Readable; stdout: Writable; stderr: Writable };
  interrupts: InterruptSource;
  watchdog: Watchdog;
  /** Prints the terminal session's banner: called by the backend when its session begins. */
  banner: () => void;
  /** Called once the one-off exists and holds its lock: false skips the run (release already done). */
  beforeStart?: () => Promise<boolean>;
  /** Called once it has ended, before it is removed: while it exists its lock is held. */
  beforeRemoval?: (ended: { exitCode: number }) => Promise<void>;
}

export interface AttachedOutcome {
  exitCode: number;
  /** The container's ID, or the job's service ID. */
  id: string;
  ending: Ending;
  signal?: InterruptSignal;
  /** When ending is "output-failed": which stream could not be written, and why. */
  outputFailure?: string;
  /** For a Swarm job: its service, the node its task ran on, ms from create to the exit code seen. */
  job?: { serviceId: string; nodeId?: string; createToExitMs?: number };
}

/** One one-off of a backend, with its create request built: nothing exists on the engine yet. */
interface PreparedOneOff {
  name: string;
  /** The noun for the banner: "a one-off container, removed on exit". */
  bannerNoun: string;
  runAttached(session: AttachedSession): Promise<AttachedOutcome>;
  /** Creates and starts it, and leaves it running; says how to follow it. */
  startDetached(): Promise<{ id: string; job?: { serviceId: string } }>;
}

/** A one-off already on the engine, found by ID, unique prefix or name (ps, logs, stop, wait). */
export interface FoundOneOff {
  /** The container's or job service's ID. */
  id: string;
  /** The run that created it (io.oneoff.run), whose record `wait` ends. */
  runId?: string;
  logs(options: { follow: boolean; timestamps: boolean }): Promise<{ stream: NodeJS.ReadableStream; tty: boolean }>;
  /** SIGTERM, then SIGKILL after `seconds`, or after its own stop timeout (a job: its grace period). */
  stop(seconds?: number): Promise<void>;
  /** Its exit code, once it has ended. */
  wait(): Promise<number>;
}

export interface Backend {
  /** What the watchdog removes for it: containers, or job services. */
  readonly kind: RunKind;
  /** Refuses, in one line and before anything is created, what this backend cannot do. */
  refuse(plan: RunPlan): void;
  /** What `oneoff check` asks of the engine for this backend, beyond what every one-off needs. */
  readonly preflight: BackendPreflight;
  /** The request a run would send, with the image `image` says it would run (dry-run-image.ts). */
  dryRun(run: PlannedRun, located: LocatedEngine | undefined, image: DryRunImage): DryRunDescription;
  /** Resolves the release (pulling as the plan says), after checking the engine can run this kind. */
  resolve(run: ConnectedRun): Promise<ReleaseToRun>;
  prepare(run: ConnectedRun, release: ReleaseToRun): Promise<PreparedOneOff>;
  /** Its one-offs on the engine, as ps shows them (running ones; `all`: ended ones too). */
  list(client: ContainerEngine, scope: { all: boolean; app?: string }): Promise<OneOffView[]>;
  /** The one-off of this kind `reference` names; undefined when it names none of this kind. */
  find(client: ContainerEngine, reference: string): Promise<FoundOneOff | undefined>;
  /** Removes its one-offs whose owner is surely gone, and detached ones past their keep time. */
  reap(client: ContainerEngine, options: ReapOptions): Promise<ReapResult>;
}
