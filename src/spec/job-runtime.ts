/**
 * Runtime settings (init, capabilities, tmpfs, ...) for a Swarm job: what a service's
 * ContainerSpec can carry, and the settings it cannot, which the Swarm backend refuses in one
 * line rather than running a job that silently lacks them. Pure.
 */
import { parseMemory } from "../formats/units.js";
import { SETTINGS } from "../settings/table.js";
import type { RuntimeSettings } from "../types/config.js";

/** What a job cannot have, as `docker run` spells the flag. */
const NOT_FOR_JOBS: ReadonlyArray<[keyof RuntimeSettings, string]> = [
  ["privileged", "--privileged"],
  ["devices", "--device"],
  ["deviceCgroupRules", "--device-cgroup-rule"],
  ["pidMode", "--pid"],
  ["ipcMode", "--ipc"],
  ["runtime", "--runtime"],
  ["shmSizeBytes", "--shm-size"],
  ["securityOpt", "--security-opt"],
  // settings/table.ts's rows a ContainerSpec has no field for.
  ...SETTINGS.filter((row) => row.jobField === undefined).map((row): [keyof RuntimeSettings, string] => [row.name, row.flag]),
];

/** The settings a Swarm job cannot be given (their flags), in a fixed order. */
export function runtimeNotForJobs(settings: RuntimeSettings): Array<[keyof RuntimeSettings, string]> {
  const tmpfsProblem = Object.values(settings.tmpfs ?? {}).some((options) => tmpfsOptions(options) === undefined);
  return [
    ...NOT_FOR_JOBS.filter(([name]) => settings[name] !== undefined),
    ...(tmpfsProblem ? [["tmpfs", "--tmpfs with options other than size and mode"] as [keyof RuntimeSettings, string]] : []),
    // A service's LogDriver needs its Name: there is no "the engine's default" to give options to.
    ...(settings.logOptions && !settings.logDriver
      ? [["logOptions", "--log-opt without --log-driver"] as [keyof RuntimeSettings, string]]
      : []),
  ];
}

/** The ContainerSpec fields (and tmpfs mounts) of a job for these settings. */
export function jobRuntime(settings: RuntimeSettings): {
  container: Record<string, unknown>;
  mounts: Array<{ Type: string; Target: string; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }>;
} {
  const container: Record<string, unknown> = {
    ...(settings.init ? { Init: true } : {}),
    ...(settings.capAdd?.length ? { CapabilityAdd: settings.capAdd } : {}),
    ...(settings.capDrop?.length ? { CapabilityDrop: settings.capDrop } : {}),
    ...(settings.sysctls ? { Sysctls: settings.sysctls } : {}),
    ...(settings.ulimits?.length
      ? { Ulimits: settings.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard })) }
      : {}),
    ...(settings.readOnly ? { ReadOnly: true } : {}),
    ...(settings.groupAdd?.length ? { Groups: settings.groupAdd } : {}),
    ...Object.fromEntries(
      SETTINGS.flatMap((row) => {
        const value = settings[row.name];
        return row.jobField === undefined || value === undefined
          ? []
          : [[row.jobField, (row.api.write as (value: unknown) => unknown)(value)]];
      }),
    ),
  };
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
