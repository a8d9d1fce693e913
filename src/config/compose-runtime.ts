/**
 * A compose service's keys of docker run's settings (mem_limit, extra_hosts, init, cap_add,
 * tmpfs, ulimits, ...) as settings: what compose would give the service's containers, so a
 * one-off from `--service web` can do and see what they can. oneoff.yaml takes the same keys
 * (a row's `yaml` where it names one its own way: memory). Pure, like compose.ts.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { RuntimeSettings, Ulimit } from "../types/config.js";
import { splitWords } from "../formats/words.js";
import { isProblem, type AnyRow } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";
import type { YamlReader } from "./yaml-reader.js";
import type { PathBase } from "./compose-paths.js";
import { readVolumeList, readVolumes } from "./compose-volumes.js";

/** Which file a key is read from: a compose file, or oneoff.yaml (which names a few keys its own way: memory). */
export type KeysOf = "compose" | "oneoff.yaml";

/**
 * The rows of settings/table.ts with a key, by its first part: logging holds two
 * (logging.driver, logging.options), blkio_config one (blkio_config.weight).
 */
const ROWS_OF_KEY: Record<KeysOf, Map<string, AnyRow[]>> = { compose: new Map(), "oneoff.yaml": new Map() };
for (const row of SETTINGS) {
  for (const [file, key] of [
    ["compose", row.compose],
    ["oneoff.yaml", row.yaml ?? row.compose],
  ] as const) {
    const first = key?.split(".")[0];
    if (first !== undefined) ROWS_OF_KEY[file].set(first, [...(ROWS_OF_KEY[file].get(first) ?? []), row]);
  }
}

/** The keys of the table's rows that oneoff.yaml takes. */
export const YAML_RUNTIME_KEYS: readonly string[] = [...ROWS_OF_KEY["oneoff.yaml"].keys()];
/** Whether `key` is one of the table's rows' keys in `file`. */
export const isRuntimeKey = (key: string, file: KeysOf): boolean => ROWS_OF_KEY[file].has(key);
/** The row of a setting, by its name. */
const rowNamed = (name: keyof RuntimeSettings): AnyRow => SETTINGS.find((row) => row.name === name) as AnyRow;

/** The settings a key sets (logging sets logDriver and logOpt). */
export const runtimeSettingsOfKey = (key: string, file: KeysOf): Array<keyof RuntimeSettings> =>
  (ROWS_OF_KEY[file].get(key) ?? []).map((row) => row.name);

/** One setting's value written at another place of a compose file (deploy.resources.limits.memory), read as its own key. */
export function readSettingAt(reader: YamlReader, name: keyof RuntimeSettings, node: Node | null, at: string): unknown {
  return readTableRow(reader, rowNamed(name), node, at);
}

/** Keys compose writes in a shape of their own, not the flag's: ulimits is a mapping of limits. */
const COMPOSE_SHAPES: Partial<
  Record<string, (reader: YamlReader, node: Node | null, at: string, file: KeysOf, base: PathBase) => unknown>
> = {
  ulimits: readUlimits,
  // A list of names, or a mapping by name of each network's options (aliases, ...: none a one-off takes).
  networks: (reader, node, at) => (isMap(node) ? reader.entries(node, at).map(([name]) => name) : reader.stringList(node, at)),
  // compose's short and long form (~ under HOME); oneoff.yaml's -v entries, from its folder.
  volumes: (reader, node, at, file, base) =>
    file === "compose" ? readVolumes(reader, node, at, base) : readVolumeList(reader, node, at, base.dir),
};

/**
 * Reads one runtime key of a service (or of oneoff.yaml, which takes the same keys) into
 * `settings`; relative paths (a bind's source) start at `base.dir`.
 */
