/**
 * A compose service's runtime keys (init, cap_add, tmpfs, ulimits, shm_size, ...) as runtime
 * settings: what compose would give the service's containers, so a one-off from
 * `--service web` can do and see what they can. Pure, like compose.ts.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { parseMemory } from "../formats/units.js";
import type { Device, RuntimeSettings, Ulimit } from "../types/config.js";
import type { YamlReader } from "./yaml-reader.js";

/** The compose keys this module reads. */
export const COMPOSE_RUNTIME_KEYS = new Set([
  "init",
  "cap_add",
  "cap_drop",
  "security_opt",
  "tmpfs",
  "ulimits",
  "shm_size",
  "group_add",
  "sysctls",
  "read_only",
  "privileged",
  "devices",
  "device_cgroup_rules",
  "pid",
  "ipc",
  "runtime",
  "logging",
  "dns_opt",
  "dns_search",
]);

/** Reads one runtime key of a service into `settings`. */
export function readComposeRuntimeKey(reader: YamlReader, key: string, value: Node | null, at: string, settings: RuntimeSettings): void {
  const strings = () => reader.stringList(value, at);
  switch (key) {
    case "init":
      settings.init = reader.boolean(value, at);
      break;
    case "read_only":
      settings.readOnly = reader.boolean(value, at);
      break;
    case "privileged":
      settings.privileged = reader.boolean(value, at);
      break;
    case "cap_add":
      settings.capAdd = strings();
      break;
    case "cap_drop":
      settings.capDrop = strings();
      break;
    case "security_opt":
      settings.securityOpt = strings();
      break;
    case "group_add":
      settings.groupAdd = strings();
      break;
    case "device_cgroup_rules":
      settings.deviceCgroupRules = strings();
      break;
    case "dns_opt":
      settings.dnsOptions = strings();
      break;
    case "dns_search":
      settings.dnsSearch = strings();
      break;
    case "pid":
      settings.pidMode = reader.string(value, at);
      break;
    case "ipc":
      settings.ipcMode = reader.string(value, at);
      break;
    case "runtime":
      settings.runtime = reader.string(value, at);
      break;
    case "tmpfs":
      // "/run" or "/run:size=64m,mode=1777", one or a list.
      settings.tmpfs = Object.fromEntries(
        strings().map((entry) => {
          const colon = entry.indexOf(":");
          return colon < 0 ? [entry, ""] : [entry.slice(0, colon), entry.slice(colon + 1)];
        }),
      );
      break;
    case "shm_size": {
      const raw = reader.string(value, at);
      const bytes = parseMemory(raw);
      if (bytes === undefined) throw reader.error(value, at, `"${raw}" is not a size`, "such as 96m or 1g");
      settings.shmSizeBytes = bytes;
      break;
    }
    case "sysctls":
      settings.sysctls = isSeq(value) ? pairsFromList(reader, value, at) : reader.stringMap(value, at, { nullFromEnv: false });
      break;
    case "ulimits":
      settings.ulimits = readUlimits(reader, value, at);
      break;
    case "devices":
      settings.devices = strings().map((entry, i) => readDevice(reader, value, `${at}[${i}]`, entry));
      break;
    case "logging":
      for (const [field, fieldValue] of reader.entries(value, at, ["driver", "options"])) {
        if (field === "driver") settings.logDriver = reader.string(fieldValue, `${at}.driver`);
        else settings.logOptions = reader.stringMap(fieldValue, `${at}.options`, { nullFromEnv: false });
      }
      break;
  }
}

function pairsFromList(reader: YamlReader, node: Node | null, at: string): Record<string, string> {
  return Object.fromEntries(
    reader.stringList(node, at).map((entry) => {
      const eq = entry.indexOf("=");
      if (eq <= 0) throw reader.error(node, at, `"${entry}" is not NAME=VALUE`, "write it as NAME=VALUE, or as a mapping");
      return [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

/** `nofile: 1024` (soft and hard) or `nofile: {soft: 1024, hard: 2048}`. */
function readUlimits(reader: YamlReader, node: Node | null, at: string): Ulimit[] {
  return reader.entries(node, at).map(([name, limit]) => {
    const where = `${at}.${name}`;
    if (isScalar(limit)) {
      const both = reader.number(limit, where);
      return { name, soft: both, hard: both };
    }
    if (!isMap(limit)) throw reader.error(limit, where, "expected a number or {soft, hard}", "such as nofile: {soft: 1024, hard: 2048}");
    const fields = Object.fromEntries(reader.entries(limit, where, ["soft", "hard"]).map(([key, value]) => [key, value]));
    if (!fields.soft || !fields.hard) throw reader.error(limit, where, "needs both soft and hard", "such as {soft: 1024, hard: 2048}");
    return { name, soft: reader.number(fields.soft, `${where}.soft`), hard: reader.number(fields.hard, `${where}.hard`) };
  });
}

/** `/dev/fuse`, `/dev/fuse:/dev/fuse` or `/dev/fuse:/dev/fuse:rwm`, as docker run --device. */
function readDevice(reader: YamlReader, node: Node | null, at: string, entry: string): Device {
  const [host = "", container, permissions] = entry.split(":");
  if (!host.startsWith("/") || (permissions !== undefined && !/^[rwm]+$/.test(permissions))) {
    throw reader.error(node, at, `"${entry}" is not a device`, "write HOST_PATH[:CONTAINER_PATH[:rwm]]");
  }
  return { pathOnHost: host, pathInContainer: container || host, permissions: permissions ?? "rwm" };
}
