/**
 * The CLI's one entry and one exit: parses argv, runs the command, turns every failure into
 * one line on stderr and an exit code. Never calls process.exit (bin/oneoff.js does, after
 * output has drained).
 */
import { Command, CommanderError } from "commander";
import type { RunOptions } from "../config/resolve.js";
import { ExitCode, exitCodeOf, formatErrorLine } from "../output/errors.js";
import { VERSION } from "../version.js";
import { splitAtDoubleDash } from "./argv.js";
import { cleanupCommand, type CleanupOptions } from "./cleanup.js";
import { runCommand, shellCommand } from "./run.js";

export interface CliIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: CliIO = process): Promise<number> {
  const debug = argv.includes("--debug");
  const { own, command } = splitAtDoubleDash(argv.filter((arg, i) => !(arg === "--debug" && (argv.indexOf("--") < 0 || i < argv.indexOf("--")))));
  let pending: (() => Promise<number>) | undefined;

  const program = new Command("oneoff")
    .description("Run admin processes (Twelve-Factor XII) in ephemeral containers from your app's release image and config.")
    .version(VERSION, "-V, --version")
    .option("--debug", "show stack traces for errors");
  const onRun = (options: RunOptions) => {
    pending = () => runCli({ ...options, ...(command ? { command } : {}) });
  };
  const onCleanup = (options: CleanupOptions) => {
    pending = () => cleanupCli(options, io);
  };
  const subcommands = [runCommand(onRun), shellCommand(onRun), cleanupCommand(onCleanup)];
  for (const cli of [program, ...subcommands]) {
    // Commands added with addCommand inherit none of these, so each gets them: errors are
    // thrown to us (one line, exit 125) instead of printed by commander and process.exit'ed.
    cli
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text), outputError: () => {} })
      .showSuggestionAfterError(true);
  }
  for (const subcommand of subcommands) program.addCommand(subcommand);

  try {
    await program.parseAsync(own, { from: "user" });
    if (!pending) {
      program.outputHelp();
      return own.length === 0 ? 0 : ExitCode.runnerFailed;
    }
    return await pending();
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, io);
    io.stderr.write(`${formatErrorLine(error)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}

async function runCli(options: RunOptions): Promise<number> {
  // A hung-up terminal (EIO) or a reader gone away (EPIPE) must not crash oneoff with an
  // unhandled 'error' before it has removed its one-off; the session notices on its own.
  for (const stream of [process.stdin, process.stdout, process.stderr]) stream.on("error", () => {});
  // Loaded here so --version and --help never pay for the run machinery.
  const [{ run }, { processInterrupts }] = await Promise.all([import("../run.js"), import("../session/interrupts.js")]);
  const result = await run(options, { interrupts: processInterrupts() });
  return result.exitCode;
}

async function cleanupCli(options: CleanupOptions, io: CliIO): Promise<number> {
  const [{ connectEngine }, { reapOrphans }] = await Promise.all([import("../engine/connect.js"), import("../lifecycle/reaper.js")]);
  const result = await reapOrphans(await connectEngine(process.env), options);
  const verb = options.dryRun ? "would remove" : "removed";
  for (const container of result.removed) {
    io.stderr.write(`oneoff: ${verb} orphaned one-off ${container.name} (${container.id.slice(0, 12)}), owner ${container.labels["io.oneoff.owner"]} is gone\n`);
  }
  for (const { container, error } of result.failed) {
    io.stderr.write(`oneoff: could not remove orphaned one-off ${container.name} (${container.id.slice(0, 12)}): ${error.message}\n`);
  }
  if (result.removed.length === 0 && result.failed.length === 0) io.stderr.write("oneoff: no orphaned one-offs\n");
  return result.failed.length ? ExitCode.runnerFailed : 0;
}

function commanderExit(error: CommanderError, io: CliIO): number {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return 0;
  // commander's "error: unknown option '--fo'\n(Did you mean --foo?)" -> our one-line form.
  const [what, ...rest] = error.message.replace(/^error: /, "").split("\n");
  const hint = rest.join(" ").replace(/^\((.*)\)$/, "$1").trim();
  const usage = error.code === "commander.excessArguments" ? "put the command after --, e.g. oneoff run -- rake db:migrate" : "see oneoff --help";
  io.stderr.write(`oneoff: ${what} (${hint ? hint.charAt(0).toLowerCase() + hint.slice(1) : usage})\n`);
  return ExitCode.runnerFailed;
}
