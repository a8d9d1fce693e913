/**
 * Runtime settings (init, capabilities, tmpfs, ...) for a Swarm job: what a service's
 * ContainerSpec can carry, and the settings it cannot, which the Swarm backend refuses in one
 * line rather than running a job that silently lacks them. Pure.
 */
import { parseMemory } from "../formats/units.js";
import { fieldAt, setFieldAt, type EngineDefaults } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";
import { isSet } from "./runtime-settings.js";
import type { RuntimeSettings } from "../types/config.js";

/** What a job cannot have (settings/table.ts's rows a service has no field for), as `docker run` spells the flag. */
const NOT_FOR_JOBS: ReadonlyArray<[keyof RuntimeSettings, string]> = SETTINGS.filter(
  (row) => row.jobField === undefined && row.jobCarriedBy === undefined,
).map((row) => [row.name, row.flag]);

/** The settings a Swarm job cannot be given (their flags), in a fixed order. */
export function runtimeNotForJobs(settings: RuntimeSettings): Array<[keyof RuntimeSettings, string]> {
  const tmpfsProblem = Object.values(settings.tmpfs ?? {}).some((options) => tmpfsOptions(options) === undefined);
  return [
    ...NOT_FOR_JOBS.filter(([name]) => isSet(settings[name])),
    ...(tmpfsProblem ? [["tmpfs", "--tmpfs with options other than size and mode"] as [keyof RuntimeSettings, string]] : []),
    // A service's LogDriver needs its Name: there is no "the engine's default" to give options to.
    ...(settings.logOpt && !settings.logDriver ? [["logOpt", "--log-opt without --log-driver"] as [keyof RuntimeSettings, string]] : []),
  ];
}

/** A row's job field under the task's template, not the ContainerSpec: TaskTemplate.Resources.Limits.MemoryBytes. */
const TASK = "TaskTemplate.";

/** The ContainerSpec fields, the TaskTemplate's (Resources.Limits) and the tmpfs mounts of a job for these settings. */
export function jobRuntime(settings: RuntimeSettings): {
  container: Record<string, unknown>;
  task: Record<string, unknown>;
  mounts: Array<{ Type: string; Target: string; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }>;
} {
  const container: Record<string, unknown> = {};
  const task: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = settings[row.name];
    if (row.jobField === undefined || !isSet(value)) continue;
    const write = (row.jobForm?.toJob ?? row.api.write) as (value: unknown) => unknown;
    if (row.jobField.startsWith(TASK)) setFieldAt(task, row.jobField.slice(TASK.length), write(value));
    else setFieldAt(container, row.jobField, write(value));
  }
  const mounts = Object.entries(settings.tmpfs ?? {}).map(([target, options]) => {
    const made = tmpfsOptions(options);
    return { Type: "tmpfs", Target: target, TmpfsOptions: made && Object.keys(made).length ? made : undefined };
  });
  return { container, task, mounts };
}

/**
 * The settings `names` as a Swarm service's spec carries them (its TaskTemplate), read back
 * from each row's job field: what a job copies from a service as settings, not by inheriting
 * the service's fields.
 */
export function runtimeFromJob(
  template: Record<string, unknown>,
  names: ReadonlyArray<keyof RuntimeSettings>,
  /** What the engine gives every container, left out (HOSTNAME in Env). */
  defaults: EngineDefaults = {},
): RuntimeSettings {
  const settings: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    if (!names.includes(row.name) || row.jobField === undefined) continue;
    const path = row.jobField.startsWith(TASK) ? row.jobField.slice(TASK.length) : `ContainerSpec.${row.jobField}`;
    const read = (row.jobForm?.fromJob ?? ((value: unknown) => row.api.read(value, defaults))) as (value: unknown) => unknown;
    const value = read(fieldAt(template, path));
    if (value !== undefined) settings[row.name] = value;
  }
  return settings as RuntimeSettings;
}

/** "size=8m,mode=1777" -> a service mount's TmpfsOptions; undefined for options Swarm has no field for. */
function tmpfsOptions(options: string): { SizeBytes?: number; Mode?: number } | undefined {
  const result: { SizeBytes?: number; Mode?: number } = {};
  for (const option of options.split(",").filter(Boolean)) {
    const [key, value = ""] = option.split("=");
    if (key === "size" && parseMemory(value) !== undefined) result.SizeBytes = parseMemory(value);
    else if (key === "mode" && /^[0-7]{3,4}$/.test(value)) result.Mode = parseInt(value, 8);
    else return undefined;
  }
  return result;
}
