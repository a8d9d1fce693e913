/**
 * `oneoff diff`: the one-off oneoff would create, next to a running process. Pure. Secret
 * values are never shown, only whether they differ.
 */
import type { ProcessDefinition } from "../types/process.js";
import { runningEnv } from "../settings/env-row.js";
import type { ContainerSpec } from "./create-body.js";
import { runtimeDiffByKey, runtimeDiffValues, runtimeOfSpec, settingsOver } from "./runtime-settings.js";
import type { RuntimeSettings } from "../types/config.js";

export interface DiffRow {
  /** "image", a docker run flag's name ("volume", "network", "user", "memory"), or "env NAME". */
  what: string;
  oneOff: string;
  running: string;
  same: boolean;
}

/** What the release image sets for every container of it that does not set its own: env, and settings (USER, WORKDIR). */
export interface ImageDefaults {
  env: readonly string[];
  settings: RuntimeSettings;
}

const NO_IMAGE_DEFAULTS: ImageDefaults = { env: [], settings: {} };

/**
 * The variables the one-off's `secrets:` are delivered in (`as: env`), each with its value
 * when diff could read it without side effects (env:, file:), or undefined (a command:, which
 * diff never runs). The same variable holds the secret in the running process too.
 */
export type SecretVariables = ReadonlyMap<string, string | undefined>;

/**
 * Effective values on both sides: the one-off's user, workdir and env are what it will run
 * with once the image's config applies (as the engine reports the running container's), so a
 * one-off that leaves the image's USER and WORKDIR in place is not reported as differing.
 */
export function diffAgainstProcess(
  spec: ContainerSpec,
  runningProcess: ProcessDefinition,
  image: ImageDefaults = NO_IMAGE_DEFAULTS,
  secretVariables: SecretVariables = new Map(),
): DiffRow[] {
  const row = (what: string, oneOff: string, running: string): DiffRow => ({ what, oneOff, running, same: oneOff === running });
  const rows = [row("image", spec.body.Image, runningProcess.imageId)];
  // docker run's settings (volumes, network, user, workdir, init, capabilities, tmpfs, labels, ...): a row for each either side sets.
  // No platform row: a running container's inspect has no os/arch to compare it with. The env row
  // reads both sides' Env lists (the image's under the one-off's), less HOSTNAME, the engine's.
  const ours = settingsOver(
    { ...image.settings, env: runningEnv(image.env) },
    { ...runtimeOfSpec({ ...spec, platform: undefined }), env: runningEnv(spec.body.Env) },
  );
  const theirs = { ...runningProcess.runtime, env: runningEnv(runningProcess.env) };
  const oursRuntime = runtimeDiffValues(ours);
  const theirsRuntime = runtimeDiffValues(theirs);
  for (const [what, value] of oursRuntime) {
    const running = theirsRuntime.get(what) ?? "";
    if (value || running) rows.push(row(what, value, running));
  }
  // Then a row per variable (the env row's diffByKey), a `secrets:` variable masked whatever its name.
  for (const keyed of runtimeDiffByKey(ours, theirs)) {
    const secret = keyed.setting === "env" && secretVariables.has(keyed.key);
    rows.push(secret ? secretVariableRow(keyed.key, secretVariables.get(keyed.key), keyed.theirs) : keyed.row);
  }
  return rows;
}

/**
 * A `secrets:` variable: masked on both sides, whatever its name says. The one-off has it (its
 * value is read when it runs); a value diff did not read is compared by presence alone.
 */
function secretVariableRow(name: string, ours: string | undefined, theirs: string | undefined): DiffRow {
  const what = `env ${name}`;
  if (theirs === undefined)
    return { what, oneOff: ours === undefined ? "(secret, not compared)" : "(secret)", running: "(unset)", same: false };
  if (ours === undefined) return { what, oneOff: "(secret, not compared)", running: "(secret)", same: true };
  const shown = ours === theirs ? "(secret)" : "(secret, differs)";
  return { what, oneOff: shown, running: shown, same: ours === theirs };
}
