/**
 * `record:` (top level, per environment, per task) and `record_limit:` (top level) in
 * oneoff.yaml: whether a one-off's session is recorded on the engine, and the cap on its cast.
 */
import { isScalar, type Node } from "yaml";
import { parseMemory } from "../formats/units.js";
import type { RecordSetting } from "../types/config.js";
import type { YamlReader } from "./yaml-reader.js";

export function readRecord(reader: YamlReader, node: Node | null, keyPath: string): RecordSetting {
  if (isScalar(node) && (typeof node.value === "boolean" || node.value === "input")) return node.value as RecordSetting;
  throw reader.error(node, keyPath, "expected true, false or input", "true records the session; input also what is typed; false never");
}

export function readRecordLimit(reader: YamlReader, node: Node | null, keyPath: string): number {
  const raw = isScalar(node) && typeof node.value === "number" ? node.value : reader.string(node, keyPath);
  const bytes = parseMemory(raw);
  if (bytes === undefined) throw reader.error(node, keyPath, `"${raw}" is not a size`, "such as 64m or 1g");
  return bytes;
}
