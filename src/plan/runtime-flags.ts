/**
 * docker run's runtime flags (--memory, --hostname, --init, --cap-add, --tmpfs, --platform,
 * ...: the settings table's rows) as settings, each value checked as docker checks it: a bad
 * one is one line naming the flag and its value, before anything is created. Pure.
 */
import { OneoffError } from "../output/errors.js";
import type { ProcessSettings } from "../types/config.js";
import type { RuntimeFlags } from "../types/options.js";
import { isProblem, type AnyRow, type ParseContext } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";

export function runtimeFlagSettings(flags: RuntimeFlags, context: ParseContext = { env: {} }): Partial<ProcessSettings> {
  const settings: Partial<ProcessSettings> = {};
  for (const row of SETTINGS) {
    const given = flags[row.name];
    // A library caller's `init: false` or `capAdd: []` asks for nothing, as a flag not given.
    if (given === undefined || given === false || (Array.isArray(given) && given.length === 0)) continue;
    Object.assign(settings, { [row.name]: settingFromFlag(row, given, context) });
  }
  return settings;
}

/** A table row's flag as its setting, or the flag's one-line refusal (naming it as people write it: -e). */
function settingFromFlag(row: AnyRow, given: unknown, context: ParseContext): unknown {
  const parsed = (row.parse as (given: unknown, context: ParseContext) => unknown)(given, context);
  if (!isProblem(parsed)) return parsed;
  const entry = parsed.at?.entry ?? (typeof given === "string" ? given : undefined);
  throw new OneoffError(`${row.shownFlag ?? row.flag}${entry === undefined ? "" : ` "${entry}"`}: ${parsed.problem}`, {
    hint: parsed.hint ?? `such as ${row.flag} ${row.example}`.trim(),
  });
}
