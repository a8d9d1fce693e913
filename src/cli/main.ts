/**
 * The CLI's one entry and one exit: parses argv, runs the command, turns every failure into
 * one line on stderr and an exit code. Never calls process.exit (bin/oneoff.js does, after
 * output has drained).
 */
import { Command, CommanderError } from "commander";
import { ExitCode, exitCodeOf, formatErrorLine, OneoffError } from "../output/errors.js";
import { errorDocument, jsonDocument } from "../output/json-document.js";
import { escapeControls } from "../output/escape-controls.js";
import { redactSecretValues } from "../output/redact.js";
import { watchWrites, WriteFailed, writesSettled } from "../output/write-failures.js";
import { VERSION } from "../version.js";
import { commandsOwnShortFlags, commandWord, configFileAfterCommand, configFileAsConfig, splitOwnWords } from "./argv.js";
import { checkCommand } from "./check.js";
import { cleanupCommand } from "./cleanup.js";
import { completionCommand } from "./completion.js";
import { diffCommand } from "./diff.js";
import { tasksCommand } from "./tasks.js";
import { thisProcess, type CliContext, type CliIO, type CliProcess } from "./command.js";
import type { EngineFlags } from "../config/environments.js";
import { historyCommand } from "./history.js";
import { replayCommand } from "./replay.js";
import { attachCommand, logsCommand, psCommand, stopCommand, waitCommand } from "./oneoffs.js";
import { releaseCommand, runCommand, shellCommand } from "./run.js";

/** Every command by its name, in the order help lists them. */
export const COMMANDS: ReadonlyArray<readonly [string, (context: CliContext) => Command]> = [
  ["run", runCommand],
  ["shell", shellCommand],
  ["release", releaseCommand],
  ["ps", psCommand],
  ["logs", logsCommand],
  ["attach", attachCommand],
  ["stop", stopCommand],
  ["wait", waitCommand],
  ["history", historyCommand],
  ["replay", replayCommand],
  ["diff", diffCommand],
  ["tasks", tasksCommand],
  ["check", checkCommand],
  ["cleanup", cleanupCommand],
  ["completion", completionCommand],
];

/** `oneoff ARGV...` in `where`: its streams, terminal, working directory and environment (default this process's). */
export async function main(argv: readonly string[], where: CliProcess = thisProcess()): Promise<number> {
  // Every write to them, the command's and oneoff's own, is watched from here: a failed one
  // is an outcome (output/write-failures.ts), never an unhandled 'error' with a stack trace.
  watchWrites(where.stdout, "stdout");
  watchWrites(where.stderr, "stderr");
  const { code, help } = await parseAndRun(argv, where);
  return afterOutput(code, help, where);
}

/**
 * The exit code once stdout and stderr have taken what was written: a write that failed and
 * that nobody reported makes it 141 (the reader went away: quietly, and 0 for help and
 * --version, as git and docker do) or 125 with one line.
 */
async function afterOutput(code: number, help: boolean, streams: Pick<CliProcess, "stdout" | "stderr">): Promise<number> {
  const failure = (await writesSettled(streams.stdout)) ?? (await writesSettled(streams.stderr));
  if (!failure || failure.reported) return code;
  failure.reported = true;
  if (failure.readerGone) return help ? 0 : failure.exitCode;
  streams.stderr.write(`${formatErrorLine(failure)}\n`);
  return failure.exitCode;
}

