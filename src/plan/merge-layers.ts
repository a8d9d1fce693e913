/**
 * Layers of settings, lowest first, into one set of settings and where each value came from.
 * Pure.
 */
import { userKeyed } from "../formats/user-keys.js";
import { OneoffError } from "../output/errors.js";
import { MERGED_BY_KEY } from "../settings/table.js";
import type { ProcessSettings, SettingName, SettingsLayer } from "../types/config.js";

/** The settings merged key by key: env, and the table's rows that say so (label). */
const BY_KEY: ReadonlySet<string> = new Set(["env", ...MERGED_BY_KEY]);

/** Whether layers merge `name` key by key, so that each key has a value and a place of its own (`env.KEY`, `label.KEY`). */
export const mergedByKey = (name: string): boolean => BY_KEY.has(name);

/**
 * Later layers win; env and labels merge key by key. An env value whose ${VAR} is not set
 * gives way to a value under it (the running process's own, an env file's); with none there,
 * and none over it, the one-off would get it: its error is raised here.
 */
export function mergeLayers(layers: readonly SettingsLayer[]): { settings: ProcessSettings; provenance: Record<string, string> } {
  const settings: ProcessSettings = { env: userKeyed() };
  const provenance = userKeyed();
  const unset = new Map<string, { message: string; hint?: string }>();
  for (const layer of layers) {
    for (const name of Object.keys(layer.settings.env ?? {})) unset.delete(name);
    for (const [name, error] of Object.entries(layer.unsetEnv ?? {})) if (!Object.hasOwn(settings.env, name)) unset.set(name, error);
    for (const [name, value] of Object.entries(layer.settings) as Array<[SettingName, unknown]>) {
      if (value === undefined) continue;
      const origin = layer.locations?.[name] ?? layer.source;
      if (mergedByKey(name)) {
        for (const [key, item] of Object.entries(value as Record<string, string>)) {
          // Made with its first key, so a layer's empty mapping (labels: {}) sets nothing.
          ((settings as unknown as Record<string, Record<string, string>>)[name] ??= userKeyed())[key] = item;
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
