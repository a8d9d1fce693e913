/**
 * Layers of settings, lowest first, into one set of settings and where each value came from.
 * Pure.
 */
import { userKeyed } from "../formats/user-keys.js";
import type { ProcessSettings, SettingName, SettingsLayer } from "../types/config.js";

/** Later layers win; env and labels merge key by key. */
export function mergeLayers(layers: readonly SettingsLayer[]): { settings: ProcessSettings; provenance: Record<string, string> } {
  const settings: ProcessSettings = { env: userKeyed(), labels: userKeyed() };
  const provenance = userKeyed();
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.settings) as Array<[SettingName, unknown]>) {
      if (value === undefined) continue;
      const origin = layer.locations?.[name] ?? layer.source;
      if (name === "env" || name === "labels") {
        for (const [key, item] of Object.entries(value as Record<string, string>)) {
          settings[name][key] = item;
          provenance[`${name}.${key}`] = origin;
        }
      } else {
        (settings as unknown as Record<string, unknown>)[name] = value;
        provenance[name] = origin;
      }
    }
  }
  return { settings, provenance };
}
