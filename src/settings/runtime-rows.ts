/**
 * The first rows of settings/table.ts: what shapes what the process can do and see (init,
 * privileges and capabilities, tmpfs, ulimits, /dev/shm, groups, sysctls, devices, the PID and
 * IPC namespaces, the OCI runtime, logging, DNS), in the order the docker run line lists them.
 * Pure.
 */
import { parseDevice, parsePair, parseTmpfs, parseUlimit } from "../formats/runtime-values.js";
import type { Device, Ulimit } from "../types/config.js";
import { entries, entryMap, list, size, toggle, word } from "./kinds.js";
import { problem, type AnyRow } from "./row.js";

const PID_OR_IPC = /^(host|private|shareable|none|container:[\w.-]+)$/;
/** IPC modes that mean "its own namespace", whichever the daemon's default-ipc-mode is. */
const OWN_IPC = new Set(["private", "shareable"]);
/** The engine's /dev/shm size when none is asked for (64 MiB). */
export const DEFAULT_SHM_BYTES = 64 * 2 ** 20;
/** docker reads NET_ADMIN, net_admin and CAP_NET_ADMIN as one capability. */
const capability = (name: string) => name.toUpperCase().replace(/^CAP_/, "");
/**
 * The docker CLI sends a capability upper-cased with its CAP_ prefix (ALL as it is), and the
 * engine keeps it so: oneoff sends the same, and gives a read-back one as written on the flag.
 */
const capabilityForm = {
  toApi: (name: string) => (name.toUpperCase() === "ALL" ? "ALL" : `CAP_${capability(name)}`),
  fromApi: (name: string) => (name === "ALL" ? name : capability(name)),
};

