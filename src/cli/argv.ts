import type { Command } from "commander";
import { OneoffError } from "../output/errors.js";

/**
 * Splits argv at the first `--`: everything after it is the one-off's command, passed on
 * untouched (never re-parsed by us or by a shell), even words that look like flags.
 */
export function splitAtDoubleDash(argv: readonly string[]): { own: string[]; command: string[] | undefined } {
  const index = argv.indexOf("--");
  if (index < 0) return { own: [...argv], command: undefined };
  return { own: argv.slice(0, index), command: argv.slice(index + 1) };
}

/** The program's options that take the next word as their value (main.ts's -H, -c, --env-name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["-H", "--host", "-c", "--context", "--env-name"]);

/** The command's name as commander will find it: the first word that is neither an option nor a program option's value. */
export function commandWord(own: readonly string[]): string | undefined {
  for (let i = 0; i < own.length; i++) {
    const word = own[i] as string;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) i++;
    else if (!word.startsWith("-")) return word;
  }
  return undefined;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The config file flags of every command that reads oneoff.yaml are `-f, --file` (as compose's)
 * and `--config`, one setting: the program's preAction hook (main.ts) reads --file as `config`.
 * `-c` is the docker CLI's --context, a program option.
 */
export function configFileAsConfig(action: Command): void {
  const { file, config } = action.opts<{ file?: string; config?: string }>();
  if (file === undefined) return;
  if (config !== undefined && config !== file)
    throw new OneoffError(`--file ${file} and --config ${config} name two config files`, { hint: "give one of them" });
  action.setOptionValue("config", file);
}
