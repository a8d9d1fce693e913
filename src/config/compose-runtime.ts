/**
 * A compose service's runtime keys (init, cap_add, tmpfs, ulimits, shm_size, ...) as runtime
 * settings: what compose would give the service's containers, so a one-off from
 * `--service web` can do and see what they can. Pure, like compose.ts.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { parseMemory } from "../formats/units.js";
import { parseDevice, parsePair, parseTmpfs } from "../formats/runtime-values.js";
import type { RuntimeSettings, Ulimit } from "../types/config.js";
import { isProblem, type AnyRow } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";
import type { YamlReader } from "./yaml-reader.js";

/** The rows of settings/table.ts with a compose key, by its first part (blkio_config of blkio_config.weight). */
const TABLE_ROWS = new Map(SETTINGS.flatMap((row) => (row.compose ? [[row.compose.split(".")[0] as string, row] as const] : [])));

/** The compose keys this module reads (oneoff.yaml takes them too). */
export const COMPOSE_RUNTIME_KEYS = [
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
  ...TABLE_ROWS.keys(),
] as const;
const RUNTIME_KEY_SET = new Set<string>(COMPOSE_RUNTIME_KEYS);
/** Whether `key` is one of the runtime keys. */
export const isRuntimeKey = (key: string): boolean => RUNTIME_KEY_SET.has(key);

/** The setting each key sets (logging sets logOptions too). */
export const RUNTIME_SETTING_OF: Record<string, keyof RuntimeSettings> = {
  init: "init",
  cap_add: "capAdd",
  cap_drop: "capDrop",
  security_opt: "securityOpt",
  tmpfs: "tmpfs",
  ulimits: "ulimits",
  shm_size: "shmSizeBytes",
  group_add: "groupAdd",
  sysctls: "sysctls",
  read_only: "readOnly",
  privileged: "privileged",
  devices: "devices",
  device_cgroup_rules: "deviceCgroupRules",
  pid: "pidMode",
  ipc: "ipcMode",
  runtime: "runtime",
  logging: "logDriver",
  dns_opt: "dnsOptions",
  dns_search: "dnsSearch",
  ...Object.fromEntries([...TABLE_ROWS].map(([key, row]) => [key, row.name])),
};

/** The docker run flag of a key, where its name differs. */
const FLAG_OF: Record<string, string> = { devices: "device", tmpfs: "tmpfs" };

/** Reads one runtime key of a service (or of oneoff.yaml, which takes the same keys) into `settings`. */
export function readComposeRuntimeKey(reader: YamlReader, key: string, value: Node | null, at: string, settings: RuntimeSettings): void {
  const strings = () => reader.stringList(value, at);
  // A parsed value, or the located one-line refusal of what is wrong with it.
  const valid = <T>(parsed: T | string, entry: string, where: string): T => {
    if (typeof parsed === "string") throw reader.error(value, where, `"${entry}": ${parsed}`, `see docker run's --${FLAG_OF[key] ?? key}`);
    return parsed;
  };
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
      settings.tmpfs = Object.fromEntries(strings().map((entry, i) => valid(parseTmpfs(entry), entry, `${at}[${i}]`)));
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
      settings.devices = strings().map((entry, i) => valid(parseDevice(entry), entry, `${at}[${i}]`));
      break;
    case "logging":
      for (const [field, fieldValue] of reader.entries(value, at, ["driver", "options"])) {
        if (field === "driver") settings.logDriver = reader.string(fieldValue, `${at}.driver`);
        else settings.logOptions = reader.stringMap(fieldValue, `${at}.options`, { nullFromEnv: false });
      }
      break;
    default: {
      const row = TABLE_ROWS.get(key);
      if (row) Object.assign(settings, { [row.name]: readTableRow(reader, row, value, at) });
    }
  }
}

/** A key of settings/table.ts's rows, read in its shape and checked by the row's parser. */
function readTableRow(reader: YamlReader, row: AnyRow, node: Node | null, at: string): unknown {
  // blkio_config.weight: the row's value is one field of a mapping.
  const [, field] = (row.compose ?? "").split(".");
  if (field !== undefined) {
    const found = reader.entries(node, at, [field]).find(([name]) => name === field);
    return found ? readTableRow(reader, { ...row, compose: field } as AnyRow, found[1], `${at}.${field}`) : undefined;
  }
  const asFlag = (entry: string) => {
    const text = row.fromCompose ? row.fromCompose(entry) : entry;
    if (isProblem(text)) throw reader.error(node, at, text.problem, `see docker run's ${row.flag}`);
    return text;
  };
  const given =
    row.shape === "switch"
      ? reader.boolean(node, at)
      : row.shape === "list"
        ? reader.stringList(node, at).map(asFlag)
        : row.shape === "map"
          ? isSeq(node)
            ? reader.stringList(node, at)
            : Object.entries(reader.stringMap(node, at, { nullFromEnv: false })).map(([name, entry]) => `${name}=${entry}`)
          : reader.string(node, at);
  // A switch set to false is the engine's default: no setting.
  if (given === false) return undefined;
  const parsed = (row.parse as (given: unknown) => unknown)(given);
  if (isProblem(parsed))
    throw reader.error(node, at, `${typeof given === "string" ? `"${given}": ` : ""}${parsed.problem}`, `see docker run's ${row.flag}`);
  return parsed;
}

function pairsFromList(reader: YamlReader, node: Node | null, at: string): Record<string, string> {
  return Object.fromEntries(
    reader.stringList(node, at).map((entry) => {
      const pair = parsePair(entry);
      if (typeof pair === "string") throw reader.error(node, at, `"${entry}" is ${pair}`, "write it as NAME=VALUE, or as a mapping");
      return pair;
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
