/**
 * `history_keep:` in oneoff.yaml: how many run records of the app the engine keeps, and for how
 * long: `history_keep: 1000`, or `history_keep: {count: 1000, age: 30d}` (either or both).
 */
import { isMap, type Node } from "yaml";
import { parseAge } from "../formats/units.js";
import type { YamlReader } from "./yaml-reader.js";

/** Records kept per app when history_keep: does not say (about a week of a CI job every 10 minutes). */
const DEFAULT_COUNT = 1000;

export function readHistoryKeep(reader: YamlReader, value: Node | null, key: string): { count: number; ageMs?: number } {
  const count = (node: Node | null, at: string) => {
    const keep = reader.number(node, at);
    if (!Number.isInteger(keep) || keep < 1) throw reader.error(node, at, "must be a whole number of at least 1", "such as 1000");
    return keep;
  };
  if (!isMap(value)) return { count: count(value, key) };
  const keep: { count: number; ageMs?: number } = { count: DEFAULT_COUNT };
  for (const [field, node] of reader.entries(value, key, ["count", "age"])) {
    if (field === "count") keep.count = count(node, `${key}.count`);
    else {
      const text = reader.string(node, `${key}.age`);
      const ageMs = parseAge(text);
      if (ageMs === undefined) throw reader.error(node, `${key}.age`, `"${text}" is not an age`, "such as 30d, 2w or 12h");
      keep.ageMs = ageMs;
    }
  }
  return keep;
}
