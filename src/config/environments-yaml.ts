/**
 * `environments:` in oneoff.yaml, read with the rest of the file (file.ts); picking one is
 * environments.ts's.
 */
import type { Node } from "yaml";
import type { EnvironmentDefinition, SettingsLayer } from "../types/config.js";
import type { YamlReader } from "./yaml-reader.js";
import { readRecord } from "./record-keys.js";

const ENVIRONMENT_KEYS = ["host", "context", "release", "env", "record"] as const;

type ReadSetting = (layer: SettingsLayer, key: string, node: Node | null, keyPath: string, keyNode: Node | null) => void;

export function readEnvironments(reader: YamlReader, node: Node | null, readSetting: ReadSetting): Record<string, EnvironmentDefinition> {
  const environments: Record<string, EnvironmentDefinition> = {};
  for (const [name, value, nameNode] of reader.entries(node, "environments")) {
    const keyPath = `environments.${name}`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
      throw reader.error(nameNode, keyPath, `"${name}" is not a valid environment name`, "use letters, digits, _, . and -");
    const environment: EnvironmentDefinition = { name, overrides: { source: `environment ${name}`, settings: {}, locations: {} } };
    for (const [key, setting, keyNode] of reader.entries(value, keyPath, ENVIRONMENT_KEYS)) {
      if (key === "host") environment.host = reader.string(setting, `${keyPath}.host`);
      else if (key === "context") environment.context = reader.string(setting, `${keyPath}.context`);
      else if (key === "record") environment.record = readRecord(reader, setting, `${keyPath}.record`);
      else readSetting(environment.overrides, key, setting, `${keyPath}.${key}`, keyNode);
    }
    if (environment.host !== undefined && environment.context !== undefined) {
      throw reader.error(value, keyPath, "has both host: and context:", "keep one: a context already names its host");
    }
    environments[name] = environment;
  }
  return environments;
}
