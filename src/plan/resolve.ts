/**
 * Options (from flags or the library) + the app's config -> one RunPlan: what to run, from
 * which release, with which settings, and where each setting came from. Pure.
 *
 * Precedence, lowest first: oneoff.yaml (env_file under env:), ONEOFF_RELEASE, the task's own
 * settings, the files of a row's file flag that are layers of their own (--env-file), then
 * every flag.
 */
import { OneoffError } from "../output/errors.js";
import { combineImageAndRelease, isTagOnly, parseReleaseReference } from "../release/reference.js";
import { configError } from "../config/errors.js";
import { parseRegistryAuthFlag } from "../release/registry-auth.js";
import type { RunOptions } from "../types/options.js";
import type { RunPlan } from "../types/plan.js";
export { mergeLayers };
import { LABEL_PREFIX } from "../requests/labels.js";
import type { Environment } from "../config/interpolate.js";
import type { AppConfig, EnvironmentDefinition, ProcessSettings, SettingsLayer, TaskDefinition } from "../types/config.js";
import { shellLineWithWords } from "../config/procfile.js";
import { argumentProblem, envValueProblem } from "../formats/env-rules.js";
import { kindOf } from "./run-kind.js";
import {
  chooseTerminal,
  DEFAULT_LEDGER_KEEP,
  detachKeysOf,
  detachment,
  releaseTaskOptions,
  containerNaming,
  timeoutAndLock,
} from "./run-modes.js";
import { flagLayer, parseLabelList } from "./flags.js";
import { closest } from "../formats/words.js";
import { mergeLayers } from "./merge-layers.js";
import { deferToProcess, disagreementWith } from "./from-process.js";
import { parseFileCopies } from "./copy-paths.js";
import { recordingChoice } from "./recording-choice.js";
import { chooseSecrets } from "../config/secrets.js";

export interface ResolveInputs {
  config: AppConfig | undefined;
  options: RunOptions;
  hostEnv: Environment;
  /** The files a row's file flag names, a layer each, in order, where the row says so (--env-file's; config/load.ts reads them). */
  settingFiles?: SettingsLayer[];
  /** Used for the app name when there is no config file. */
  cwdName: string;
  /** Where relative paths in flags (bind mounts) start; default the process's cwd. */
  cwd?: string;
  /** Whether oneoff's own stdin is a terminal (decides -t for `interactive: auto`). */
  stdinIsTTY?: boolean;
  /** Layers from other sources (a running process), under everything in oneoff.yaml. */
  sourceLayers?: SettingsLayer[];
  /** The environment --env-name or ONEOFF_ENV named, picked where oneoff.yaml was read (config/environments.ts). */
  environment?: EnvironmentDefinition | undefined;
}

export function resolveRunPlan({
  config,
  options: given,
  hostEnv,
  settingFiles = [],
  cwdName,
  cwd = process.cwd(),
  stdinIsTTY = false,
  sourceLayers = [],
  environment,
}: ResolveInputs): RunPlan {
  const options = given.releaseTask ? releaseTaskOptions(config, given) : given;
  const layers: SettingsLayer[] = [...sourceLayers];
  // What oneoff.yaml (and the env files it names) says, as against the command line and sources.
  const fromFile = new Set<SettingsLayer>();
  const fileSays = (...said: SettingsLayer[]) => {
    for (const layer of said) fromFile.add(layer);
    layers.push(...said);
  };
  if (config) fileSays(...config.envFileLayers, config.base);
  if (environment) fileSays(environment.overrides);
  const envRelease = hostEnv.ONEOFF_RELEASE;
  if (envRelease) layers.push({ source: "ONEOFF_RELEASE", settings: { release: envRelease } });
  const envLabels = hostEnv.ONEOFF_LABELS;
  if (envLabels) layers.push({ source: "ONEOFF_LABELS", settings: { label: parseLabelList(envLabels) } });

  const { command, task } = chooseCommand(config, options);
  if (task) fileSays(...task.envFileLayers, task.overrides);
  layers.push(...settingFiles, flagLayer(options, hostEnv, cwd));
  const { interactive, tty } = chooseTerminal(options, task, stdinIsTTY);
  // A terminal session gets the local terminal's type, as docker run -t users expect: under
  // every layer, written here because the terminal is chosen from the layers (settings/env-row.ts).
  if (tty && hostEnv.TERM) layers.unshift({ source: "local terminal", settings: { env: { TERM: hostEnv.TERM } } });

  const running = sourceLayers.find((layer) => layer.running !== undefined);
  const merged = mergeLayers(running ? deferToProcess(running, layers, fromFile) : layers);
  const { settings, provenance } = merged;
  const disagreement = running ? disagreementWith(running, layers, fromFile, merged) : undefined;
  refuseUndeliverable(settings, provenance, command);
  const reserved = Object.keys(settings.label ?? {}).find((label) => label.startsWith(LABEL_PREFIX));
  if (reserved) {
    // ps, reaping and audit trust these labels: a config or flag must not be able to forge them.
    throw new OneoffError(
      `label ${reserved} (from ${provenance[`label.${reserved}`]}): labels starting with ${LABEL_PREFIX} are reserved for oneoff`,
      {
        hint: "use another prefix, such as com.example.",
      },
    );
  }
  refuseTagWithoutImage(settings, provenance, [config?.base, environment?.overrides]);
  const releaseReference = combineImageAndRelease(settings.image, settings.release);
  if (releaseReference === undefined) {
    throw new OneoffError("no release to run", {
      hint: "pass --release IMAGE (a tag, digest or image ID), set ONEOFF_RELEASE, or set image: and release: in oneoff.yaml",
    });
  }
  if (!parseReleaseReference(releaseReference)) {
    throw new OneoffError(
      `release "${releaseReference}" (from ${provenance.release ?? provenance.image ?? "config"}) is not a valid image reference`,
      {
        hint: "use repo:tag, repo@sha256:digest or an image ID",
      },
    );
  }
  const timing = timeoutAndLock(options, task, config);
  return {
    app: config?.app ?? cwdName,
    configPath: config?.path,
    task: task?.name,
    disagreement,
    command,
    releaseReference,
    settings,
    provenance,
    interactive,
    tty,
    ...detachKeysOf(options, config),
    release: given.releaseTask ? { force: given.force === true, ledgerKeep: config?.ledgerKeep ?? DEFAULT_LEDGER_KEEP } : undefined,
    ...(config?.historyKeep ? { historyKeep: config.historyKeep } : {}),
    ...recordingChoice(options.record, config, environment, task, options.detach),
    ...(environment ? { environment: environment.name } : {}),
    pull: options.pull ?? config?.pull ?? "missing",
    registryAuth: options.registryAuth === undefined ? undefined : parseRegistryAuthFlag(options.registryAuth, cwd),
    ...timing,
    ...containerNaming(options, timing.lock),
    ...detachment(options, interactive, tty, timing.timeoutMs),
    ...kindOf(options, config, hostEnv, { interactive, tty }),
    files: parseFileCopies({
      copyIn: options.copyIn,
      copyOut: options.copyOut,
      copyOutLimit: options.copyOutLimit,
      cwd,
      detach: options.detach === true,
    }),
    secrets: chooseSecrets(
      config?.secrets,
      task?.secrets,
      settings.volume,
      sourceLayers.flatMap((layer) => layer.secrets ?? []),
    ),
  };
}

