/**
 * Options (from flags or the library) + the app's config -> one RunPlan: what to run, from
 * which release, with which settings, and where each setting came from. Pure.
 *
 * Precedence, lowest first: oneoff.yaml (env_file under env:), ONEOFF_RELEASE, the task's own
 * settings, --env-file, then every other flag.
 */
import { OneoffError } from "../output/errors.js";
import { combineImageAndRelease, parseReleaseReference } from "../release/reference.js";
import { parseRegistryAuthFlag, type RegistryAuthFlag } from "../release/registry-auth.js";
import { LABEL_PREFIX } from "../spec/labels.js";
import type { Environment } from "./interpolate.js";
import type { AppConfig, EngineKind, ProcessSettings, PullPolicy, SettingName, SettingsLayer } from "./types.js";
import { argumentProblem, envValueProblem } from "./env-rules.js";
import { engineOf } from "./engine-kind.js";
import { chooseTerminal, DEFAULT_LEDGER_KEEP, detachKeysOf, detachment, releaseTaskOptions, stopTimeoutOf, timeoutAndLock } from "./run-modes.js";
import { flagLayer } from "./flags.js";
import { pickEnvironment } from "./environments.js";
import { closest } from "./words.js";
import { userKeyed } from "./user-keys.js";
import { parseFileCopies, type FileCopies } from "./copy-paths.js";
import { chooseSecrets, type SecretDefinition } from "./secrets.js";

export interface RunOptions {
  /** A task named in oneoff.yaml. */
  task?: string;
  /** Copy image and settings from a running process: `web`, or `container:NAME|ID`. */
  from?: string;
  /** A compose file, with `service`: take image and settings from that service. */
  compose?: string;
  service?: string;
  /** argv: the command itself, or extra arguments appended to the task's command. */
  command?: string[];
  /** Path of the config file (default: the nearest oneoff.yaml). */
  config?: string;
  release?: string;
  /** `KEY=VALUE`, or `KEY` to pass the invoking environment's value. */
  env?: string[];
  envFiles?: string[];
  user?: string;
  workdir?: string;
  networks?: string[];
  /** docker's short syntax: SOURCE:TARGET[:ro]. */
  volumes?: string[];
  /** One executable, as `docker run --entrypoint`; "" clears the image's entrypoint. */
  entrypoint?: string;
  memory?: string;
  cpus?: string;
  /** `KEY=VALUE` */
  labels?: string[];
  interactive?: boolean;
  /** Allocate a TTY (`-t`); with `interactive`, oneoff's stdin must be a terminal. */
  tty?: boolean;
  /** The keys that detach a terminal session (docker notation; default ctrl-p,ctrl-q). */
  detachKeys?: string;
  /** `oneoff shell`: run the config's `shell:` (default /bin/sh) as a terminal session. */
  shell?: boolean;
  /** `oneoff release`: run the release task, holding the lock "release", with a default timeout. */
  releaseTask?: boolean;
  /** With releaseTask: run it even if the ledger says it succeeded for this release. */
  force?: boolean;
  /** With releaseTask: fail at once when another release holds the lock, instead of waiting. */
  noWait?: boolean;
  pull?: PullPolicy;
  /** Registry credentials for the pull: `USER:env:VARIABLE` or `USER:file:PATH` (see README, Registries). */
  registryAuth?: string;
  /** Seconds between forwarding SIGTERM and killing the one-off (default 10, as docker stop). */
  stopTimeoutSeconds?: number;
  /** Stop the one-off after this long: `10m`, `1h30m`, `90` (seconds). Exit 124. */
  timeout?: string;
  /** Hold this engine-enforced lock while running; a second holder is refused. */
  lock?: string;
  /** With `lock`: wait for it instead of failing, up to this long (`true`: no limit). */
  waitLock?: string | true;
  dryRun?: boolean;
  quiet?: boolean;
  /** Say which config file is used (even with quiet). */
  debug?: boolean;
  /** Start the one-off and return at once; it is kept after it ends for `keepFor`. */
  detach?: boolean;
  /** With detach: how long to keep it after it ends (`24h` default). */
  keepFor?: string;
  /** The caller wants a machine-readable result: the command's stdout goes to stderr. */
  json?: boolean;
  /** Keep the command's output in the result (bounded) instead of passing it through. */
  capture?: boolean;
  /** Run as a container (docker) or as a Swarm job (swarm); default ONEOFF_ENGINE, then engine: in oneoff.yaml. */
  engine?: EngineKind;
  /** Swarm placement constraints, e.g. `node.hostname==db1`. */
  constraints?: string[];
  /** `LOCAL:CONTAINER_PATH`: copied into the one-off after create, before start. */
  copyIn?: string[];
  /** `CONTAINER_PATH:LOCAL`: copied out after the command exits, before removal. */
  copyOut?: string[];
  /** The engine's address (unix://, tcp://, ssh://), as docker --host. */
  host?: string;
  /** A docker context, as docker --context. */
  dockerContext?: string;
  /** An environment of oneoff.yaml's `environments:` (default: ONEOFF_ENV). */
  envName?: string;
}

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
  pull: PullPolicy;
  /** --registry-auth: who, and where the password is (never the password itself). */
  registryAuth?: RegistryAuthFlag;
  stopTimeoutSeconds: number;
  timeoutMs?: number;
  lock?: string;
  /** Present when the caller waits for the lock: how long (ms), or Infinity. */
  waitLockMs?: number;
  /** Set for a detached one-off: how long it is kept after it ends (ms). */
  keepForMs?: number;
  /** Where it runs: a container, or a Swarm job (with its placement constraints). */
  engine: EngineKind;
  constraints: string[];
  /** Files copied in before start and out after exit. */
  files: FileCopies;
  /** The secrets this one-off gets (their values are read only when it runs). */
  secrets: SecretDefinition[];
}




