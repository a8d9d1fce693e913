/**
 * docker run's runtime flags (--init, --cap-add, --tmpfs, --ulimit, --shm-size, ...) as
 * settings, each value checked as docker checks it: a bad one is one line naming the flag and
 * its value, before anything is created. Pure.
 */
import { OneoffError } from "../output/errors.js";
import { parseMemory } from "../formats/units.js";
import { isExtraHost, isHostname, parseDevice, parsePair, parseTmpfs, parseUlimit, PLATFORM } from "../formats/runtime-values.js";
import type { ProcessSettings } from "../types/config.js";
import type { RuntimeFlags } from "../types/options.js";
import { isProblem, type AnyRow } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";

/** Each value parsed by `parse`, or the flag's one-line refusal with `example`. */
function each<T>(flag: string, values: readonly string[], parse: (value: string) => T | string, example: string): T[] {
  return values.map((value) => {
    const parsed = parse(value);
    if (typeof parsed === "string") throw new OneoffError(`${flag} "${value}": ${parsed}`, { hint: `such as ${flag} ${example}` });
    return parsed;
  });
}

const PID_OR_IPC = /^(host|private|shareable|none|container:[\w.-]+)$/;

export function runtimeFlagSettings(flags: RuntimeFlags): Partial<ProcessSettings> {
  const settings: Partial<ProcessSettings> = {};
  if (flags.init) settings.init = true;
  if (flags.privileged) settings.privileged = true;
  if (flags.readOnly) settings.readOnly = true;
  if (flags.capAdd?.length) settings.capAdd = flags.capAdd;
  if (flags.capDrop?.length) settings.capDrop = flags.capDrop;
  if (flags.securityOpt?.length) settings.securityOpt = flags.securityOpt;
  if (flags.groupAdd?.length) settings.groupAdd = flags.groupAdd;
  if (flags.deviceCgroupRule?.length) settings.deviceCgroupRules = flags.deviceCgroupRule;
  if (flags.dns?.length) settings.dns = flags.dns;
  if (flags.dnsOption?.length) settings.dnsOptions = flags.dnsOption;
  if (flags.dnsSearch?.length) settings.dnsSearch = flags.dnsSearch;
  if (flags.runtime) settings.runtime = flags.runtime;
  if (flags.hostname !== undefined) {
    if (!isHostname(flags.hostname))
      throw new OneoffError(`--hostname "${flags.hostname}": not a host name`, { hint: "letters, digits, - and ., such as shop-console" });
    settings.hostname = flags.hostname;
  }
  if (flags.platform !== undefined) {
    if (!PLATFORM.test(flags.platform))
      throw new OneoffError(`--platform "${flags.platform}": not os/arch[/variant]`, {
        hint: "such as --platform linux/amd64 or linux/arm64/v8",
      });
    settings.platform = flags.platform;
  }
  if (flags.tmpfs?.length) settings.tmpfs = Object.fromEntries(each("--tmpfs", flags.tmpfs, parseTmpfs, "/run:size=64m"));
  if (flags.ulimit?.length) settings.ulimits = each("--ulimit", flags.ulimit, parseUlimit, "nofile=1024:2048");
  if (flags.sysctl?.length) settings.sysctls = Object.fromEntries(each("--sysctl", flags.sysctl, parsePair, "net.core.somaxconn=1024"));
  if (flags.device?.length) settings.devices = each("--device", flags.device, parseDevice, "/dev/fuse:/dev/fuse:rwm");
  if (flags.addHost?.length) {
    const bad = flags.addHost.find((entry) => !isExtraHost(entry));
    if (bad !== undefined) throw new OneoffError(`--add-host "${bad}": not HOST:IP`, { hint: "such as --add-host db:10.0.0.5" });
    settings.extraHosts = flags.addHost;
  }
  if (flags.shmSize !== undefined) {
    const bytes = parseMemory(flags.shmSize);
    if (bytes === undefined) throw new OneoffError(`--shm-size "${flags.shmSize}": not a size`, { hint: "such as --shm-size 96m" });
    settings.shmSizeBytes = bytes;
  }
  for (const [flag, value, name] of [
    ["--pid", flags.pid, "pidMode"],
    ["--ipc", flags.ipc, "ipcMode"],
  ] as const) {
    if (value === undefined) continue;
    if (!PID_OR_IPC.test(value) || (flag === "--pid" && value !== "host" && !value.startsWith("container:")))
      throw new OneoffError(`${flag} "${value}": not a mode docker knows`, {
        hint: flag === "--pid" ? "host, or container:NAME" : "host, private, shareable, none, or container:NAME",
      });
    settings[name] = value;
  }
  // Without --log-driver, the options are for the engine's default driver, as docker has it.
  if (flags.logDriver) settings.logDriver = flags.logDriver;
  if (flags.logOpt?.length) settings.logOptions = Object.fromEntries(each("--log-opt", flags.logOpt, parsePair, "max-size=10m"));
  for (const row of SETTINGS) {
    const given = flags[row.name];
    if (given !== undefined) Object.assign(settings, { [row.name]: settingFromFlag(row, given) });
  }
  return settings;
}

/** A table row's flag as its setting, or the flag's one-line refusal. */
function settingFromFlag(row: AnyRow, given: NonNullable<RuntimeFlags[AnyRow["name"]]>): unknown {
  const parsed = (row.parse as (given: unknown) => unknown)(given);
  if (!isProblem(parsed)) return parsed;
  const shown = Array.isArray(given) ? "" : typeof given === "string" ? ` "${given}"` : "";
  throw new OneoffError(`${row.flag}${shown}: ${parsed.problem}`, { hint: `such as ${row.flag} ${row.example}`.trim() });
}
