/**
 * Runtime settings (types/config.ts RuntimeSettings) <-> the Engine API's HostConfig, both ways,
 * and how each is shown (diff rows, the docker run line). One table, so --from's copy, the
 * create body, diff and the docker run line cannot disagree on a field. Pure.
 */
import { formatSize } from "../formats/units.js";
import type { ApiPart, EngineDefaults } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";
import type { Device, RuntimeSettings, Ulimit } from "../types/config.js";

export type { EngineDefaults };

/** The HostConfig fields runtime settings set, as the Engine API names them. */
export interface RuntimeHostConfig {
  Init?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  Tmpfs?: Record<string, string> | null;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }> | null;
  ShmSize?: number | null;
  GroupAdd?: string[] | null;
  Sysctls?: Record<string, string> | null;
  ReadonlyRootfs?: boolean | null;
  Privileged?: boolean | null;
  Devices?: Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }> | null;
  DeviceCgroupRules?: string[] | null;
  PidMode?: string | null;
  IpcMode?: string | null;
  Runtime?: string | null;
  LogConfig?: { Type: string; Config?: Record<string, string> | null } | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  /** The fields of settings/table.ts's rows (MemorySwap, PidsLimit, ...), each its row's. */
  [tableField: string]: unknown;
}

/** The container config fields (top level of the create body) settings/table.ts's rows set: StopSignal. */
export type RuntimeConfig = Record<string, unknown>;

/** The engine's /dev/shm size when none is asked for (64 MiB). */
export const DEFAULT_SHM_BYTES = 64 * 2 ** 20;
/** IPC modes that mean "its own namespace", whichever the daemon's default-ipc-mode is. */
const OWN_IPC = new Set(["", "private", "shareable"]);

const list = (values: readonly string[] | null | undefined) => (values?.length ? [...values] : undefined);
const record = (values: Record<string, string> | null | undefined) => (values && Object.keys(values).length ? { ...values } : undefined);
const text = (value: string | null | undefined) => (value ? value : undefined);

/** The runtime settings a container has, from its HostConfig, the engine's defaults left out. */
export function runtimeFromHostConfig(
  host: RuntimeHostConfig,
  defaults: EngineDefaults = {},
  /** The container's config (inspect's Config, or the create body itself), for StopSignal. */
  config: object = {},
): RuntimeSettings {
  const log = host.LogConfig;
  const settings: RuntimeSettings = {
    init: host.Init === true ? true : undefined,
    capAdd: list(host.CapAdd),
    capDrop: list(host.CapDrop),
    securityOpt: list(host.SecurityOpt),
    tmpfs: record(host.Tmpfs),
    ulimits: host.Ulimits?.length ? host.Ulimits.map((limit) => ({ name: limit.Name, soft: limit.Soft, hard: limit.Hard })) : undefined,
    shmSizeBytes: host.ShmSize && host.ShmSize !== DEFAULT_SHM_BYTES ? host.ShmSize : undefined,
    groupAdd: list(host.GroupAdd),
    sysctls: record(host.Sysctls),
    readOnly: host.ReadonlyRootfs === true ? true : undefined,
    privileged: host.Privileged === true ? true : undefined,
    devices: host.Devices?.length
      ? host.Devices.map((device) => ({
          pathOnHost: device.PathOnHost,
          pathInContainer: device.PathInContainer,
          permissions: device.CgroupPermissions,
        }))
      : undefined,
    deviceCgroupRules: list(host.DeviceCgroupRules),
    pidMode: text(host.PidMode),
    ipcMode: OWN_IPC.has(host.IpcMode ?? "") ? undefined : (host.IpcMode ?? undefined),
    runtime: host.Runtime && host.Runtime !== (defaults.runtime ?? "runc") ? host.Runtime : undefined,
    // Options without a driver are the engine's default driver's, as docker run --log-opt gives them.
    logDriver: log?.Type && log.Type !== defaults.logDriver ? log.Type : undefined,
    logOptions: record(log?.Config),
    dnsOptions: list(host.DnsOptions),
    dnsSearch: list(host.DnsSearch),
  };
  const parts: Record<ApiPart, Record<string, unknown>> = { Config: config as RuntimeConfig, HostConfig: host };
  for (const row of SETTINGS) Object.assign(settings, { [row.name]: row.api.read(parts[row.api.part][row.api.field], defaults) });
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as RuntimeSettings;
}

/** The HostConfig fields of the create body for these settings (only those that are set). */
export function hostConfigFromRuntime(settings: RuntimeSettings): RuntimeHostConfig {
  const host: RuntimeHostConfig = {};
  if (settings.init) host.Init = true;
  if (settings.capAdd?.length) host.CapAdd = settings.capAdd;
  if (settings.capDrop?.length) host.CapDrop = settings.capDrop;
  if (settings.securityOpt?.length) host.SecurityOpt = settings.securityOpt;
  if (settings.tmpfs && Object.keys(settings.tmpfs).length) host.Tmpfs = settings.tmpfs;
  if (settings.ulimits?.length) host.Ulimits = settings.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard }));
  if (settings.shmSizeBytes) host.ShmSize = settings.shmSizeBytes;
  if (settings.groupAdd?.length) host.GroupAdd = settings.groupAdd;
  if (settings.sysctls && Object.keys(settings.sysctls).length) host.Sysctls = settings.sysctls;
  if (settings.readOnly) host.ReadonlyRootfs = true;
  if (settings.privileged) host.Privileged = true;
  if (settings.devices?.length)
    host.Devices = settings.devices.map((device) => ({
      PathOnHost: device.pathOnHost,
      PathInContainer: device.pathInContainer,
      CgroupPermissions: device.permissions,
    }));
  if (settings.deviceCgroupRules?.length) host.DeviceCgroupRules = settings.deviceCgroupRules;
  if (settings.pidMode) host.PidMode = settings.pidMode;
  if (settings.ipcMode) host.IpcMode = settings.ipcMode;
  if (settings.runtime) host.Runtime = settings.runtime;
  // Type "" is the engine's default driver, as docker run --log-opt without --log-driver sends it.
  if (settings.logDriver || settings.logOptions) host.LogConfig = { Type: settings.logDriver ?? "", Config: settings.logOptions ?? {} };
  if (settings.dnsOptions?.length) host.DnsOptions = settings.dnsOptions;
  if (settings.dnsSearch?.length) host.DnsSearch = settings.dnsSearch;
  return { ...host, ...tableFields(settings, "HostConfig") };
}

