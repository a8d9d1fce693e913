/**
 * docker run's runtime flags (--memory, --hostname, --init, --cap-add, --tmpfs, --platform,
 * -v and --mount, ...: the settings table's rows) as settings, each value checked as docker
 * checks it: a bad one is one line naming the flag and its value, before anything is created.
 * Pure.
 */
import { OneoffError } from "../output/errors.js";
import type { ProcessSettings } from "../types/config.js";
import type { RuntimeFlags } from "../types/options.js";
import { isProblem, type AnyRow, type ParseContext, type Problem } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";

/** The flags given as settings: -e NAME takes its value from `context.env`; relative paths (a bind's source) start at `context.dir`. */
export function runtimeFlagSettings(flags: RuntimeFlags, context: ParseContext = { env: {} }): Partial<ProcessSettings> {
  const settings: Partial<ProcessSettings> = {};
  for (const row of SETTINGS) {
    const given = asked(flags[row.name]);
    // A row's second flag (--mount beside -v): its entries follow the flag's.
    const second = row.second && asked(flags[row.second.option]);
    if (given === undefined && second === undefined) continue;
    const values = [
      ...(given === undefined ? [] : [settingFromFlag(row, given, context)]),
      ...(row.second && second !== undefined ? [fromFlag(row.second.flag, row.second.parse(second as string[], context), second)] : []),
    ];
    Object.assign(settings, { [row.name]: values.length > 1 ? values.flat() : values[0] });
  }
  return settings;
}

/** What a flag asks for: a library caller's `init: false` or `capAdd: []` asks for nothing, as a flag not given. */
const asked = <T>(given: T): T | undefined =>
  given === undefined || given === false || (Array.isArray(given) && given.length === 0) ? undefined : given;

/** A table row's flag as its setting, or the flag's one-line refusal (naming it as people write it: -e, -v). */
function settingFromFlag(row: AnyRow, given: NonNullable<RuntimeFlags[AnyRow["name"]]>, context: ParseContext): unknown {
  const parsed = (row.parse as (given: unknown, context: ParseContext) => unknown)(given, context);
  return fromFlag(row.shownFlag ?? row.flag, parsed, given, `such as ${row.flag} ${row.example}`.trim());
}

function fromFlag(flag: string, parsed: unknown, given: unknown, fix?: string): unknown {
  if (!isProblem(parsed)) return parsed;
  const { problem, at, hint } = parsed as Problem;
  const entry = at?.entry ?? (typeof given === "string" ? given : undefined);
  // A number (--stop-timeout's) is named as written, unquoted.
  const named = entry !== undefined ? ` "${entry}"` : typeof given === "number" ? ` ${given}` : "";
  throw new OneoffError(`${flag}${named}: ${problem}`, { hint: hint ?? fix });
}
