/**
 * `oneoff check [TASK | -- CMD]`: the pre-flight checks alone; `run --check` and `release`
 * run them first (`release --no-check` skips them).
 */
import { OneoffError } from "../output/errors.js";
import { errorBody } from "../output/json-document.js";
import { Command, Option } from "commander";
import { RUN_KIND_NAMES } from "../types/config.js";
import type { RunOptions } from "../types/options.js";
import type { CheckedRun } from "../pipeline/check-run.js";
import type { CliContext, CliIO } from "./command.js";
import { sameNameOptions } from "./argv.js";
import { runtimeFlagsOf, withSettingOptions } from "./runtime-options.js";

export function checkCommand(context: CliContext): Command {
  // The networks it would join, the user and workdir it would run as and in: looked up on the engine and in the image (lifecycle/checks.ts).
  return withSettingOptions(
    new Command("check")
      .description("check that a one-off can run, starting nothing: engine, release, networks, volumes, user, workdir, command")
      .argument("[task]", "a task named in oneoff.yaml (a command goes after --)")
      .option("-f, --file <file>", "config file (default: oneoff.yaml here or in a parent)")
      .option("--config <file>", "the same as -f, --file")
      .option("--release <ref>", "the release to check")
      .option("--from <process>", "copy settings from a running process, as run --from"),
    ["network", "user", "workdir"],
  )
    .option("--registry-auth <user:env:VAR|user:file:PATH>", "registry credentials for looking up the release, as run --registry-auth")
    .addOption(
      new Option("--engine <kind>", "check for a container (docker) or a Swarm job (swarm), as run --engine").choices(
        RUN_KIND_NAMES as string[],
      ),
    )
    .option("--json", "print the checks as one JSON document on stdout")
    .addHelpText(
      "after",
      `
Examples:
  oneoff check migrate                 exit 0, or 125 with every failure listed
  oneoff check --json -- ./bin/report  for pipelines
  oneoff release                       runs these checks first (--no-check skips them)`,
    )
    .action((task: string | undefined, flags: Record<string, unknown>) =>
      context.act(async () => {
        const options: RunOptions = {
          ...sameNameOptions(flags, ["config", "release", "from", "registryAuth", "engine"]),
          ...runtimeFlagsOf(flags),
          ...context.engineFlags(),
        };
        if (task) options.task = task;
        if (context.afterDashDash) options.command = context.afterDashDash;
        return (await runChecks(options, context.io, { json: flags.json === true })).ok ? 0 : 125;
      }),
    );
}

/**
 * Runs the checks for `options`, prints them, and says whether all passed, with what they
 * read and planned (config, sources, the engine, the plan) for the run that follows. Before a
 * run (`beforeRun`), success is silent and a config problem reads as it would from run itself.
 */
export async function runChecks(
  options: RunOptions,
  io: CliIO,
  { json, beforeRun = false }: { json: boolean; beforeRun?: boolean },
): Promise<{ ok: boolean; checked: CheckedRun }> {
  // Planning and the engine are loaded only when checks run: main.ts imports this module for every command.
  const [{ checkRun }, { oneoffLine }] = await Promise.all([import("../pipeline/check-run.js"), import("../output/reporter.js")]);
  const checked = await checkRun(options, { cwd: io.cwd, env: io.env, stdinIsTTY: io.stdinIs === "terminal" });
  const { checks } = checked;
  const ok = checks.every((check) => check.ok);
  if (json) {
    io.document("check", { ok, checks });
    return { ok, checked };
  }
  for (const check of checks) {
    const what = beforeRun && check.name === "config" ? "" : `check ${check.name}: `;
    if (!check.ok) io.stderr.write(oneoffLine(`${what}${check.detail}${check.hint ? ` (${check.hint})` : ""}`));
  }
  // A run's or release's --json document says why it did not start: the first failed check.
  const failed = checks.find((check) => !check.ok);
  if (beforeRun && failed && options.json) {
    const what = failed.name === "config" ? "" : `check ${failed.name}: `;
    io.document(
      "error",
      errorBody(
        options.releaseTask ? "release" : "run",
        new OneoffError(`${what}${failed.detail}`, failed.hint ? { hint: failed.hint } : {}),
      ),
    );
  }
  if (ok && !beforeRun) io.stderr.write(oneoffLine(`checks passed: ${checks.map((check) => check.detail).join("; ")}`));
  return { ok, checked };
}