export function readComposeRuntimeKey(
  reader: YamlReader,
  key: string,
  value: Node | null,
  at: string,
  settings: RuntimeSettings,
  file: KeysOf,
  base: PathBase,
): void {
  const rows = ROWS_OF_KEY[file].get(key) ?? [];
  const own = COMPOSE_SHAPES[key];
  if (own) {
    Object.assign(settings, { [(rows[0] as AnyRow).name]: own(reader, value, at, file, base) });
    return;
  }
  // logging.driver, blkio_config.weight: each row's value is one field of a mapping.
  const fields = rows.flatMap((row) => row.compose?.split(".")[1] ?? []);
  const fieldNodes = fields.length ? new Map(reader.entries(value, at, fields).map(([name, node]) => [name, node] as const)) : undefined;
  for (const row of rows) {
    const field = row.compose?.split(".")[1];
    if (field === undefined) Object.assign(settings, { [row.name]: readTableRow(reader, row, value, at, file) });
    else if (fieldNodes?.has(field))
      Object.assign(settings, { [row.name]: readTableRow(reader, row, fieldNodes.get(field) ?? null, `${at}.${field}`, file) });
  }
}

/**
 * A command's words (entrypoint:) written as one string, split as a shell splits it, as compose
 * does. oneoff.yaml's "" is [""], as `docker run --entrypoint ""`; compose's is no words: both
 * clear the image's entrypoint, and with no command the engine runs the image's CMD for
 * compose's alone (for [""] it answers "No command specified", as docker run does).
 */
function commandWords(reader: YamlReader, node: Node | null, at: string, file: KeysOf): string[] {
  if (isSeq(node)) return reader.stringList(node, at);
  const text = reader.string(node, at);
  if (file === "oneoff.yaml" && text.trim() === "") return [""];
  try {
    return splitWords(text);
  } catch (error) {
    throw reader.error(node, at, (error as Error).message, "close the quote, or write the words as a list");
  }
}

/** A key of settings/table.ts's rows, read in its shape and checked by the row's parser. */
function readTableRow(reader: YamlReader, row: AnyRow, node: Node | null, at: string, file: KeysOf = "compose"): unknown {
  const asFlag = (entry: string) => {
    const text = row.fromCompose ? row.fromCompose(entry) : entry;
    if (isProblem(text)) throw reader.error(node, at, text.problem, text.hint ?? `see docker run's ${row.flag}`);
    return text;
  };
  const given =
    row.shape === "switch"
      ? reader.boolean(node, at)
      : row.shape === "number"
        ? numberOf(reader, row, node, at, file, asFlag)
        : row.shape === "command"
          ? commandWords(reader, node, at, file)
          : row.shape === "list"
            ? row.composeMapping && isMap(node)
              ? Object.entries(reader.stringMap(node, at, { nullFromEnv: false })).map(([name, entry]) => `${name}=${entry}`)
              : reader.stringList(node, at).map(asFlag)
            : row.shape === "map"
              ? isMap(node)
                ? Object.entries(reader.stringMap(node, at, { nullFromEnv: false })).map(([name, entry]) => `${name}=${entry}`)
                : reader.stringList(node, at)
              : reader.string(node, at);
  // A switch set to false stays false, so a task's init: false stands over the top level's true.
  if (given === false) return false;
  const parsed = (row.parse as (given: unknown) => unknown)(given);
  if (!isProblem(parsed)) return parsed;
  // An entry of a list is named with its place (devices[0]); of a mapping, the mapping (written NAME=VALUE).
  const where = parsed.at && isSeq(node) ? `${at}[${parsed.at.index}]` : at;
  const entry = parsed.at?.entry ?? (typeof given === "string" ? given : undefined);
  throw reader.error(
    node,
    where,
    `${entry === undefined ? "" : `"${entry}": `}${parsed.problem}`,
    parsed.hint ?? `see docker run's ${row.flag}`,
  );
}

/** A number row's value: oneoff.yaml's YAML number; compose's own text (stop_grace_period: 1m30s) through fromCompose, then as the flag's. */
function numberOf(reader: YamlReader, row: AnyRow, node: Node | null, at: string, file: KeysOf, asFlag: (entry: string) => string): number {
  if (file === "oneoff.yaml" || !row.fromText) return reader.number(node, at);
  const read = row.fromText(asFlag(reader.string(node, at)));
  if (isProblem(read)) throw reader.error(node, at, read.problem, read.hint);
  return read;
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
