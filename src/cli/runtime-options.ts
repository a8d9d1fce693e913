/**
 * docker run's flags for a one-off's runtime settings, with docker's names and syntax, on
 * run, shell and release (plan/runtime-flags.ts checks their values): settings/table.ts's rows.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import type { RuntimeFlags } from "../types/options.js";
import { SETTINGS } from "../settings/table.js";
import { isProblem, type AnyRow, type SettingName } from "../settings/row.js";
import { collect } from "./argv.js";

/** The flags of settings/table.ts's rows (of those named, when `names` is given), as each row defines it. */
export function withSettingOptions(command: Command, names?: readonly SettingName[]): Command {
  for (const row of SETTINGS) {
    if (names && !names.includes(row.name)) continue;
    const flag = `${row.short ? `${row.short}, ` : ""}${row.flag}${row.argument ? ` ${row.argument}` : ""}`;
    if (row.repeatable) command.option(flag, row.help, collect);
    else if (row.fromText) command.addOption(new Option(flag, row.help).argParser(numberReader(row.fromText)));
    else command.option(flag, row.help);
    if (row.file) command.option(`${row.file.flag} <file>`, row.file.help, collect);
    if (row.second) command.option(`${row.second.flag} ${row.second.argument}`, row.second.help, collect);
  }
  return command;
}

/** A number flag's text read as commander reads the flag (docker's int flags are read so): a bad one is commander's line, its hint after it. */
function numberReader(fromText: NonNullable<AnyRow["fromText"]>): (text: string) => number {
  return (text) => {
    const read = fromText(text);
    if (isProblem(read)) throw new InvalidArgumentError(read.hint ?? read.problem);
    return read;
  };
}

/** The runtime flags given, by their RunOptions names (a row's file flag's: the setting's name and File; a second flag's: its option). */
export function runtimeFlagsOf(flags: Record<string, unknown>): RuntimeFlags {
  const names = SETTINGS.flatMap((row) => [row.name, ...(row.file ? [`${row.name}File`] : []), ...(row.second ? [row.second.option] : [])]);
  return Object.fromEntries(names.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]])) as RuntimeFlags;
}
