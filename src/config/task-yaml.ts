/**
 * oneoff.yaml's `tasks:` entries, and the readers of values the top level shares with them
 * (durations, commands, one-of-two keys).
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration, secondsToMs } from "../formats/units.js";
import { LOCK_NAME } from "./value-rules.js";
import { splitWords } from "../formats/words.js";
import { YamlReader, type Located } from "./yaml-reader.js";
import { readSetting, SETTING_KEYS } from "./settings-yaml.js";
import type { RecordSetting, SettingsLayer, TaskDefinition } from "../types/config.js";
import { readRecord } from "./record-keys.js";

/** An env_file entry to read: where it is written, and the task it belongs to (none: the app). */
export type EnvFileEntry = Located<string> & { task?: string };

// A task's settings are the app's (but image and release: a task runs the app's release).
const TASK_KEYS = [
  "command",
  "description",
  "interactive",
  "timeout",
  "lock",
  "secrets",
  "record",
  ...SETTING_KEYS.filter((key) => key !== "image" && key !== "release"),
] as const;

export function readTask(
  reader: YamlReader,
  name: string,
  node: Node | null,
  nameNode: Node | null,
  envFiles: EnvFileEntry[],
  dir: string,
  taskSecretNodes: Map<string, Node | null>,
): TaskDefinition {
  const keyPath = `tasks.${name}`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/.test(name)) {
    throw reader.error(nameNode, keyPath, `"${name}" is not a valid task name`, "use letters, digits, _, ., : and -");
  }
  const overrides: SettingsLayer = { source: `task ${name}`, settings: {}, locations: {} };
  // `migrate: bin/migrate` is shorthand for `migrate: { command: bin/migrate }`.
  if (node === null || (isScalar(node) && node.value === null)) {
    throw reader.error(nameNode, keyPath, "a task needs a command", `add "command: [...]" under tasks.${name}`);
  }
  const entries = !isMap(node)
    ? [["command", node, nameNode] as [string, Node | null, Node | null]]
    : reader.entries(node, keyPath, TASK_KEYS);
  refuseBoth(reader, entries, keyPath, "network", "networks");
  let command: string[] | undefined;
  let description: string | undefined;
  let interactive: boolean | "auto" | undefined;
  let timeoutMs: number | undefined;
  let lock: string | undefined;
  let secrets: string[] | undefined;
  let record: RecordSetting | undefined;
  for (const [key, value, keyNode] of entries) {
    const path = `${keyPath}.${key}`;
    if (key === "command") command = readCommand(reader, value, path);
    else if (key === "description") description = reader.string(value, path);
    else if (key === "interactive") interactive = readInteractive(reader, value, path);
    else if (key === "timeout") timeoutMs = readDuration(reader, value, path);
    else if (key === "lock") lock = readLockName(reader, value, path);
    else if (key === "record") record = readRecord(reader, value, path);
    else if (key === "secrets") {
      // `secrets: []` is a task that gets none.
      secrets = isSeq(value) && value.items.length === 0 ? [] : reader.stringList(value, path);
      taskSecretNodes.set(name, value);
    } else if (key === "env_file") {
      for (const file of reader.stringList(value, path)) envFiles.push({ value: file, location: reader.locationOf(value), task: name });
    } else readSetting(reader, overrides, key, value, path, keyNode, dir);
  }
  if (!command) throw reader.error(node ?? nameNode, keyPath, "a task needs a command", `add "command: [...]" under tasks.${name}`);
  return {
    name,
    source: reader.locationOf(nameNode),
    command,
    description,
    interactive,
    timeoutMs,
    lock,
    secrets,
    ...(record === undefined ? {} : { record }),
    overrides,
    envFileLayers: [],
  };
}

function readInteractive(reader: YamlReader, node: Node | null, keyPath: string): boolean | "auto" {
  if (isScalar(node) && node.value === "auto") return "auto";
  if (isScalar(node) && typeof node.value === "boolean") return node.value;
  throw reader.error(node, keyPath, "expected true, false or auto", "true: a terminal session; auto: a terminal when there is one");
}

export function readDuration(reader: YamlReader, node: Node | null, keyPath: string): number {
  // `timeout: 90` is a number of seconds, as docker reads a bare one; text is interpolated first.
  const raw = isScalar(node) && typeof node.value === "number" ? node.value : reader.string(node, keyPath);
  const ms = typeof raw === "number" ? secondsToMs(raw) : parseDuration(raw);
  if (ms === undefined)
    throw reader.error(node, keyPath, `"${raw}" is not a duration`, "use seconds or a number with s, m or h, such as 10m or 1h30m");
  if (ms > MAX_TIMER_MS) throw reader.error(node, keyPath, `"${raw}" is longer than oneoff can time`, `use at most ${MAX_TIMER_TEXT}`);
  return ms;
}

function readLockName(reader: YamlReader, node: Node | null, keyPath: string): string {
  const name = reader.string(node, keyPath);
  if (!LOCK_NAME.test(name)) throw reader.error(node, keyPath, `"${name}" is not a valid lock name`, "use letters, digits, _, . and -");
  return name;
}

export function readCommand(reader: YamlReader, node: Node | null, keyPath: string): string[] {
  const words = reader.stringList(node, keyPath);
  // A list is argv as written; a single string is split into words like a shell would,
  // without expanding anything.
  if (isSeq(node)) {
    if (words.length === 0) throw reader.error(node, keyPath, "the command is empty", "write the command as a list: [program, arg, ...]");
    return words;
  }
  try {
    const argv = splitWords(words[0] ?? "");
    if (argv.length === 0) throw new Error("the command is empty");
    return argv;
  } catch (error) {
    throw reader.error(node, keyPath, (error as Error).message, "write the command as a list: [program, arg, ...]");
  }
}

export function refuseBoth(
  reader: YamlReader,
  entries: Array<[string, Node | null, Node | null]>,
  keyPath: string,
  a: string,
  b: string,
): void {
  const second = entries.filter(([key]) => key === a || key === b)[1];
  if (second) {
    throw reader.error(
      second[2],
      keyPath ? `${keyPath}.${second[0]}` : second[0],
      `both "${a}" and "${b}" are set`,
      `keep only "${b}" (a list)`,
    );
  }
}
