/**
 * The library speaks of options where the CLI speaks of flags. An error is raised once, deep in
 * the pipeline, for both (`--timeout "soon": not a duration`); on its way out of the library
 * (src/index.ts) it names the option instead (`timeout: "soon": not a duration`). One table from
 * each flag of run, shell and release (and the global engine flags) to its option:
 * test/unit/library-flag-table.test.ts holds it to what the CLI's flags set, so it cannot drift
 * from them. Pure.
 */
import { OneoffError } from "../output/errors.js";
import { SETTINGS } from "../settings/table.js";

/** `--env-file` -> `envFile`: the option a long flag sets is named as commander names the flag. */
const optionNamed = (flag: string) => flag.replace(/^--/, "").replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

/** The long flags of run, shell and release (and the global engine flags) that are not rows of settings/table.ts. */
const LONG_FLAGS = [
  ...["--config", "--from", "--compose", "--service", "--release"],
  ...["--interactive"],
  ...["--no-stdin", "--tty", "--name", "--detach-keys", "--force", "--no-wait", "--pull", "--registry-auth"],
  ...["--timeout", "--lock", "--wait-lock", "--dry-run", "--quiet", "--debug", "--detach"],
  ...["--keep-for", "--json", "--capture", "--engine", "--constraint", "--copy-in", "--copy-out", "--copy-out-limit", "--record"],
  ...["--host", "--env-name"],
];

/** Each CLI flag and the LibraryRunOptions / EngineOptions key it sets. */
export const OPTION_OF_FLAG: ReadonlyMap<string, string> = new Map([
  // settings/table.ts's rows: the option is named as the flag.
  ...SETTINGS.flatMap((row): Array<[string, string]> => [
    [row.flag, row.name],
    ...(row.short ? [[row.short, row.name] as [string, string]] : []),
    ...(row.file ? [[row.file.flag, `${row.name}File`] as [string, string]] : []),
    ...(row.second ? [[row.second.flag, row.second.option] as [string, string]] : []),
  ]),
  ...LONG_FLAGS.map((flag): [string, string] => [flag, optionNamed(flag)]),
  // One-letter flags, and the flags whose option is named otherwise.
  ...Object.entries({ "-f": "config", "--file": "config" }),
  ...Object.entries({ "-i": "interactive", "-t": "tty", "-q": "quiet", "-d": "detach" }),
  ...Object.entries({ "-T": "noTty", "--no-TTY": "noTty", "-H": "host", "--context": "dockerContext" }),
]);

// A flag token: at the start or after a space or an opening bracket, and ending at a space,
// the end, or punctuation that ends a clause (so `/srv/--x`, `one-off` and `a-b` are not flags).
const FLAG_TOKEN = /(?<=^|[\s(\[,])--?[A-Za-z][\w-]*(?=$|[\s)\],;:=]|\.(?:\s|$))/g;
// A command line given as advice (`oneoff ps --all`, `docker run --platform ...`): its flags are
// the command's, and stay as they are to the end of its clause.
const COMMAND_LINE = /\b(oneoff|docker|ssh|sh|bash)\s[^;:(),]*$/;

/** `text` with each flag of the table outside quotes and command lines named as its option. */
export function optionsNotFlags(text: string): string {
  // Quoted text is a value (a name, a path, an entry): masked, with its length kept, so neither
  // the flags nor the clause breaks in it count.
  const masked = text.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => `"${"x".repeat(quoted.length - 2)}"`);
  let rewritten = "";
  let from = 0;
  for (const match of masked.matchAll(FLAG_TOKEN)) {
    const option = OPTION_OF_FLAG.get(match[0]);
    const at = match.index;
    if (option === undefined || COMMAND_LINE.test(masked.slice(0, at))) continue;
    // `--memory "512x"` reads as the option and its value: `memory: "512x"`.
    const end = at + match[0].length;
    rewritten += text.slice(from, at) + option + (text.startsWith(' "', end) ? ":" : "");
    from = end;
  }
  return rewritten + text.slice(from);
}

/**
 * An error as it leaves the library: a OneoffError's message and hint name options, not flags.
 * Renamed in place, so it keeps its class (LockHeld, ...), its fields and where it was raised.
 */
export function asLibraryError(error: unknown): unknown {
  if (!(error instanceof OneoffError)) return error;
  const message = optionsNotFlags(error.message);
  if (error.stack?.startsWith(`${error.name}: ${error.message}`))
    error.stack = `${error.name}: ${message}${error.stack.slice(error.name.length + 2 + error.message.length)}`;
  error.message = message;
  if (error.hint !== undefined) Object.defineProperty(error, "hint", { value: optionsNotFlags(error.hint) });
  return error;
}
