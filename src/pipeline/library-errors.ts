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

/** Each CLI flag and the LibraryRunOptions / EngineOptions key it sets. */
export const OPTION_OF_FLAG: ReadonlyMap<string, string> = new Map([
  // settings/table.ts's rows: the option is named as the flag.
  ...SETTINGS.flatMap((row): Array<[string, string]> => [
    [row.flag, row.name],
    ...(row.short ? [[row.short, row.name] as [string, string]] : []),
  ]),
  ["--config", "config"],
  ["-f", "config"],
  ["--file", "config"],
  ["--from", "from"],
  ["--compose", "compose"],
  ["--service", "service"],
  ["--release", "release"],
  ["-e", "env"],
  ["--env", "env"],
  ["--env-file", "envFiles"],
  ["-u", "user"],
  ["--user", "user"],
  ["-w", "workdir"],
  ["--workdir", "workdir"],
  ["--network", "networks"],
  ["-v", "volumes"],
  ["--volume", "volumes"],
  ["--mount", "mounts"],
  ["--entrypoint", "entrypoint"],
  ["-l", "labels"],
  ["--label", "labels"],
  ["-i", "interactive"],
  ["--interactive", "interactive"],
  ["--no-stdin", "noStdin"],
  ["-t", "tty"],
  ["--tty", "tty"],
  ["-T", "noTty"],
  ["--no-TTY", "noTty"],
  ["--name", "name"],
  ["--detach-keys", "detachKeys"],
  ["--force", "force"],
  ["--no-wait", "noWait"],
  ["--pull", "pull"],
  ["--registry-auth", "registryAuth"],
  ["--stop-timeout", "stopTimeoutSeconds"],
  ["--timeout", "timeout"],
  ["--lock", "lock"],
  ["--wait-lock", "waitLock"],
  ["--dry-run", "dryRun"],
  ["-q", "quiet"],
  ["--quiet", "quiet"],
  ["--debug", "debug"],
  ["-d", "detach"],
  ["--detach", "detach"],
  ["--keep-for", "keepFor"],
  ["--json", "json"],
  ["--capture", "capture"],
  ["--engine", "engine"],
  ["--constraint", "constraints"],
  ["--copy-in", "copyIn"],
  ["--copy-out", "copyOut"],
  ["--copy-out-limit", "copyOutLimit"],
  ["-H", "host"],
  ["--host", "host"],
  ["--context", "dockerContext"],
  ["--env-name", "envName"],
  // docker run's flag that is no row of the table (cli/runtime-options.ts): named as the flag.
  ["--platform", "platform"],
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
