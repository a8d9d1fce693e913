/**
 * Flags as a settings layer: the last word on a one-off's settings. Pure.
 */
import { OneoffError } from "../output/errors.js";
import { envEntryValue, envNameProblem } from "../formats/env-rules.js";
import type { Environment } from "../config/interpolate.js";
import type { RunOptions } from "../types/options.js";
import type { ProcessSettings, SettingsLayer } from "../types/config.js";
import { userKeyed } from "../formats/user-keys.js";
import { runtimeFlagSettings } from "./runtime-flags.js";
import { isProblem } from "../settings/row.js";
import { parseLabels } from "../settings/label-row.js";

export function flagLayer(options: RunOptions, hostEnv: Environment, cwd: string): SettingsLayer {
  const settings: Partial<ProcessSettings> = {};
  if (options.release !== undefined) settings.release = options.release;
  if (options.env?.length) {
    settings.env = parseEnvFlags(options.env, hostEnv);
    const cleared = options.env.filter((entry) => !entry.includes("=") && !Object.hasOwn(settings.env ?? {}, entry));
    if (cleared.length) settings.envCleared = [...new Set(cleared)];
  }
  Object.assign(settings, runtimeFlagSettings(options, { dir: cwd }));
  return { source: "flags", settings };
}

export function parseEnvFlags(entries: readonly string[], hostEnv: Environment): Record<string, string> {
  const env = userKeyed();
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const problem = envNameProblem(name);
    // Only the name is shown: the value may be a secret.
    const shown = eq < 0 ? entry : `${name}=...`;
    if (problem)
      throw new OneoffError(`-e "${shown.length > 60 ? `${shown.slice(0, 60)}...` : shown}": ${problem}`, {
        hint: "use -e KEY=VALUE, or -e KEY to pass KEY from your environment",
      });
    const value = envEntryValue(entry, hostEnv);
    if (value !== undefined) env[name] = value;
    // `-e KEY` with KEY unset locally gets no value (flagLayer sends it bare, as docker does).
  }
  return env;
}

/**
 * ONEOFF_LABELS: labels for every one-off started with this environment, comma-separated
 * KEY=VALUE pairs (a CI job's ID, so a pipeline can find its own with `docker ps --filter`;
 * the test suite's per-file run label). Under flags and over oneoff.yaml, as ONEOFF_RELEASE;
 * read as the label row reads --label's entries.
 */
export function parseLabelList(text: string): Record<string, string> {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const labels = parseLabels(entries);
  if (!isProblem(labels)) return labels;
  throw new OneoffError(`ONEOFF_LABELS "${labels.at?.entry ?? text}": ${labels.problem}`, {
    hint: "use ONEOFF_LABELS=KEY=VALUE,KEY=VALUE",
  });
}
