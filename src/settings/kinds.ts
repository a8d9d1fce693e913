/**
 * The kinds of docker run setting (a size, a number, a word, a switch, a list, NAME=VALUE
 * entries): how each is parsed, sent to the Engine API, read back and written on a docker run
 * line, so a row of the table says only what is its own. Pure.
 */
import { formatSize, ramInBytes } from "../formats/units.js";
import { parsePair } from "../formats/runtime-values.js";
import { problem, Problem, type ApiPart, type EngineDefaults, type SettingName, type SettingRow, type SettingValue } from "./row.js";

/** What a row says of itself; the kind supplies the rest. */
type Own<K extends SettingName> = Pick<
  SettingRow<K>,
  | "name"
  | "flag"
  | "short"
  | "help"
  | "example"
  | "compose"
  | "yaml"
  | "composeMapping"
  | "jobField"
  | "jobForm"
  | "jobCarriedBy"
  | "compared"
> & {
  field: string;
  part?: ApiPart;
  /** A word given as "" is the engine's default, as docker reads --user "" and --hostname "": kept, so it stands over a setting under it. */
  emptyIsDefault?: boolean;
};

const api = <K extends SettingName>(
  own: Own<K>,
  read: (value: unknown, defaults: EngineDefaults) => SettingValue<K> | undefined,
  write: (value: SettingValue<K>) => unknown = (value) => value,
) => ({ part: own.part ?? ("HostConfig" as const), field: own.field, read, write });

const base = <K extends SettingName>({ field: _field, part: _part, emptyIsDefault: _empty, ...own }: Own<K>) => own;

/**
 * A size in docker's notation (512m, 64MiB, 1g: formats/units.ts); 0 is 0, which the engine
 * reads as none (no limit, its default /dev/shm), as the docker CLI sends it; with `unlimited`,
 * -1 means no limit, as docker's --memory-swap -1; `engineDefault` is what every container reads
 * back with when none is asked for;
 * `wrong` says what is wrong with a value that is no size, where "not a size" is not enough.
 */
export function size<K extends "memory" | "memorySwap" | "memoryReservation" | "shmSize">(
  own: Own<K>,
  options: { unlimited?: boolean; engineDefault?: number; wrong?: Problem } = {},
): SettingRow<K> {
  return {
    ...base(own),
    shape: "text",
    argument: "<size>",
    parse: (given) => {
      const text = given as string;
      if (options.unlimited && text.trim() === "-1") return -1 as SettingValue<K>;
      return (
        (ramInBytes(text) as SettingValue<K> | undefined) ?? options.wrong ?? problem(`not a size${options.unlimited ? " (or -1)" : ""}`)
      );
    },
    api: api(own, (value) =>
      typeof value === "number" && value !== options.engineDefault && (value > 0 || (options.unlimited && value === -1))
        ? (value as SettingValue<K>)
        : undefined,
    ),
    words: (value) => [value === -1 ? "-1" : formatSize(value)],
  };
}

/**
 * A whole number; `empty` is the Engine API's "not set" (0, or null), which reads back as
 * absent; `range` bounds what oneoff sends where the engine would refuse or ignore it.
 */
export function integer<K extends "pidsLimit" | "cpuShares" | "blkioWeight">(
  own: Own<K>,
  options: { range?: [number, number]; unsetAtOrBelow?: number } = {},
): SettingRow<K> {
  const unsetAtOrBelow = options.unsetAtOrBelow ?? 0;
  return {
    ...base(own),
    shape: "text",
    argument: "<number>",
    parse: (text) => {
      const trimmed = String(text).trim();
      if (!/^-?\d+$/.test(trimmed)) return problem("not a whole number");
      const value = Number(trimmed);
      const [low, high] = options.range ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (value < low || value > high) return problem(`not from ${low} to ${high}`);
      return value as SettingValue<K>;
    },
    api: api(own, (value) => (typeof value === "number" && value > unsetAtOrBelow ? (value as SettingValue<K>) : undefined)),
    words: (value) => [String(value)],
  };
}

/** One word, checked by `check` (what is wrong with it, or undefined); `isDefault` reads back as absent. */
export function word<
  K extends
    | "user"
    | "workdir"
    | "hostname"
    | "cpusetCpus"
    | "stopSignal"
    | "userns"
    | "uts"
    | "cgroupns"
    | "cgroupParent"
    | "isolation"
    | "pid"
    | "ipc"
    | "runtime"
    | "logDriver"
    | "platform",
>(
  own: Own<K>,
  argument: `<${string}>`,
  check: (text: string) => string | Problem | undefined = () => undefined,
  isDefault: (value: string, defaults: EngineDefaults) => boolean = () => false,
): SettingRow<K> {
  return {
    ...base(own),
    shape: "text",
    argument,
    parse: (given) => {
      const text = given as string;
      if (text === "") return own.emptyIsDefault ? (text as SettingValue<K>) : problem("empty");
      const wrong = check(text);
      return wrong === undefined ? (text as SettingValue<K>) : typeof wrong === "string" ? problem(wrong) : wrong;
    },
    api: api(own, (value, defaults) =>
      typeof value === "string" && value !== "" && !isDefault(value, defaults) ? (value as SettingValue<K>) : undefined,
    ),
    words: (value) => [value],
  };
}

