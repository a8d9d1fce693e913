/**
 * The config model. Every source of a one-off's settings (oneoff.yaml, a compose service, a
 * running container, a Procfile) produces a SettingsLayer; layers are merged in order into one
 * ResolvedSettings, remembering where each value came from.
 */

/**
 * What shapes what the process can do and see beyond its image and env: docker run's
 * --user, --memory, --init, --cap-add, ... Copied by --from and --service, compared by diff.
 */
export type RuntimeSettings = DockerRunSettings;

/**
 * docker run's settings, one row each of src/settings/table.ts, named as the flag (--memory-swap:
 * memorySwap), in their final type: the row derives all else (flag, keys, body, line, diff, job).
 */
export interface DockerRunSettings {
  /** The variables it gets, over the image's: a value, or null for a name sent bare (see EnvSetting). */
  env?: EnvSetting;
  /** Volumes, binds and tmpfs mounts, in the order given (-v and --mount, compose's volumes:). */
  volume?: Mount[];
  /** A name or uid, with :group or :gid ("" or absent: the image's USER); workdir absent: the image's WORKDIR. */
  user?: string;
  workdir?: string;
  /** The image's platform, os/arch[/variant] (docker run --platform): pulled and created for it. */
  platform?: string;
  /** The executable and its first arguments, before the command; [""] clears the image's, as `docker run --entrypoint ""` does. */
  entrypoint?: string[];
  /** The networks it is on, in order (host, none or names); [] (network_mode: bridge): the default bridge. */
  network?: string[];
  /** The container's hostname; absent: its ID's first 12 characters, as the engine gives it. */
  hostname?: string;
  /** HOST:IP lines for /etc/hosts, as docker sends them (IP may be host-gateway). */
  addHost?: string[];
  dns?: string[];
  init?: boolean;
  privileged?: boolean;
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  /** Mount point -> tmpfs options ("" or e.g. "size=64m,mode=1777"). */
  tmpfs?: Record<string, string>;
  ulimit?: Ulimit[];
  shmSize?: number;
  groupAdd?: string[];
  sysctl?: Record<string, string>;
  device?: Device[];
  deviceCgroupRule?: string[];
  /** "host", "container:NAME"; absent: its own. */
  pid?: string;
  /** "host", "none", "shareable", "container:NAME"; absent: the engine's default (private). */
  ipc?: string;
  /** The OCI runtime, e.g. runsc; absent: the engine's default. */
  runtime?: string;
  logDriver?: string;
  /** Options of the log driver (the engine's default one, without logDriver). */
  logOpt?: Record<string, string>;
  dnsOption?: string[];
  dnsSearch?: string[];
  /** Bytes: the memory limit. */
  memory?: number;
  /** The CPU limit in billionths of a CPU (1.5 CPUs: 1500000000), as the Engine API's NanoCpus. */
  cpus?: number;
  /** Bytes of memory plus swap; -1: unlimited swap. */
  memorySwap?: number;
  /** Bytes: the soft limit the kernel reclaims down to under pressure. */
  memoryReservation?: number;
  /** The most processes; 0 or less: unlimited. */
  pidsLimit?: number;
  /** The relative CPU weight (1024: the default share). */
  cpuShares?: number;
  /** The CPUs it may use, e.g. "0-2" or "0,3". */
  cpusetCpus?: string;
  /** What docker stop sends first, as written (SIGUSR1, USR1 or 10). */
  stopSignal?: string;
  /** Containers whose volumes it mounts: NAME, NAME:ro or NAME:rw. */
  volumesFrom?: string[];
  oomKillDisable?: boolean;
  /** The block I/O weight, 10 to 1000. */
  blkioWeight?: number;
  /** "host": the engine's user namespace, where the daemon remaps users. */
  userns?: string;
  /** "host": the machine's hostname namespace. */
  uts?: string;
  /** "host" or "private". */
  cgroupns?: string;
  cgroupParent?: string;
  /** Storage driver options, e.g. size=10G. */
  storageOpt?: Record<string, string>;
  /** The isolation technology ("default" is the only one on Linux). */
  isolation?: string;
  /** Whole seconds between the stop signal and SIGKILL, when a stop (docker's, a job's, oneoff's own) ends it. */
  stopTimeout?: number;
  /** GPUs to give it, as docker run --gpus: passed to the engine's device drivers. */
  gpus?: GpuRequest;
  /** The user's labels (oneoff's own are added to the create request, over them), merged key by key. */
  label?: Record<string, string>;
}