async function parseAndRun(argv: readonly string[], where: CliProcess): Promise<{ code: number; help: boolean }> {
  const word = commandWord(argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length));
  // --json (among oneoff's own words): one document on stdout whatever happens; an error
  // document when the command fails before printing its own.
  let documented = false;
  let wantsJson = false;
  const io: CliIO = {
    stdout: where.stdout,
    stderr: where.stderr,
    // Not spread: that would make stdin, which only a command passing it on may do.
    get stdin() {
      return where.stdin;
    },
    stdinIs: where.stdinIs,
    stdoutIsTTY: where.stdoutIsTTY,
    cwd: where.cwd,
    env: where.env,
    document(kind, body) {
      documented = true;
      where.stdout.write(jsonDocument(kind, body));
    },
  };
  const failed = (error: unknown, commandName: string | undefined) => {
    if (wantsJson && !documented) where.stdout.write(errorDocument(commandName ?? "oneoff", error));
  };
  let job: (() => Promise<number>) | undefined;
  const engineFlags = (): EngineFlags => {
    const { host, context: dockerContext, envName } = program.opts<{ host?: string; context?: string; envName?: string }>();
    return { ...(host ? { host } : {}), ...(dockerContext ? { dockerContext } : {}), ...(envName ? { envName } : {}) };
  };
  // afterDashDash and debug are known once argv is split, below: commands read them when they act.
  const context: CliContext = { io, afterDashDash: undefined, act: (work) => (job = work), engineFlags, debug: false };

  // The engine flags are the program's, as docker's -H and --context are, and are taken
  // before or after the command's name: `oneoff -H ssh://host run ...` or `oneoff run -H ...`.
  const program = new Command("oneoff")
    .description("Run admin processes (Twelve-Factor XII) in ephemeral containers from your app's release image and config.")
    .version(VERSION, "-V, --version")
    .option("--debug", "say which config file is used, and show stack traces for errors")
    .option("-H, --host <address>", "the engine: unix:///path, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT] (default: DOCKER_HOST)")
    .option("-c, --context <name>", "the engine of this docker context, as docker -c (default: DOCKER_CONTEXT, docker context use)")
    .option("--env-name <name>", "an environment of oneoff.yaml's environments: (default: ONEOFF_ENV)")
    .addHelpText(
      "after",
      `
Which engine: --host, then --context, then the environment's host:/context:, then
DOCKER_HOST, DOCKER_CONTEXT, the docker CLI's current context, unix:///var/run/docker.sock.

Examples:
  oneoff run migrate                              on the engine docker would use
  oneoff --env-name staging run migrate           on the staging environment's engine
  oneoff -H ssh://deploy@prod.example.com ps      one-offs on a remote engine, over ssh
  oneoff --context prod release                   the release phase on a docker context's engine`,
    );
  // Only the command asked for is built: its options are most of commander's start-up work
  // (run's: ~4 ms of a run). All of them for help, completion (its script describes them
  // all), a mistyped name or none.
  const asked = word === "completion" ? [] : COMMANDS.filter(([name]) => name === word);
  const subcommands = (asked.length > 0 ? asked : COMMANDS).map(([, make]) => make(context));
  for (const cli of [program, ...subcommands]) {
    // Commands added with addCommand inherit none of these, so each gets them: errors are
    // thrown to us (one line, exit 125) instead of printed by commander and process.exit'ed.
    cli
      // Added to what the command configured itself (run's help groups: cli/help-groups.ts).
      .configureHelp({ ...cli.configureHelp(), showGlobalOptions: true })
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text), outputError: () => {} })
      .showSuggestionAfterError(true);
  }
  for (const subcommand of subcommands) program.addCommand(subcommand);
  // Which words are oneoff's and which the one-off's depends on the named command's options.
  const named = subcommands.find((subcommand) => subcommand.name() === word)?.options ?? [];
  const valued = named.filter((option) => option.required || option.optional).flatMap((option) => [option.short, option.long]);
  const { own: ownWithDebug, command } = splitOwnWords(
    configFileAfterCommand(
      argv,
      named.some((option) => option.long === "--file"),
    ),
    new Set(valued.filter((name): name is string => name !== undefined)),
  );
  const programShorts = new Set(program.options.map((option) => option.short));
  const shared = new Map(
    named
      .filter((option) => option.short && option.long && programShorts.has(option.short))
      .map((option) => [option.short as string, option.long as string]),
  );
  const own = commandsOwnShortFlags(
    ownWithDebug.filter((arg) => arg !== "--debug"),
    shared,
  );
  wantsJson = own.includes("--json");
  context.debug = own.length < ownWithDebug.length;
  context.afterDashDash = command;
  program.hook("preAction", (_program, action) => configFileAsConfig(action));

  try {
    await program.parseAsync(own, { from: "user" });
    if (!job) {
      program.outputHelp();
      return { code: own.length === 0 ? 0 : ExitCode.runnerFailed, help: own.length === 0 };
    }
    return { code: await job(), help: false };
  } catch (error) {
    const commandName = program.commands.find((candidate) => own.includes(candidate.name()))?.name();
    if (error instanceof CommanderError) {
      // Help and --version end here; a usage error goes on as oneoff's own errors do.
      const usage = usageError(error);
      if (!usage) return { code: 0, help: true };
      failed(usage, commandName);
      io.stderr.write(`${formatErrorLine(usage)}\n`);
      return { code: exitCodeOf(usage), help: false };
    }
    // Output that could not be written: said once (afterOutput), nothing when its reader went away.
    if (error instanceof WriteFailed) return { code: error.exitCode, help: false };
    failed(error, commandName);
    io.stderr.write(`${formatErrorLine(error)}\n`);
    if (context.debug && error instanceof Error && error.stack) {
      // Line by line: the stack's own lines stay lines; a control in its message is shown.
      io.stderr.write(`${redactSecretValues(error.stack).split("\n").map(escapeControls).join("\n")}\n`);
    }
    return { code: exitCodeOf(error), help: false };
  }
}

/** commander's "error: unknown option '--fo'\n(Did you mean --foo?)" as a one-line error with its hint; none for help and --version. */
function usageError(error: CommanderError): OneoffError | undefined {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return undefined;
  const [what = "bad arguments", ...rest] = error.message.replace(/^error: /, "").split("\n");
  const hint = rest
    .join(" ")
    .replace(/^\((.*)\)$/, "$1")
    .trim();
  const command = /for '(\w+)'/.exec(error.message)?.[1];
  const usage = `see oneoff ${command ?? ""} --help`.replace("  ", " ");
  return new OneoffError(what, { hint: hint ? hint.charAt(0).toLowerCase() + hint.slice(1) : usage, exitCode: ExitCode.runnerFailed });
}
