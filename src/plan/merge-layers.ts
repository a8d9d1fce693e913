/**
 * Layers of settings, lowest first, into one set of settings and where each value came from.
 * Pure.
 */
import { userKeyed } from "../formats/user-keys.js";
import { OneoffError } from "../output/errors.js";
import { MERGED_BY_KEY } from "../settings/table.js";
import type { ProcessSettings, SettingName, SettingsLayer } from "../types/config.js";

/** Whether layers merge `name` key by key (the table's rows that say so: env, label), so that each key has a value and a place of its own (`env.KEY`, `label.KEY`). */
export const mergedByKey = (name: string): boolean => MERGED_BY_KEY.has(name);

/** Whether `key` of `map` holds a value: an env variable "unset here" (null) holds none. */
const hasValue = (map: Record<string, unknown> | undefined, key: string): boolean =>
  map !== undefined && Object.hasOwn(map, key) && map[key] !== null;

/**
 * Later layers win; env and labels merge key by key, where an env variable "unset here" (null,
 * from -e NAME) never replaces a value under it. An env value whose ${VAR} is not set
 * gives way to a value under it (the running process's own, an env file's); with none there,
 * and none over it, the one-off would get it: its error is raised here.
 */
export function mergeLayers(layers: readonly SettingsLayer[]): { settings: ProcessSettings; provenance: Record<string, string> } {
  const settings: ProcessSettings = { env: userKeyed<string | null>() };
  const provenance = userKeyed();
  const unset = new Map<string, { message: string; hint?: string }>();
  for (const layer of layers) {
    for (const name of Object.keys(layer.settings.env ?? {})) if (hasValue(layer.settings.env, name)) unset.delete(name);
    for (const [name, error] of Object.entries(layer.unsetEnv ?? {})) if (!hasValue(settings.env, name)) unset.set(name, error);
    for (const [name, value] of Object.entries(layer.settings) as Array<[SettingName, unknown]>) {
      if (value === undefined) continue;
      const origin = layer.locations?.[name] ?? layer.source;
      if (mergedByKey(name)) {
        for (const [key, item] of Object.entries(value as Record<string, string | null>)) {
          // Made with its first key, so a layer's empty mapping (labels: {}) sets nothing.
          const merged = ((settings as unknown as Record<string, Record<string, string | null>>)[name] ??= userKeyed());
          if (item === null && hasValue(merged, key)) continue;
          // A value over a null goes where it would alone (the null was never sent as a value).
          if (merged[key] === null) delete merged[key];
          merged[key] = item;
          provenance[`${name}.${key}`] = origin;
        }
      } else {
        (settings as unknown as Record<string, unknown>)[name] = value;
        provenance[name] = origin;
      }
    }
  }
  for (const { message, hint } of unset.values()) throw new OneoffError(message, hint === undefined ? {} : { hint });
  return { settings, provenance };
}