export const RUNTIME_ROWS: readonly AnyRow[] = [
  toggle({
    name: "init",
    flag: "--init",
    help: "run an init as PID 1 that forwards signals and reaps processes (docker's --init)",
    example: "",
    compose: "init",
    field: "Init",
    jobField: "Init",
  }),
  // Refused on this machine kind by the engine itself ("unable to apply caps"): docker run is too.
  toggle({
    name: "privileged",
    flag: "--privileged",
    help: "give the one-off extended privileges",
    example: "",
    compose: "privileged",
    field: "Privileged",
  }),
  toggle({
    name: "readOnly",
    flag: "--read-only",
    help: "mount its root filesystem read-only",
    example: "",
    compose: "read_only",
    field: "ReadonlyRootfs",
    jobField: "ReadOnly",
  }),
  list(
    {
      name: "capAdd",
      flag: "--cap-add",
      help: "add a Linux capability (repeatable)",
      example: "NET_ADMIN",
      compose: "cap_add",
      field: "CapAdd",
      jobField: "CapabilityAdd",
      compared: capability,
    },
    "<cap>",
    undefined,
    capabilityForm,
  ),
  list(
    {
      name: "capDrop",
      flag: "--cap-drop",
      help: "drop a Linux capability (repeatable)",
      example: "NET_RAW",
      compose: "cap_drop",
      field: "CapDrop",
      jobField: "CapabilityDrop",
      compared: capability,
    },
    "<cap>",
    undefined,
    capabilityForm,
  ),
  list(
    {
      name: "securityOpt",
      flag: "--security-opt",
      help: "a security option, e.g. no-new-privileges (repeatable)",
      example: "no-new-privileges",
      compose: "security_opt",
      field: "SecurityOpt",
    },
    "<opt>",
  ),
  entryMap(
    {
      name: "tmpfs",
      flag: "--tmpfs",
      help: "mount a tmpfs, e.g. /run:size=64m (repeatable)",
      example: "/run:size=64m",
      compose: "tmpfs",
      field: "Tmpfs",
      jobCarriedBy: "tmpfs mounts",
    },
    "<path[:opts]>",
    // compose writes "/run" or "/run:size=64m,mode=1777", one or a list.
    { parse: parseTmpfs, separator: ":", shape: "list" },
  ),
  entries<"ulimit", Ulimit>(
    {
      name: "ulimit",
      flag: "--ulimit",
      help: "a ulimit, e.g. nofile=1024:2048 (repeatable)",
      example: "nofile=1024:2048",
      compose: "ulimits",
      field: "Ulimits",
      jobField: "Ulimits",
    },
    "<name=soft[:hard]>",
    {
      parse: parseUlimit,
      text: (limit) => `${limit.name}=${limit.soft}:${limit.hard}`,
      toApi: (limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard }),
      fromApi: (api: { Name: string; Soft: number; Hard: number }) => ({ name: api.Name, soft: api.Soft, hard: api.Hard }),
    },
  ),
  size(
    { name: "shmSize", flag: "--shm-size", help: "size of /dev/shm, e.g. 96m", example: "96m", compose: "shm_size", field: "ShmSize" },
    { engineDefault: DEFAULT_SHM_BYTES },
  ),
  // A group ID: a group name must be in the image's /etc/group, which busybox's lacks.
  list(
    {
      name: "groupAdd",
      flag: "--group-add",
      help: "an additional group to run as (repeatable)",
      example: "1234",
      compose: "group_add",
      field: "GroupAdd",
      jobField: "Groups",
    },
    "<group>",
  ),
  entryMap(
    {
      name: "sysctl",
      flag: "--sysctl",
      help: "a namespaced kernel parameter (repeatable)",
      example: "net.core.somaxconn=1024",
      compose: "sysctls",
      field: "Sysctls",
      jobField: "Sysctls",
    },
    "<name=value>",
    { parse: parsePair, separator: "=", shape: "map" },
  ),
  // /dev/null: a device every machine has (the hint shows the device people give, fuse).
  entries<"device", Device>(
    {
      name: "device",
      flag: "--device",
      help: "give it a host device (repeatable)",
      example: "/dev/null",
      compose: "devices",
      field: "Devices",
    },
    "<host[:container[:rwm]]>",
    {
      parse: parseDevice,
      text: (device) => `${device.pathOnHost}:${device.pathInContainer}:${device.permissions}`,
      toApi: (device) => ({
        PathOnHost: device.pathOnHost,
        PathInContainer: device.pathInContainer,
        CgroupPermissions: device.permissions,
      }),
      fromApi: (api: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }) => ({
        pathOnHost: api.PathOnHost,
        pathInContainer: api.PathInContainer,
        permissions: api.CgroupPermissions,
      }),
      hint: "such as --device /dev/fuse:/dev/fuse:rwm",
    },
  ),
  list(
    {
      name: "deviceCgroupRule",
      flag: "--device-cgroup-rule",
      help: "a rule for the devices cgroup, e.g. 'c 10:229 rwm' (repeatable)",
      example: "c 10:229 rwm",
      compose: "device_cgroup_rules",
      field: "DeviceCgroupRules",
    },
    "<rule>",
  ),
  word(
    { name: "pid", flag: "--pid", help: "PID namespace: host, or container:NAME", example: "host", compose: "pid", field: "PidMode" },
    "<mode>",
    (text) =>
      PID_OR_IPC.test(text) && (text === "host" || text.startsWith("container:"))
        ? undefined
        : problem("not a mode docker knows", "host, or container:NAME"),
  ),
  word(
    {
      name: "ipc",
      flag: "--ipc",
      help: "IPC namespace: host, private, shareable, none, or container:NAME",
      example: "host",
      compose: "ipc",
      field: "IpcMode",
    },
    "<mode>",
    (text) => (PID_OR_IPC.test(text) ? undefined : problem("not a mode docker knows", "host, private, shareable, none, or container:NAME")),
    (value) => OWN_IPC.has(value),
  ),
  // io.containerd.runc.v2: a runtime every engine since 20.10 has besides its default (runsc,
  // the one people ask for, is not installed here; runc would read back as the default).
  word(
    {
      name: "runtime",
      flag: "--runtime",
      help: "the OCI runtime, e.g. runsc",
      example: "io.containerd.runc.v2",
      compose: "runtime",
      field: "Runtime",
    },
    "<name>",
    undefined,
    (value, defaults) => value === (defaults.runtime ?? "runc"),
  ),
  word(
    {
      name: "logDriver",
      flag: "--log-driver",
      help: "the one-off's logging driver",
      // Not "none": the oracle reads each side's output back with docker logs, which "none" keeps.
      example: "local",
      compose: "logging.driver",
      field: "LogConfig.Type",
      jobCarriedBy: "TaskTemplate.LogDriver",
    },
    "<driver>",
    undefined,
    (value, defaults) => value === defaults.logDriver,
  ),
  // Without --log-driver, the options are for the engine's default driver, as docker has it.
  entryMap(
    {
      name: "logOpt",
      flag: "--log-opt",
      help: "a logging driver option (repeatable)",
      example: "max-size=10m",
      compose: "logging.options",
      field: "LogConfig.Config",
      jobCarriedBy: "TaskTemplate.LogDriver",
    },
    "<name=value>",
    { parse: parsePair, separator: "=", shape: "map" },
  ),
  list(
    {
      name: "dnsOption",
      flag: "--dns-option",
      help: "a DNS resolver option (repeatable)",
      example: "ndots:2",
      compose: "dns_opt",
      field: "DnsOptions",
      jobField: "DNSConfig.Options",
    },
    "<option>",
  ),
  list(
    {
      name: "dnsSearch",
      flag: "--dns-search",
      help: "a DNS search domain (repeatable)",
      example: "example.internal",
      compose: "dns_search",
      field: "DnsSearch",
      jobField: "DNSConfig.Search",
    },
    "<domain>",
  ),
];
