/**
 * docker run's settings, one row each, in the order docs/cli.md and the docker run line list
 * them. A new docker flag is a row here (and its tests): the flag on run, shell and release,
 * its oneoff.yaml and compose key, the create body, --dry-run's docker run line, diff, --from
 * and the Swarm job all come from the row. Checks are docker's own, made before anything is
 * created; where the engine alone can judge a value (a cgroup parent), it is passed on.
 */
import { constants } from "node:os";
import { gpusRow } from "./gpus.js";
import { parseCpus } from "../formats/units.js";
import { PLATFORM } from "../formats/runtime-values.js";
import { envRow } from "./env-row.js";
import { integer, list, pairs, size, toggle, word } from "./kinds.js";
import { labelRow } from "./label-row.js";
import { NETWORK_ROWS } from "./network-rows.js";
import { PROCESS_ROWS } from "./process-rows.js";
import { problem, type AnyRow, type SettingRow } from "./row.js";
import { RUNTIME_ROWS } from "./runtime-rows.js";
import { stopTimeoutRow } from "./stop-timeout-row.js";
import { volumeRow } from "./volume-row.js";

export { DEFAULT_SHM_BYTES } from "./runtime-rows.js";

/** Names docker's signal parser takes (SIG optional, any case), numbers 1-64, and RTMIN+n / RTMAX-n. */
function signalProblem(text: string): string | undefined {
  if (/^\d+$/.test(text)) return Number(text) >= 1 && Number(text) <= 64 ? undefined : "not a signal number (1 to 64)";
  const name = text.toUpperCase().replace(/^SIG/, "");
  if (`SIG${name}` in constants.signals || /^RT(MIN(\+\d+)?|MAX(-\d+)?)$/.test(name)) return undefined;
  return "not a signal";
}

const hostOnly = (text: string) => (text === "host" ? undefined : "not host (the only mode docker takes)");

export const SETTINGS: readonly AnyRow[] = [
  envRow(),
  volumeRow(),
  ...PROCESS_ROWS,
  ...NETWORK_ROWS,
  ...RUNTIME_ROWS,
  size(
    {
      name: "memory",
      flag: "--memory",
      short: "-m",
      help: "memory limit, e.g. 512m",
      example: "64m",
      compose: "mem_limit",
      yaml: "memory",
      field: "Memory",
      jobField: "TaskTemplate.Resources.Limits.MemoryBytes",
    },
    { wrong: problem("not a memory size", "use bytes or a number with b, k, m, g, t or p (KiB, MB... too), such as 512m; 0 for no limit") },
  ),
  cpusRow(),
  size(
    {
      name: "memorySwap",
      flag: "--memory-swap",
      help: "memory plus swap, e.g. 1g (-1: unlimited swap); needs --memory",
      example: "1g",
      compose: "memswap_limit",
      field: "MemorySwap",
    },
    { unlimited: true },
  ),
  size({
    name: "memoryReservation",
    flag: "--memory-reservation",
    help: "a soft memory limit, reclaimed down to under pressure, e.g. 256m",
    example: "256m",
    compose: "mem_reservation",
    field: "MemoryReservation",
  }),
  // The engine reads 0 and below as "unlimited" and keeps none: so do the read-back and diff.
  integer(
    {
      name: "pidsLimit",
      flag: "--pids-limit",
      help: "the most processes it may run (-1: unlimited)",
      example: "100",
      compose: "pids_limit",
      field: "PidsLimit",
    },
    { unsetAtOrBelow: 0 },
  ),
  integer({
    name: "cpuShares",
    flag: "--cpu-shares",
    short: "-c",
    help: "relative CPU weight (1024: an equal share)",
    example: "512",
    compose: "cpu_shares",
    field: "CpuShares",
  }),
  word(
    {
      name: "cpusetCpus",
      flag: "--cpuset-cpus",
      help: "the CPUs it may use, e.g. 0-2 or 0,3",
      example: "0-1",
      compose: "cpuset",
      field: "CpusetCpus",
    },
    "<cpus>",
    (text) => (/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text) ? undefined : "not a list of CPUs"),
  ),
  word(
    {
      name: "stopSignal",
      flag: "--stop-signal",
      help: "the signal that stops it (default SIGTERM): sent on --timeout and oneoff stop",
      example: "SIGINT",
      compose: "stop_signal",
      field: "StopSignal",
      part: "Config",
      jobField: "StopSignal",
    },
    "<signal>",
    signalProblem,
  ),
  {
    ...list(
      {
        name: "volumesFrom",
        flag: "--volumes-from",
        help: "mount the volumes of a container, NAME[:ro|:rw] (repeatable)",
        example: "postgres:ro",
        compose: "volumes_from",
        field: "VolumesFrom",
      },
      "<container[:ro|:rw]>",
      (entry) => (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*(:(ro|rw))?$/.test(entry) ? undefined : "is not CONTAINER, CONTAINER:ro or CONTAINER:rw"),
    ),
    // compose names a service of the project, or container:NAME; a one-off mounts a container's.
    fromCompose: (entry: string) =>
      entry.startsWith("container:")
        ? entry.slice("container:".length)
        : problem(`"${entry}" names a service: a one-off mounts a container's volumes, written container:NAME[:ro]`),
  },
  toggle({
    name: "oomKillDisable",
    flag: "--oom-kill-disable",
    help: "never let the kernel's OOM killer stop it (give it --memory too)",
    example: "",
    compose: "oom_kill_disable",
    field: "OomKillDisable",
  }),
  integer(
    {
      name: "blkioWeight",
      flag: "--blkio-weight",
      help: "relative block I/O weight, 10 to 1000",
      example: "300",
      compose: "blkio_config.weight",
      field: "BlkioWeight",
    },
    { range: [10, 1000] },
  ),
  word(
    { name: "userns", flag: "--userns", help: "user namespace: host", example: "host", compose: "userns_mode", field: "UsernsMode" },
    "<mode>",
    hostOnly,
  ),
  word(
    { name: "uts", flag: "--uts", help: "UTS (hostname) namespace: host", example: "host", compose: "uts", field: "UTSMode" },
    "<mode>",
    hostOnly,
  ),
  word(
    {
      name: "cgroupns",
      flag: "--cgroupns",
      help: "cgroup namespace: host or private",
      example: "private",
      compose: "cgroup",
      field: "CgroupnsMode",
    },
    "<mode>",
    (text) => (text === "host" || text === "private" ? undefined : "not host or private"),
    // Every container reads back with a mode: the engine's own (host on cgroup v1) is no setting.
    (value, defaults) => value === (defaults.cgroupns ?? "host"),
  ),
  word(
    {
      name: "cgroupParent",
      flag: "--cgroup-parent",
      help: "the cgroup it is created under",
      example: "batch",
      compose: "cgroup_parent",
      field: "CgroupParent",
    },
    "<cgroup>",
  ),
  pairs({
    name: "storageOpt",
    flag: "--storage-opt",
    help: "a storage driver option, e.g. size=10G (repeatable)",
    example: "size=10G",
    compose: "storage_opt",
    field: "StorageOpt",
  }),
  word(
    {
      name: "isolation",
      flag: "--isolation",
      help: "isolation technology (default, the only one on Linux)",
      example: "default",
      compose: "isolation",
      field: "Isolation",
      jobField: "Isolation",
    },
    "<kind>",
  ),
  stopTimeoutRow(),
  gpusRow(),
  // Also the image pulled and resolved for it (release/resolve.ts reads the setting); sent as the
  // create's platform query, so --from cannot read it back from a container; a job's placement.
  word(
    {
      name: "platform",
      flag: "--platform",
      help: "the image's platform, e.g. linux/amd64: pulled and run for it (\"\": the engine's own)",
      // This machine's, so the docker oracle's row runs it with the local test image.
      example: "linux/amd64",
      compose: "platform",
      field: "platform",
      part: "Query",
      jobCarriedBy: "TaskTemplate.Placement.Platforms",
      // As docker run --platform "" reads it (the local image run, no platform asked of the
      // engine): kept, so it stands over a platform under it, and sent as none.
      emptyIsDefault: true,
    },
    "<os/arch>",
    (text) => (PLATFORM.test(text) ? undefined : problem("not os/arch[/variant]", "such as --platform linux/amd64 or linux/arm64/v8")),
  ),
  // Last, as docker run lines have listed them: oneoff's own labels follow the user's there.
  labelRow(),
];

