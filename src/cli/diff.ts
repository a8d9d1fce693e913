/**
 * `oneoff diff PROCESS`: does the one-off oneoff would create match what the process runs?
 * Exit 0 when it does, 1 when it differs.
 */
import { Command } from "commander";
import type { CliContext } from "./command.js";

export function diffCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("diff")
    .description("compare the one-off oneoff would create (oneoff.yaml and flags) with a running process; exit 1 when they differ")
    .argument("<process>", "web (by label or compose service), or container:NAME")
    .option("-c, --config <file>", "config file (default: oneoff.yaml here or in a parent)")
    .option("--release <ref>", "the release the one-off would run")
    .option("--all", "show the rows that are the same too")
    .option("--json", "print the comparison as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  oneoff diff web                          what differs between a one-off and the web process
  oneoff diff --all container:shop_web_1   every row, against one container
  oneoff diff --json web                   for pipelines: exit 1 when they differ`,
    )
    .action((from: string, flags: { config?: string; release?: string; all?: boolean; json?: boolean }) =>
      act(async () => {
        const [{ planRun }, { engineFor }, { findProcess }, { resolveRelease }, { buildContainerSpec }, { diffAgainstProcess }, { formatTable }, { silentReporter }] = await Promise.all([
          import("../pipeline/run.js"),
          import("./engine.js"),
          import("../config/running.js"),
          import("../release/resolve.js"),
          import("../spec/create-body.js"),
          import("../spec/diff.js"),
          import("../output/table.js"),
          import("../output/reporter.js"),
        ]);
        const plan = planRun({ command: ["true"], ...(flags.config ? { config: flags.config } : {}), ...(flags.release ? { release: flags.release } : {}), ...engineFlags() }, process.cwd(), process.env);
        const engine = await engineFor(engineFlags(), flags.config);
        const [process0] = await findProcess(engine, from, plan.app);
        const release = await resolveRelease(engine, plan.releaseReference, "never", silentReporter);
        const spec = buildContainerSpec(plan, { imageId: release.imageId, startedBy: "", startedAt: new Date(0), version: "", owner: "", runId: "" }, "diff");
        const image = await engine.inspectImage(release.imageId);
        const rows = diffAgainstProcess(spec, process0 as NonNullable<typeof process0>, image?.env ?? []);
        const differs = rows.some((row) => !row.same);
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ process: from, container: process0?.name, same: !differs, rows })}\n`);
        } else {
          const shown = flags.all ? rows : rows.filter((row) => !row.same);
          if (shown.length) io.stdout.write(formatTable(["", "WHAT", "ONE-OFF", "RUNNING"], shown.map((row) => [row.same ? "=" : "≠", row.what, row.oneOff, row.running])));
          io.stderr.write(`oneoff: the one-off ${differs ? "differs from" : "matches"} ${process0?.name} (${from})\n`);
        }
        return differs ? 1 : 0;
      }),
    );
}
