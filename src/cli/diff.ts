/**
 * `oneoff diff PROCESS`: does the one-off oneoff would create match what the process runs?
 * Exit 0 when it does, 1 when it differs.
 */
import { Command } from "commander";
import type { CliContext } from "./command.js";
import { clientFor } from "./client.js";

export function diffCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("diff")
    .description("compare the one-off oneoff would create (oneoff.yaml and flags) with a running process; exit 1 when they differ")
    .argument("<process>", "web (by label or compose service), or container:NAME")
    .option("-f, --file <file>", "config file (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .option("--release <ref>", "the release the one-off would run")
    .option("--all", "show the rows that are the same too")
    .option("--json", "print the comparison as one JSON document on stdout")
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
        const [{ diffWithProcess }, { formatTable }, { oneoffLine }] = await Promise.all([
          import("../pipeline/diff.js"),
          import("../output/table.js"),
          import("../output/reporter.js"),
        ]);
        const options = {
          ...(flags.config ? { config: flags.config } : {}),
          ...(flags.release ? { release: flags.release } : {}),
          ...engineFlags(),
        };
        const { container, rows, same } = await diffWithProcess(from, options, { cwd: io.cwd, env: io.env }, () =>
          clientFor(io, engineFlags(), flags.config),
        );
        const differs = !same;
        if (flags.json) {
          io.document("diff", { process: from, container, same, rows });
        } else {
          const shown = flags.all ? rows : rows.filter((row) => !row.same);
          if (shown.length)
            io.stdout.write(
              formatTable(
                ["", "WHAT", "ONE-OFF", "RUNNING"],
                shown.map((row) => [row.same ? "=" : "≠", row.what, row.oneOff, row.running]),
              ),
            );
          io.stderr.write(oneoffLine(`the one-off ${differs ? "differs from" : "matches"} ${container} (${from})`));
        }
        return differs ? 1 : 0;
      }),
    );
}