export interface ResolveInputs {
  config: AppConfig | undefined;
  options: RunOptions;
  hostEnv: Environment;
  /** Values read from options.envFiles, in order. */
  flagEnvFiles: Array<Record<string, string>>;
  /** Used for the app name when there is no config file. */
  cwdName: string;
  /** Where relative paths in flags (bind mounts) start; default the process's cwd. */
  cwd?: string;
  /** Whether oneoff's own stdin is a terminal (decides -t for `interactive: auto`). */
  stdinIsTTY?: boolean;
  /** Layers from other sources (a running process), under everything in oneoff.yaml. */
  sourceLayers?: SettingsLayer[];
}

export function resolveRunPlan({ config, options: given, hostEnv, flagEnvFiles, cwdName, cwd = process.cwd(), stdinIsTTY = false, sourceLayers = [] }: ResolveInputs): RunPlan {
  const options = given.releaseTask ? releaseTaskOptions(config, given) : given;
  const layers: SettingsLayer[] = [...sourceLayers];
  if (config) layers.push(...config.envFileLayers, config.base);
  const environment = pickEnvironment(config, options.envName, hostEnv);
  if (environment) layers.push(environment.overrides);
  const envRelease = hostEnv.ONEOFF_RELEASE;
  if (envRelease) layers.push({ source: "ONEOFF_RELEASE", settings: { release: envRelease } });

  const { command, task } = chooseCommand(config, options);
  if (task) layers.push(...task.envFileLayers, task.overrides);
  for (const [i, values] of flagEnvFiles.entries()) {
    layers.push({ source: `--env-file ${options.envFiles?.[i] ?? ""}`.trim(), settings: { env: values } });
  }
  layers.push(flagLayer(options, hostEnv, cwd));
  const { interactive, tty } = chooseTerminal(options, task, stdinIsTTY);
  // A terminal session gets the local terminal's type, as docker run -t users expect.
  if (tty && hostEnv.TERM) layers.unshift({ source: "local terminal", settings: { env: { TERM: hostEnv.TERM } } });

  const { settings, provenance } = mergeLayers(layers);
  refuseUndeliverable(settings, provenance, command);
  const reserved = Object.keys(settings.labels).find((label) => label.startsWith(LABEL_PREFIX));
  if (reserved) {
    // ps, reaping and audit trust these labels: a config or flag must not be able to forge them.
    throw new OneoffError(`label ${reserved} (from ${provenance[`labels.${reserved}`]}): labels starting with ${LABEL_PREFIX} are reserved for oneoff`, {
      hint: "use another prefix, such as com.example.",
    });
  }
  const releaseReference = combineImageAndRelease(settings.image, settings.release);
  if (releaseReference === undefined) {
    throw new OneoffError("no release to run", {
      hint: "pass --release IMAGE (a tag, digest or image ID), set ONEOFF_RELEASE, or set image: and release: in oneoff.yaml",
    });
  }
  if (!parseReleaseReference(releaseReference)) {
    throw new OneoffError(`release "${releaseReference}" (from ${provenance.release ?? provenance.image ?? "config"}) is not a valid image reference`, {
      hint: "use repo:tag, repo@sha256:digest or an image ID",
    });
  }
  return {
    app: config?.app ?? cwdName,
    ...(config?.path === undefined ? {} : { configPath: config.path }),
    ...(task ? { task: task.name } : {}),
    command,
    releaseReference,
    settings,
    provenance,
    interactive,
    tty,
    ...detachKeysOf(options, config),
    ...(given.releaseTask ? { release: { force: given.force === true, ledgerKeep: config?.ledgerKeep ?? DEFAULT_LEDGER_KEEP } } : {}),
    pull: options.pull ?? config?.pull ?? "missing",
    ...(options.registryAuth === undefined ? {} : { registryAuth: parseRegistryAuthFlag(options.registryAuth, cwd) }),
    stopTimeoutSeconds: stopTimeoutOf(options, config),
    ...timeoutAndLock(options, task, config),
    ...detachment(options, interactive, tty, task, config),
    ...engineOf(options, config, hostEnv, interactive, tty),
    files: parseFileCopies(options.copyIn, options.copyOut, cwd, options.detach === true),
    secrets: chooseSecrets(config?.secrets, task?.secrets, settings.mounts),
  };
}