/** The container config fields (the create body's top level) for these settings: StopSignal. */
export function configFromRuntime(settings: RuntimeSettings): RuntimeConfig {
  return tableFields(settings, "Config");
}

/** The Engine API fields of settings/table.ts's rows kept in `part`, for the settings that are set. */
function tableFields(settings: RuntimeSettings, part: ApiPart): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = settings[row.name];
    if (row.api.part === part && value !== undefined) fields[row.api.field] = (row.api.write as (value: unknown) => unknown)(value);
  }
  return fields;
}

const ulimitText = (limit: Ulimit) => `${limit.name}=${limit.soft}:${limit.hard}`;
const deviceText = (device: Device) => `${device.pathOnHost}:${device.pathInContainer}:${device.permissions}`;
const pairs = (values: Record<string, string>, separator: string) =>
  Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => (value === "" && separator === ":" ? key : `${key}${separator}${value}`));

/**
 * Each runtime setting as `docker run` flags, in one order: the diff's rows ("runtime" part)
 * and the equivalent docker run line both come from here. `values` are the flag's arguments
 * (empty for a boolean flag that is set); nothing when the setting is absent.
 */
const RUNTIME_FLAGS: ReadonlyArray<{ flag: string; values: (settings: RuntimeSettings) => string[] | undefined }> = [
  { flag: "--init", values: (s) => (s.init ? [] : undefined) },
  { flag: "--privileged", values: (s) => (s.privileged ? [] : undefined) },
  { flag: "--read-only", values: (s) => (s.readOnly ? [] : undefined) },
  { flag: "--cap-add", values: (s) => s.capAdd },
  { flag: "--cap-drop", values: (s) => s.capDrop },
  { flag: "--security-opt", values: (s) => s.securityOpt },
  { flag: "--tmpfs", values: (s) => (s.tmpfs ? pairs(s.tmpfs, ":") : undefined) },
  { flag: "--ulimit", values: (s) => s.ulimits?.map(ulimitText) },
  { flag: "--shm-size", values: (s) => (s.shmSizeBytes ? [formatSize(s.shmSizeBytes)] : undefined) },
  { flag: "--group-add", values: (s) => s.groupAdd },
  { flag: "--sysctl", values: (s) => (s.sysctls ? pairs(s.sysctls, "=") : undefined) },
  { flag: "--device", values: (s) => s.devices?.map(deviceText) },
  { flag: "--device-cgroup-rule", values: (s) => s.deviceCgroupRules },
  { flag: "--pid", values: (s) => (s.pidMode ? [s.pidMode] : undefined) },
  { flag: "--ipc", values: (s) => (s.ipcMode ? [s.ipcMode] : undefined) },
  { flag: "--runtime", values: (s) => (s.runtime ? [s.runtime] : undefined) },
  { flag: "--log-driver", values: (s) => (s.logDriver ? [s.logDriver] : undefined) },
  { flag: "--log-opt", values: (s) => (s.logOptions ? pairs(s.logOptions, "=") : undefined) },
  { flag: "--dns-option", values: (s) => s.dnsOptions },
  { flag: "--dns-search", values: (s) => s.dnsSearch },
  ...SETTINGS.map((row) => ({
    flag: row.flag,
    values: (s: RuntimeSettings) => {
      const value = s[row.name];
      return value === undefined ? undefined : (row.words as (value: unknown) => string[])(value);
    },
  })),
];

/** The runtime settings as docker run flags (the line's words), in RUNTIME_FLAGS's order. */
export function runtimeFlagWords(settings: RuntimeSettings): string[] {
  return RUNTIME_FLAGS.flatMap(({ flag, values }) => {
    const given = values(settings);
    if (given === undefined) return [];
    return given.length === 0 ? [flag] : given.flatMap((value) => [flag, value]);
  });
}

/**
 * Rows for diff: one per flag, each side shown as its values (sorted where order is not
 * meaning). Capabilities are compared as docker reads them: NET_ADMIN and cap_net_admin are
 * the engine's CAP_NET_ADMIN.
 */
export function runtimeDiffValues(settings: RuntimeSettings): Map<string, string> {
  const capability = (name: string) => name.toUpperCase().replace(/^CAP_/, "");
  return new Map(
    RUNTIME_FLAGS.map(({ flag, values }) => {
      const raw = values(settings);
      const given = flag === "--cap-add" || flag === "--cap-drop" ? raw?.map(capability) : raw;
      return [flag.replace(/^--/, ""), given === undefined ? "" : given.length === 0 ? "yes" : [...given].sort().join(", ")];
    }),
  );
}
