/**
 * A run resolved from options and config: what runs, from which release, with which settings
 * and where each came from. Plain data at the bottom of the house: it imports only other types.
 */
import type { ProcessSettings, PullPolicy, RunningProcess, SecretDefinition } from "./config.js";

/** `--registry-auth USER:env:VAR` or `USER:file:PATH`: who, and where the password is read from. */
export interface RegistryAuthFlag {
  username: string;
  password: { env: string } | { file: string };
}

/** How many records of an app the engine keeps (history_keep:), and for how long. */
export interface HistoryKeep {
  count: number;
  ageMs?: number;
}

/** A run that is recorded: whether what the operator types is kept, and the cast's cap (record_limit:). */
export interface RecordingPlan {
  input: boolean;
  limitBytes: number;
}

/** What a run creates, and so which backend runs it: a container, or a Swarm job service. */
export type RunKind = "container" | "job";

export interface RunPlan {
  app: string;
  configPath?: string;
  task?: string;
  command: string[];
  /** The image reference to resolve to an immutable image ID. */
  releaseReference: string;
  settings: ProcessSettings;
  /** Where each setting (and each env key, as `env.KEY`) came from. */
  provenance: Record<string, string>;
  interactive: boolean;
  tty: boolean;
  detachKeys?: string;
  /** Set for `oneoff release`: the run is checked against, and recorded in, the ledger. */
  release?: { force: boolean; ledgerKeep: number };
  /** history_keep: how many of the app's run records the engine keeps, and for how long. */
  historyKeep?: HistoryKeep;
  /** Set when the session is recorded (record:, --record). */
  recording?: RecordingPlan;
  /** Why it is not recorded though --record asked: the config's `record: false`, and where. */
  recordingRefused?: string;
  /** The environment the run was started in (--env-name, ONEOFF_ENV), for its record. */
  environment?: string;
  pull: PullPolicy;
  /** --registry-auth: who, and where the password is (never the password itself). */
  registryAuth?: RegistryAuthFlag;
  timeoutMs?: number;
  lock?: string;
  /** The container's (or job service's) name the caller gave (--name); a lock's name wins over it. */
  name?: string;
  /** What oneoff says before it runs (one line each): a flag it set aside, say. */
  notices?: string[];
  /** With --from: where oneoff.yaml and the running process disagree; absent when they do not. */
  disagreement?: ProcessDisagreement;
  /** What oneoff warns of before it runs (one line each), also in --json: see config/running.ts. */
  warnings?: string[];
  /** Present when the caller waits for the lock: how long (ms), or Infinity. */
  waitLockMs?: number;
  /** Set for a detached one-off: how long it is kept after it ends (ms). */
  keepForMs?: number;
  /** Where it runs: a container, or a Swarm job (with its placement constraints). */
  kind: RunKind;
  constraints: string[];
  /** Files copied in before start and out after exit. */
  files: FileCopies;
  /** The secrets this one-off gets (their values are read only when it runs). */
  secrets: SecretDefinition[];
}

/**
 * What a one-off's session reads of its plan, where it reads it: whether stdin and a terminal
 * are attached, the keys that detach, how long it may run (the timer is set from timeoutMs
 * there) and how long a stop waits before SIGKILL (the stop timeout row's setting).
 */
export type SessionPlan = Pick<RunPlan, "interactive" | "tty" | "detachKeys" | "timeoutMs"> & {
  settings: Pick<RunPlan["settings"], "stopTimeout">;
};

/** What oneoff.yaml says that differs from the running process --from copies. */
export interface ProcessDisagreement {
  running: RunningProcess;
  /** oneoff.yaml's release, set aside for the image the process runs. */
  release?: { reference: string; at: string };
  /** Settings (`user`, `env.KEY`) oneoff.yaml gives other values than the process has, and which win. */
  settings: Array<{ name: string; at: string }>;
}

export interface FileCopy {
  /** Absolute path on this machine. */
  local: string;
  /** Absolute path in the one-off's filesystem. */
  container: string;
  /** The flag as given, for messages and the audit log: `--copy-in ./seed:/seed`. */
  given: string;
}

export interface FileCopies {
  /** Copied in after create, before start. */
  copyIn: FileCopy[];
  /** Copied out after the command exits, before the container is removed. */
  copyOut: FileCopy[];
  /** The most bytes of files one copy-out may write (--copy-out-limit). */
  copyOutLimitBytes: number;
}