function chooseCommand(config: AppConfig | undefined, options: RunOptions) {
  const extra = options.command ?? [];
  if (options.shell) return { command: [...(config?.shell ?? ["/bin/sh"]), ...extra], task: undefined };
  if (options.task === undefined) {
    if (extra.length === 0) {
      const tasks = Object.keys(config?.tasks ?? {});
      throw new OneoffError("nothing to run", {
        hint: tasks.length ? `name a task (${tasks.join(", ")}) or give a command after --` : "give a command after --, e.g. oneoff run -- ./bin/task",
      });
    }
    return { command: extra, task: undefined };
  }
  if (!config) {
    throw new OneoffError(`task "${options.task}": no oneoff.yaml found here or in any parent directory`, {
      hint: `pass --config FILE, or run a command instead: oneoff run -- ${options.task}`,
    });
  }
  const task = config.tasks[options.task];
  if (!task) {
    const suggestion = closest(options.task, Object.keys(config.tasks));
    const known = Object.keys(config.tasks);
    throw new OneoffError(`unknown task "${options.task}" in ${config.path ?? "config"}`, {
      hint: `${suggestion ? `did you mean "${suggestion}"? ` : known.length ? `tasks: ${known.join(", ")}; ` : ""}to run a command instead, put it after --: oneoff run -- ${options.task}`,
    });
  }
  // Extra words after `--` go after the task's own command, as with `npm run task -- args`.
  return { command: [...task.command, ...extra], task };
}

/**
 * A variable or argument the kernel will not pass would only fail inside the container, as
 * "argument list too long" from the command (exit 1, 126): refuse it here, naming it.
 */
function refuseUndeliverable(settings: ProcessSettings, provenance: Record<string, string>, command: readonly string[]): void {
  for (const [name, value] of Object.entries(settings.env)) {
    const problem = envValueProblem(name, value);
    if (problem) throw new OneoffError(`${problem} (from ${provenance[`env.${name}`] ?? "config"})`, { hint: "pass large or binary data as a file instead" });
  }
  for (const word of command) {
    const problem = argumentProblem(word);
    if (problem) throw new OneoffError(`the command: ${problem}`, { hint: "pass large or binary data through stdin (-i) or a file instead" });
  }
  const emptyLabel = Object.keys(settings.labels).find((label) => label === "");
  if (emptyLabel !== undefined) throw new OneoffError(`a label with an empty name (from ${provenance["labels."] ?? "config"})`, { hint: "give every label a name" });
}

/** Later layers win; env and labels merge key by key. */
export function mergeLayers(layers: readonly SettingsLayer[]): { settings: ProcessSettings; provenance: Record<string, string> } {
  const settings: ProcessSettings = { env: userKeyed(), labels: userKeyed() };
  const provenance = userKeyed();
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.settings) as Array<[SettingName, unknown]>) {
      if (value === undefined) continue;
      const origin = layer.locations?.[name] ?? layer.source;
      if (name === "env" || name === "labels") {
        for (const [key, item] of Object.entries(value as Record<string, string>)) {
          settings[name][key] = item;
          provenance[`${name}.${key}`] = origin;
        }
      } else {
        (settings as unknown as Record<string, unknown>)[name] = value;
        provenance[name] = origin;
      }
    }
  }
  return { settings, provenance };
}