/** The settings layers merge key by key (a row's byKey): the user's labels. */
export const MERGED_BY_KEY: ReadonlySet<string> = new Set(SETTINGS.filter((row) => row.byKey).map((row) => row.name));

const CPUS_FIX = "use a number such as 0.5, 1.5 or 3/2; 0 for no limit";
/** What parseCpus finds wrong, as the line says it. */
const CPUS_PROBLEMS = {
  "not a number": problem("not a number of CPUs", CPUS_FIX),
  "too precise": problem("too precise: docker takes whole billionths of a CPU", "round it to 9 decimal places or fewer, such as 0.5"),
  "below 0": problem("below 0", CPUS_FIX),
  "too large": problem("more CPUs than any host has", CPUS_FIX),
} as const;

/** NanoCpus as a number of CPUs, exactly: 1 is 0.000000001, never 1e-9. */
function cpusText(nanoCpus: number): string {
  const fraction = String(nanoCpus % 1e9)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return `${Math.floor(nanoCpus / 1e9)}${fraction ? `.${fraction}` : ""}`;
}

/**
 * --cpus: a number of CPUs as the docker CLI reads it (formats/units.ts), sent as billionths of
 * one (NanoCpus); a value that is no whole number of them is refused, as docker refuses it.
 */
function cpusRow(): SettingRow<"cpus"> {
  return {
    name: "cpus",
    shape: "text",
    flag: "--cpus",
    argument: "<number>",
    help: "CPU limit, e.g. 1.5",
    example: "0.5",
    compose: "cpus",
    parse: (text) => {
      const nanoCpus = parseCpus(text);
      return typeof nanoCpus === "number" ? nanoCpus : CPUS_PROBLEMS[nanoCpus];
    },
    api: {
      part: "HostConfig",
      field: "NanoCpus",
      write: (nanoCpus) => nanoCpus,
      read: (value) => (typeof value === "number" && value > 0 ? value : undefined),
    },
    words: (nanoCpus) => [cpusText(nanoCpus)],
    jobField: "TaskTemplate.Resources.Limits.NanoCPUs",
  };
}