function chooseCommand(config: AppConfig | undefined, options: RunOptions) {
  const extra = options.command ?? [];
  if (options.shell) return { command: [...(config?.shell ?? ["/bin/sh"]), ...extra], task: undefined };
  if (options.task === undefined) {
    if (extra.length === 0) {
      const tasks = Object.keys(config?.tasks ?? {});
      throw new OneoffError("nothing to run", {
        hint: tasks.length
          ? `name a task (${tasks.join(", ")}) or give a command after --`
          : "give a command after --, e.g. oneoff run -- ./bin/task",
      });
    }
    return { command: extra, task: undefined };
  }
  if (options.taskOrCommand && !(config && Object.hasOwn(config.tasks, options.task)))
    return { command: [options.task, ...extra], task: undefined };
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
  return { command: withWords(task, extra), task };
}

/** A task's command with the words after `--`. */
export function withWords(task: TaskDefinition, words: readonly string[]): string[] {
  // A Procfile line gets them as `heroku run` gives them; any other task's after its own
  // command, as with `npm run task -- args`.
  return task.shellLine === undefined ? [...task.command, ...words] : shellLineWithWords(task.name, task.shellLine, words);
}

/**
 * `release: v1` in oneoff.yaml names a tag of `image:`; without one, the engine would pull
 * `v1:latest` from Docker Hub. (--release v1 stays a name, as in `docker run v1`.)
 */
function refuseTagWithoutImage(
  settings: ProcessSettings,
  provenance: Record<string, string>,
  yamlLayers: ReadonlyArray<SettingsLayer | undefined>,
): void {
  const at = provenance.release;
  if (settings.image || settings.release === undefined || !isTagOnly(settings.release)) return;
  if (at === undefined || !yamlLayers.some((layer) => layer?.locations?.release === at)) return;
  throw configError(
    at,
    "release",
    `"${settings.release}" is a tag of image:, which is missing`,
    `add image: with the app's repository, such as image: registry.example.com/shop, or write release: as a full reference, such as shop:${settings.release}`,
  );
}

/**
 * A variable or argument the kernel will not pass would only fail inside the container, as
 * "argument list too long" from the command (exit 1, 126): refuse it here, naming it.
 */
function refuseUndeliverable(settings: ProcessSettings, provenance: Record<string, string>, command: readonly string[]): void {
  for (const [name, value] of Object.entries(settings.env)) {
    const problem = value === null ? undefined : envValueProblem(name, value);
    if (problem)
      throw new OneoffError(`${problem} (from ${provenance[`env.${name}`] ?? "config"})`, {
        hint: "pass large or binary data as a file instead",
      });
  }
  for (const word of command) {
    const problem = argumentProblem(word);
    if (problem)
      throw new OneoffError(`the command: ${problem}`, { hint: "pass large or binary data through stdin (-i) or a file instead" });
  }
  const emptyLabel = Object.keys(settings.label ?? {}).find((label) => label === "");
  if (emptyLabel !== undefined)
    throw new OneoffError(`a label with an empty name (from ${provenance["label."] ?? "config"})`, { hint: "give every label a name" });
}
