import type { Command } from "commander";
import { OneoffError } from "../output/errors.js";
import type { RunOptions } from "../types/options.js";

/**
 * Splits argv at the first `--`: everything after it is the one-off's command, passed on
 * untouched (never re-parsed by us or by a shell), even words that look like flags.
 */
function splitAtDoubleDash(argv: readonly string[]): { own: string[]; command: string[] | undefined } {
  const index = argv.indexOf("--");
  if (index < 0) return { own: [...argv], command: undefined };
  return { own: argv.slice(0, index), command: argv.slice(index + 1) };
}

/** The program's options that take the next word as their value (main.ts's -H, -c, --env-name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["-H", "--host", "-c", "--context", "--env-name"]);

/** The config file flags, which compose users give before the command's name (`-f other.yaml run`). */
const CONFIG_FILE_OPTIONS = new Set(["-f", "--file", "--config"]);

/** Where the command's name is, as commander will find it: the first word that is neither an option nor an option's value. */
function commandIndex(own: readonly string[]): number {
  for (let i = 0; i < own.length; i++) {
    const word = own[i] as string;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word) || CONFIG_FILE_OPTIONS.has(word)) i++;
    else if (!word.startsWith("-")) return i;
  }
  return -1;
}

/** The command's name as commander will find it: the first word that is neither an option nor a program option's value. */
export function commandWord(own: readonly string[]): string | undefined {
  return own[commandIndex(own)];
}

/**
 * compose's `-f FILE` before the command's name (`oneoff -f other.yaml run ...`), moved after
 * it, where the commands that read oneoff.yaml take it. Left alone for a command that reads
 * no config file (commander then names the unknown option).
 */
export function configFileAfterCommand(argv: readonly string[], readsConfig: boolean): string[] {
  const at = commandIndex(argv);
  if (at < 0 || !readsConfig) return [...argv];
  const before: string[] = [];
  const moved: string[] = [];
  for (let i = 0; i < at; i++) {
    const word = argv[i] as string;
    const withValue = CONFIG_FILE_OPTIONS.has(word) || GLOBAL_OPTIONS_WITH_VALUE.has(word);
    const words = argv.slice(i, withValue ? i + 2 : i + 1);
    if (withValue) i++;
    (CONFIG_FILE_OPTIONS.has(word) || /^--(file|config)=/.test(word) ? moved : before).push(...words);
  }
  return [...before, argv[at] as string, ...moved, ...argv.slice(at + 1)];
}

/**
 * A short flag both the program and the command define (-c: docker's --context before the
 * command's name, docker run's --cpu-shares after it) is the command's after its name, as
 * docker reads `docker -c prod run -c 512`: it is written there as the command's long flag,
 * which commander gives the command. `shared`: such short flags, each with that long flag.
 */
export function commandsOwnShortFlags(own: readonly string[], shared: ReadonlyMap<string, string>): string[] {
  const at = commandIndex(own);
  if (at < 0) return [...own];
  return own.map((word, i) => (i > at ? (shared.get(word) ?? word) : word));
}

/** Whether `word` (an option) takes the next word as its value, as commander reads it: `-e X`, `-ie X`, `--env X`. */
function takesNextWord(word: string, valued: ReadonlySet<string>): boolean {
  if (valued.has(word) || GLOBAL_OPTIONS_WITH_VALUE.has(word)) return true;
  if (word.startsWith("--") || word.length < 3) return false;
  // Short flags run together: the first one that takes a value takes the rest of the word, or the next word.
  for (let i = 1; i < word.length; i++) if (valued.has(`-${word[i]}`)) return i === word.length - 1;
  return false;
}

/**
 * Where oneoff's own words end and the one-off's begin. At the first `--`; and for `run`, after
 * its first word that is neither an option nor an option's value (a task, or the command's
 * name), as `heroku run` and `docker compose run` take a command: `run ls -la /` runs `ls -la /`
 * and `run -e A=1 env` keeps `-e A=1`. A `--` right after that word is still oneoff's, so
 * `run migrate -- ARGS` and `run ls -- -la` mean what they did. `valued`: run's options that
 * take a value.
 */
export function splitOwnWords(argv: readonly string[], valued: ReadonlySet<string>): { own: string[]; command: string[] | undefined } {
  const dashDash = argv.indexOf("--");
  const at = commandIndex(dashDash < 0 ? argv : argv.slice(0, dashDash));
  if (argv[at] !== "run") return splitAtDoubleDash(argv);
  for (let i = at + 1; i < argv.length && argv[i] !== "--"; i++) {
    const word = argv[i] as string;
    if (word.startsWith("-")) {
      if (takesNextWord(word, valued)) i++;
      continue;
    }
    const rest = argv.slice(i + 1);
    return { own: argv.slice(0, i + 1), command: rest[0] === "--" ? rest.slice(1) : rest.length ? rest : undefined };
  }
  return splitAtDoubleDash(argv);
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

/**
 * The flags given among `names`, RunOptions named as the flags are (commander's names: a
 * repeatable flag collects a list, --network gives network), taken as commander read them.
 */
export function sameNameOptions(flags: Record<string, unknown>, names: ReadonlyArray<keyof RunOptions>): RunOptions {
  const options: Record<string, unknown> = {};
  for (const name of names) if (flags[name] !== undefined) options[name] = flags[name];
  return options as RunOptions;
}
