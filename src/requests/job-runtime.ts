/**
 * Runtime settings (init, capabilities, tmpfs, ...) for a Swarm job: what a service's
 * ContainerSpec can carry, and the settings it cannot, which the Swarm backend refuses in one
 * line rather than running a job that silently lacks them. Pure.
 */
import { parseMemory } from "../formats/units.js";
import { setFieldAt } from "../settings/row.js";
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

/** The ContainerSpec fields (and tmpfs mounts) of a job for these settings. */
export function jobRuntime(settings: RuntimeSettings): {
  container: Record<string, unknown>;
  mounts: Array<{ Type: string; Target: string; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }>;
} {
  const container: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = settings[row.name];
    if (row.jobField !== undefined && isSet(value))
      setFieldAt(container, row.jobField, (row.api.write as (value: unknown) => unknown)(value));
  }
  const mounts = Object.entries(settings.tmpfs ?? {}).map(([target, options]) => ({
    Type: "tmpfs",
    Target: target,
    ...(tmpfsOptions(options) && Object.keys(tmpfsOptions(options) ?? {}).length ? { TmpfsOptions: tmpfsOptions(options) } : {}),
  }));
  return { container, mounts };
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
