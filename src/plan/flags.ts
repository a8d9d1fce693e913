/**
 * Flags as a settings layer: the last word on a one-off's settings. Pure.
 */
import { OneoffError } from "../output/errors.js";
import type { Environment } from "../config/interpolate.js";
import type { RunOptions } from "../types/options.js";
import type { ProcessSettings, SettingsLayer } from "../types/config.js";
import { runtimeFlagSettings } from "./runtime-flags.js";
import { isProblem } from "../settings/row.js";
import { parseLabels } from "../settings/label-row.js";

export function flagLayer(options: RunOptions, hostEnv: Environment, cwd: string): SettingsLayer {
  const settings: Partial<ProcessSettings> = {};
  if (options.release !== undefined) settings.release = options.release;
  Object.assign(settings, runtimeFlagSettings(options, { env: hostEnv, dir: cwd }));
  return { source: "flags", settings };
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
