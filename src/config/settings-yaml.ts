/**
 * One process setting as oneoff.yaml writes it (image, release, env, network, env_file, and
 * the keys of docker run's settings, named as in compose but workdir and memory: volumes,
 * networks, user, entrypoint, platform, init, cap_add, tmpfs, ulimits, extra_hosts, dns, labels, ...), read
 * into a SettingsLayer with where it stands. Shared by the top level, tasks and environments (file.ts).
 */
import { isMap, type Node } from "yaml";
import { envNameProblem, envValueProblem } from "../formats/env-rules.js";
import type { SettingName, SettingsLayer } from "../types/config.js";
import type { YamlReader } from "./yaml-reader.js";
import { userKeyed } from "../formats/user-keys.js";
import { MERGED_BY_KEY } from "../settings/table.js";
import { YAML_RUNTIME_KEYS as RUNTIME_KEYS, isRuntimeKey, readComposeRuntimeKey, runtimeSettingsOfKey } from "./compose-runtime.js";

/** The keys of a process's settings in oneoff.yaml, at the top level, in tasks and environments. */
export const SETTING_KEYS = ["image", "release", "env", "env_file", "network", ...RUNTIME_KEYS] as const;

export function readSetting(
  reader: YamlReader,
  layer: SettingsLayer,
  key: string,
  node: Node | null,
  keyPath: string,
  keyNode: Node | null,
  dir: string,
): void {
  const settings = layer.settings;
  // Where the keys' relative paths start (volumes:); ~ as HOME is compose's rule, not oneoff.yaml's.
  const base = { dir, env: {} };
  const located = (name: SettingName): void => {
    (layer.locations ??= {})[name] = reader.locationOf(keyNode ?? node);
    // Values that are only ${VAR:-default} fallbacks: --from lets the running process's own stand over them.
    const fallbacks =
      MERGED_BY_KEY.has(name) && isMap(node)
        ? reader.entries(node, keyPath).flatMap(([entry, value]) => (reader.tookDefault(value) ? [`${name}.${entry}`] : []))
        : reader.tookDefault(node)
          ? [name]
          : [];
    if (fallbacks.length) (layer.defaults ??= []).push(...fallbacks);
  };
  switch (key) {
    case "image":
      settings.image = reader.string(node, keyPath);
      located("image");
      return;
    case "release":
      settings.release = reader.string(node, keyPath);
      located("release");
      return;
    case "env":
      const env = reader.stringMap(node, keyPath, {
        nullFromEnv: true,
        checkName: envNameProblem,
        onUnset: (name, error) => {
          (layer.unsetEnv ??= userKeyed())[name] = { message: error.message, hint: error.hint };
        },
      });
      for (const [name, value] of Object.entries(env)) {
        const problem = envValueProblem(name, value);
        if (problem) throw reader.error(node, `${keyPath}.${name}`, problem, "pass large or binary data as a file instead");
      }
      settings.env = env;
      located("env");
      return;
    // One network, as docker run's --network: the networks row's (networks:) other key in oneoff.yaml.
    case "network":
      readComposeRuntimeKey(reader, "networks", node, keyPath, settings, "oneoff.yaml", base);
      located("network");
      return;
  }
  // The runtime keys (init, cap_add, tmpfs, ulimits, ...), named and written as in compose.
  if (isRuntimeKey(key, "oneoff.yaml")) {
    readComposeRuntimeKey(reader, key, node, keyPath, settings, "oneoff.yaml", base);
    for (const name of runtimeSettingsOfKey(key, "oneoff.yaml")) located(name);
  }
}
