/**
 * A compose service's runtime keys (init, cap_add, tmpfs, ulimits, shm_size, ...) as runtime
 * settings: what compose would give the service's containers, so a one-off from
 * `--service web` can do and see what they can. Pure, like compose.ts.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { RuntimeSettings, Ulimit } from "../types/config.js";
import { isProblem, type AnyRow } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";
import type { YamlReader } from "./yaml-reader.js";

/**
 * The rows of settings/table.ts with a compose key, by its first part: logging holds two
 * (logging.driver, logging.options), blkio_config one (blkio_config.weight).
 */
const ROWS_OF_KEY = new Map<string, AnyRow[]>();
for (const row of SETTINGS) {
  const key = row.compose?.split(".")[0];
  if (key !== undefined) ROWS_OF_KEY.set(key, [...(ROWS_OF_KEY.get(key) ?? []), row]);
}

/** The compose keys this module reads (oneoff.yaml takes them too). */
export const COMPOSE_RUNTIME_KEYS: readonly string[] = [...ROWS_OF_KEY.keys()];
/** Whether `key` is one of the runtime keys. */
export const isRuntimeKey = (key: string): boolean => ROWS_OF_KEY.has(key);

/** The settings a key sets (logging sets logDriver and logOpt). */
export const runtimeSettingsOfKey = (key: string): Array<keyof RuntimeSettings> => (ROWS_OF_KEY.get(key) ?? []).map((row) => row.name);

/** Keys compose writes in a shape of their own, not the flag's: ulimits is a mapping of limits. */
const COMPOSE_SHAPES: Partial<Record<string, (reader: YamlReader, node: Node | null, at: string) => unknown>> = {
  ulimits: readUlimits,
};

/** Reads one runtime key of a service (or of oneoff.yaml, which takes the same keys) into `settings`. */
export function readComposeRuntimeKey(reader: YamlReader, key: string, value: Node | null, at: string, settings: RuntimeSettings): void {
  const rows = ROWS_OF_KEY.get(key) ?? [];
  const own = COMPOSE_SHAPES[key];
  if (own) {
    Object.assign(settings, { [(rows[0] as AnyRow).name]: own(reader, value, at) });
    return;
  }
  // logging.driver, blkio_config.weight: each row's value is one field of a mapping.
  const fields = rows.flatMap((row) => row.compose?.split(".")[1] ?? []);
  const fieldNodes = fields.length ? new Map(reader.entries(value, at, fields).map(([name, node]) => [name, node] as const)) : undefined;
  for (const row of rows) {
    const field = row.compose?.split(".")[1];
    if (field === undefined) Object.assign(settings, { [row.name]: readTableRow(reader, row, value, at) });
    else if (fieldNodes?.has(field))
      Object.assign(settings, { [row.name]: readTableRow(reader, row, fieldNodes.get(field) ?? null, `${at}.${field}`) });
  }
}

/** A key of settings/table.ts's rows, read in its shape and checked by the row's parser. */
function readTableRow(reader: YamlReader, row: AnyRow, node: Node | null, at: string): unknown {
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
  throw reader.error(node, where, `${entry === undefined ? "" : `"${entry}": `}${parsed.problem}`, `see docker run's ${row.flag}`);
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
