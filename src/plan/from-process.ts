/**
 * --from web means web's image and config. The running process's image stands over
 * oneoff.yaml's release (only --release or ONEOFF_RELEASE, the command line's choice, pick
 * another), and its values stand over oneoff.yaml's `${VAR:-default}` fallbacks, which still
 * fill what it lacks. A value oneoff.yaml sets outright still wins, as documented, and is named
 * with the set-aside release for one line before the run. Pure.
 */
import { combineImageAndRelease } from "../release/reference.js";
import type { ProcessDisagreement } from "../types/plan.js";
import type { ProcessSettings, SettingsLayer } from "../types/config.js";
import { userKeyed } from "../formats/user-keys.js";
import { mergedByKey, mergeLayers } from "./merge-layers.js";

/** The layers, less oneoff.yaml's (`fromFile`) release and its fallbacks for values the process has. */
export function deferToProcess(
  running: SettingsLayer,
  layers: readonly SettingsLayer[],
  fromFile: ReadonlySet<SettingsLayer>,
): SettingsLayer[] {
  return layers.map((layer) => (fromFile.has(layer) ? withoutWhatProcessHas(layer, running) : layer));
}

function withoutWhatProcessHas(layer: SettingsLayer, running: SettingsLayer): SettingsLayer {
  const fallbacks = new Set((layer.defaults ?? []).filter((name) => valueAt(running.settings, name) !== undefined));
  if (layer.settings.release === undefined && fallbacks.size === 0) return layer;
  const settings: Partial<ProcessSettings> = { ...layer.settings };
  delete settings.release;
  for (const name of fallbacks) {
    const [group, key] = splitName(name);
    if (key === undefined) delete (settings as Record<string, unknown>)[group];
    else if (mergedByKey(group)) {
      const byKey = settings as unknown as Record<string, Record<string, string> | undefined>;
      const kept = userKeyed();
      for (const [entry, value] of Object.entries(byKey[group] ?? {})) if (entry !== key) kept[entry] = value;
      byKey[group] = kept;
    }
  }
  return { ...layer, settings };
}

/**
 * What oneoff.yaml says that differs from the process: the release it set aside (unless the
 * command line chose one), and each of the process's values a file layer replaced with another
 * and that still wins after the command line. Undefined when they agree.
 */
export function disagreementWith(
  running: SettingsLayer,
  original: readonly SettingsLayer[],
  fromFile: ReadonlySet<SettingsLayer>,
  final: { settings: ProcessSettings; provenance: Record<string, string> },
): ProcessDisagreement | undefined {
  if (running.running === undefined) return undefined;
  const fileLayers = original.filter((layer) => fromFile.has(layer));
  // For comparing only: an env value whose variable is unset is not this merge's to raise.
  const file = mergeLayers(fileLayers.map(({ unsetEnv: _unset, ...layer }) => layer));
  const releaseSetAside =
    file.settings.release !== undefined && final.provenance.release === running.source
      ? { reference: combineImageAndRelease(file.settings.image, file.settings.release) as string, at: file.provenance.release as string }
      : undefined;
  const overFile = mergeLayers([running, ...deferToProcess(running, fileLayers, fromFile)]);
  const settings: ProcessDisagreement["settings"] = [];
  for (const name of namesOf(running.settings)) {
    const at = overFile.provenance[name];
    const replaced = at !== undefined && at !== running.source && final.provenance[name] === at;
    if (replaced && JSON.stringify(valueAt(final.settings, name)) !== JSON.stringify(valueAt(running.settings, name)))
      settings.push({ name, at });
  }
  if (!releaseSetAside && settings.length === 0) return undefined;
  return { running: running.running, release: releaseSetAside, settings };
}

/** `user`, or `env.KEY` and `label.KEY` for the settings merged key by key; release aside. */
function namesOf(settings: Partial<ProcessSettings>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => {
    if (name === "release" || value === undefined) return [];
    if (mergedByKey(name)) return Object.keys(value as Record<string, string>).map((key) => `${name}.${key}`);
    return [name];
  });
}

function splitName(name: string): [string, string | undefined] {
  const dot = name.indexOf(".");
  return dot < 0 ? [name, undefined] : [name.slice(0, dot), name.slice(dot + 1)];
}

function valueAt(settings: Partial<ProcessSettings>, name: string): unknown {
  const [group, key] = splitName(name);
  const value = (settings as Record<string, unknown>)[group];
  if (key === undefined) return value;
  const map = value as Record<string, string> | undefined;
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * The one line (without `oneoff: `) saying where oneoff.yaml and the process disagree; the
 * release counts only when `releaseDiffers` (the engine knows the two references apart). No
 * value is shown, only names: env values may be secrets.
 */
export function disagreementLine(disagreement: ProcessDisagreement, releaseDiffers: boolean, imageId: string): string | undefined {
  const { process: processName, container } = disagreement.running;
  const parts: string[] = [];
  const release = releaseDiffers ? disagreement.release : undefined;
  if (release) {
    const shortId = imageId.replace(/^sha256:/, "").slice(0, 12);
    parts.push(
      `oneoff.yaml's release ${release.reference} (${release.at}) is not what ${processName} runs (${container}: ${shortId}): running ${processName}'s; --release ${release.reference} runs oneoff.yaml's`,
    );
  }
  if (disagreement.settings.length) {
    const names = disagreement.settings.map((setting) => setting.name.replace(/^(env|label)\./, "$1 "));
    const places = [...new Set(disagreement.settings.map((setting) => setting.at))];
    parts.push(`${names.join(", ")} differ from what ${processName} runs with (set at ${places.join(", ")}, which win)`);
  }
  return parts.length ? parts.join("; ") : undefined;
}