/** A switch: set, or the engine's default. */
export function toggle<K extends "oomKillDisable" | "init" | "privileged" | "readOnly">(own: Own<K>): SettingRow<K> {
  return {
    ...base(own),
    shape: "switch",
    parse: (given) => (given === true ? (true as SettingValue<K>) : problem("takes no value")),
    api: api(own, (value) => (value === true ? (true as SettingValue<K>) : undefined)),
    words: () => [],
  };
}

/** A repeatable flag whose values are kept in order, each checked by `check`. */
export function list<
  K extends "dns" | "volumesFrom" | "capAdd" | "capDrop" | "securityOpt" | "groupAdd" | "deviceCgroupRule" | "dnsOption" | "dnsSearch",
>(
  own: Own<K>,
  argument: `<${string}>`,
  check: (entry: string) => string | undefined = () => undefined,
  /** How the docker CLI writes each entry into the create body, and how a read-back entry is given as the flag's. */
  engineForm: { toApi(entry: string): string; fromApi(entry: string): string } = { toApi: (entry) => entry, fromApi: (entry) => entry },
): SettingRow<K> {
  return {
    ...base(own),
    shape: "list",
    argument,
    repeatable: true,
    parse: (given) => {
      const entries = given as string[];
      for (const entry of entries) {
        const wrong = check(entry);
        if (wrong !== undefined) return problem(`"${entry}" ${wrong}`);
      }
      return [...entries] as SettingValue<K>;
    },
    api: api(
      own,
      (value) =>
        Array.isArray(value) && value.length ? (value.map((entry) => engineForm.fromApi(String(entry))) as SettingValue<K>) : undefined,
      (value) => (value as string[]).map((entry) => engineForm.toApi(entry)),
    ),
    words: (value) => value,
  };
}

/** A repeatable NAME=VALUE flag, kept as a map (compose writes it as a mapping). */
export function pairs<K extends "storageOpt">(own: Own<K>): SettingRow<K> {
  return {
    ...base(own),
    shape: "map",
    argument: "<name=value>",
    repeatable: true,
    parse: (given) => {
      const entries = given as string[];
      const result: Record<string, string> = Object.create(null);
      for (const entry of entries) {
        const pair = parsePair(entry);
        if (typeof pair === "string") return problem(`"${entry}" is ${pair}`);
        result[pair[0]] = pair[1];
      }
      return result as SettingValue<K>;
    },
    api: api(own, (value) =>
      value && typeof value === "object" && Object.keys(value).length ? ({ ...(value as object) } as SettingValue<K>) : undefined,
    ),
    words: (value) =>
      Object.entries(value as Record<string, string>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, entry]) => `${key}=${entry}`),
  };
}

/** An entry that did not parse: named with its place, `--ulimit "nofile": ...` or `devices[0]: "fuse": ...`. */
const entryProblem = (entry: string, index: number, text: string, hint?: string) => new Problem(text, hint, { entry, index });

/**
 * A repeatable flag each of whose entries is one item of a list (--ulimit nofile=1024:2048,
 * --device /dev/fuse): parsed by `parse`, sent as `toApi` gives it, read back by `fromApi`.
 * `hint` stands for "such as FLAG EXAMPLE" where the example that works here is not the one to show.
 */
export function entries<K extends "addHost" | "ulimit" | "device", T>(
  own: Own<K>,
  argument: `<${string}>`,
  item: { parse(entry: string): T | string; text(item: T): string; toApi(item: T): unknown; fromApi(api: never): T; hint?: string },
): SettingRow<K> {
  return {
    ...base(own),
    shape: "list",
    argument,
    repeatable: true,
    parse: (given) => {
      const parsed: T[] = [];
      for (const [index, entry] of (given as string[]).entries()) {
        const one = item.parse(entry);
        if (typeof one === "string") return entryProblem(entry, index, one, item.hint);
        parsed.push(one);
      }
      return parsed as SettingValue<K>;
    },
    api: api(
      own,
      (value) => (Array.isArray(value) && value.length ? (value.map((one) => item.fromApi(one as never)) as SettingValue<K>) : undefined),
      (value) => (value as T[]).map(item.toApi),
    ),
    words: (value) => (value as T[]).map(item.text),
  };
}

/**
 * A repeatable flag whose entries are KEY, VALUE pairs, kept as a map (--sysctl NAME=VALUE,
 * --tmpfs /run:size=64m): `parse` splits an entry, `separator` joins it again on the docker run
 * line (a tmpfs with no options is its path alone). compose writes such a key as `shape`.
 */
export function entryMap<K extends "tmpfs" | "sysctl" | "logOpt">(
  own: Own<K>,
  argument: `<${string}>`,
  entry: { parse(entry: string): [string, string] | string; separator: "=" | ":"; shape: "list" | "map" },
): SettingRow<K> {
  return {
    ...base(own),
    shape: entry.shape,
    argument,
    repeatable: true,
    parse: (given) => {
      const result: Record<string, string> = Object.create(null);
      for (const [index, text] of (given as string[]).entries()) {
        const pair = entry.parse(text);
        if (typeof pair === "string") return entryProblem(text, index, pair);
        result[pair[0]] = pair[1];
      }
      return result as SettingValue<K>;
    },
    api: api(own, (value) =>
      value && typeof value === "object" && Object.keys(value).length ? ({ ...(value as object) } as SettingValue<K>) : undefined,
    ),
    words: (value) =>
      Object.entries(value as Record<string, string>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, text]) => (text === "" && entry.separator === ":" ? key : `${key}${entry.separator}${text}`)),
  };
}