/**
 * Environment variables by name: a value, or null for "unset here": `-e NAME` while NAME is unset
 * in oneoff's environment, sent bare, as docker sends it, which keeps the image's NAME from the
 * container. A value another layer gives NAME stands over a null (settings/env-row.ts).
 */
export type EnvSetting = Record<string, string | null>;

/** docker run --gpus: `all`, a count, or device IDs, for a driver with capabilities. */
export interface GpuRequest {
  /** -1: all. */
  count?: number;
  deviceIds?: string[];
  driver?: string;
  capabilities: string[];
  options?: Record<string, string>;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface Device {
  pathOnHost: string;
  pathInContainer: string;
  /** cgroup permissions: some of r, w, m. */
  permissions: string;
}

export interface ProcessSettings extends RuntimeSettings {
  /** Image repository, e.g. registry.example.com/shop. */
  image?: string;
  /** Which release of the image: a tag, a digest, an image ID or a full reference. */
  release?: string;
  /** Always there once layers are merged (plan/merge-layers.ts), so secrets and TERM can be added to it. */
  env: EnvSetting;
}

export interface Mount {
  type: "volume" | "bind" | "tmpfs";
  /** Volume name or host path; empty for tmpfs and an anonymous volume. */
  source: string;
  target: string;
  readOnly: boolean;
  /**
   * Written in docker's short syntax (-v, compose's short form): its mode as written (`z,ro`
   * stays `z,ro`, which is how the engine keeps and shows it; "" for none). Such a mount goes
   * to the engine as docker run -v sends it, a Binds entry (or, anonymous, Config.Volumes): the
   * engine then makes a missing host folder and relabels for z/Z. The fields below are what
   * the mode says.
   */
  shortMode?: string;
  selinuxLabel?: "z" | "Z";
  propagation?: Propagation;
  consistency?: Consistency;
  /** A bind's submounts are left out (--mount bind-nonrecursive). */
  nonRecursive?: boolean;
  /** A volume: the image's files are not copied into it when it is new and empty. */
  noCopy?: boolean;
  /** A volume the engine creates: its driver, the driver's options and the volume's labels. */
  volumeDriver?: string;
  volumeOptions?: Record<string, string>;
  volumeLabels?: Record<string, string>;
  tmpfsSizeBytes?: number;
  /** Permission bits of a tmpfs' root (0o1777, written in octal as --mount tmpfs-mode=1777). */
  tmpfsMode?: number;
}

/** Bind propagation, in docker's words (formats/mount-mode.ts has the parser). */
export type Propagation = "rprivate" | "private" | "rshared" | "shared" | "rslave" | "slave";
export type Consistency = "consistent" | "cached" | "delegated" | "default";

export type SettingName = keyof ProcessSettings;

export interface SettingsLayer {
  /** Where these values come from, for reports: "oneoff.yaml", "task migrate", "flags". */
  source: string;
  settings: Partial<ProcessSettings>;
  /** Per setting, a more precise origin such as "oneoff.yaml:7:3". */
  locations?: Partial<Record<SettingName, string>>;
  /** env: values whose ${VAR} is unset here, by name: the error if a one-off gets one (listing, history, tasks need none). */
  unsetEnv?: Record<string, { message: string; hint?: string }>;
  /**
   * Settings (`user`, or `env.KEY` and `label.KEY`) whose value is only a `${VAR:-default}`
   * fallback: a value the running process has (--from) stands over it.
   */
  defaults?: string[];
  /** Secrets the source gives its one-offs (a compose service's file secrets), beside oneoff.yaml's. */
  secrets?: SecretDefinition[];
  /** Set when copied from a running process (--from): the image and values it runs with. */
  running?: RunningProcess;
}

/** A running process --from copies: its name (web) and the container read. */
export interface RunningProcess {
  process: string;
  container: string;
}

export interface TaskDefinition {
  name: string;
  /** Where it is defined, for `oneoff tasks`: "oneoff.yaml:12:3" or "Procfile:2". */
  source?: string;
  command: string[];
  /** A Procfile line, which `command` runs with sh -c: words after `--` are appended to it. */
  shellLine?: string;
  description?: string;
  /**
   * true: a terminal session (implies -i and -t; refused without a local terminal).
   * "auto": -t when oneoff's stdin is a terminal, plain -i otherwise.
   */
  interactive?: boolean | "auto";
  /** Stop the one-off after this long (ms): SIGTERM, then SIGKILL; exit 124. */
  timeoutMs?: number;
  /** Name of an engine-enforced lock the task holds while it runs. */
  lock?: string;
  /** The secrets it gets (names under secrets:); absent: all of them. */
  secrets?: string[];
  /** record: for this task, over the environment's and the top level's. */
  record?: RecordSetting;
  /** Layered on top of the app's settings when this task runs. */
  overrides: SettingsLayer;
  /** The task's env_file contents, one layer per file, under `overrides`. */
  envFileLayers: SettingsLayer[];
}

/** --engine, `engine:`, ONEOFF_ENGINE (published names): docker runs a container, swarm a job (RunKind, plan.ts). */
export type RunKindName = "docker" | "swarm";
export const RUN_KIND_NAMES: readonly RunKindName[] = ["docker", "swarm"];

/** An entry of `environments:` (see environments.ts). */
export interface EnvironmentDefinition {
  name: string;
  /** The engine: an address (unix://, tcp://, ssh://) or a docker context; at most one. */
  host?: string;
  context?: string;
  /** release: and env:, over the app's settings. */
  overrides: SettingsLayer;
  /** record: for the environment's one-offs, over the top level's and under a task's. */
  record?: RecordSetting;
}

/**
 * `record:` in oneoff.yaml: true records a one-off's session (output, resizes), "input" also
 * what the operator types, false never records it (not even with --record).
 */
export type RecordSetting = boolean | "input";

export type PullPolicy = "missing" | "always" | "never";
export const PULL_POLICIES: readonly PullPolicy[] = ["missing", "always", "never"];

export interface AppConfig {
  /** Absolute path of the config file, when there is one. */
  path?: string;
  /** Directory relative paths in the config are resolved against. */
  dir: string;
  app: string;
  base: SettingsLayer;
  /** The app's env_file contents, one layer per file, under `base` (whose env: wins). */
  envFileLayers: SettingsLayer[];
  tasks: Record<string, TaskDefinition>;
  pull?: PullPolicy;
  /** What `oneoff shell` runs (default /bin/sh). */
  shell?: string[];
  /** Default timeout for every one-off of the app (ms). */
  timeoutMs?: number;
  /** The keys that detach a terminal session (docker notation). */
  detachKeys?: string;
  /** Copy image and settings from this running process (like --from). */
  from?: string;
  /** Take image and settings from this compose file's service (like --compose/--service). */
  compose?: string[];
  service?: string;
  ledgerKeep?: number; // ledger records kept per app (ledger_keep:)
  historyKeep?: { count: number; ageMs?: number }; // run records kept per app (history_keep:; HistoryKeep, plan.ts)
  /** record: (under an environment's and a task's) and record_limit: in bytes of cast. */
  record?: RecordSetting;
  recordLimitBytes?: number;
  /** Run one-offs as containers (docker, the default) or as Swarm jobs (swarm). */
  engine?: RunKindName;
  /** Swarm placement constraints for every one-off, after those of the service it copies. */
  constraints?: string[];
  /** Named secrets, read when a one-off runs (see secrets.ts). */
  secrets?: Record<string, SecretDefinition>;
  /** The task `oneoff release` runs (the release phase); default: a task named "release". */
  releaseTask?: string;
  /** Named engines (and release/env), picked with --env-name or ONEOFF_ENV. */
  environments?: Record<string, EnvironmentDefinition>;
}

export interface SecretDefinition {
  name: string;
  /** Where the value comes from; a file path is absolute. */
  source: { kind: "env" | "file" | "command"; value: string };
  /** `oneoff.yaml:12:5: secrets.NAME.env`: where errors about the source point. */
  sourceAt: string;
  delivery: { as: "file"; target: string; at: string } | { as: "env"; variable: string };
}
