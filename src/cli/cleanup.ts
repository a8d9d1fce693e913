/**
 * `oneoff cleanup`: removes one-offs whose attached oneoff (on this host) is gone, and
 * detached one-offs kept past their time.
 */
import { Command } from "commander";
import type { CliContext } from "./command.js";
import { clientFor } from "./client.js";
import { collect } from "./argv.js";

export function cleanupCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("cleanup")
    .description("remove one-offs left behind by a oneoff process of this host that is gone, and detached ones past their keep time")
    .option("--dry-run", "list them; remove nothing")
    .option(
      "--filter <label=KEY[=VALUE]>",
      "only one-offs (and run records) with this label, or without it: label!=KEY[=VALUE] (repeatable: all must hold)",
      collect,
    )
    .addHelpText(
      "after",
      `
Only containers labelled io.oneoff.managed=true are touched: attached one-offs whose
io.oneoff.owner is surely gone (a process of this machine that no longer runs), and detached one-offs
that ended longer ago than their io.oneoff.keep-for. oneoff's watchdog does this on its
own; this is for what survives a whole-host crash. --filter narrows it as docker container
prune's does: label=KEY or label=KEY=VALUE keeps what carries the label, label!=... what does
not; given several times, all must hold.

Examples:
  oneoff cleanup --dry-run                     list what would be removed
  oneoff cleanup                               remove it
  oneoff cleanup --filter label=ci.job=1234    only what a CI job ran with ONEOFF_LABELS=ci.job=1234`,
    )
    .action((flags: { dryRun?: boolean; filter?: string[] }) =>
      act(async () => {
        const [{ cleanupEngine }, { whyReaped }, { oneoffLine }, { parseLabelFilter }] = await Promise.all([
          import("../pipeline/oneoffs.js"),
          import("../lifecycle/reaper.js"),
          import("../output/reporter.js"),
          import("../lifecycle/reap-scope.js"),
        ]);
        const dryRun = flags.dryRun === true;
        const scope = (flags.filter ?? []).map((text) => parseLabelFilter(text));
        const result = await cleanupEngine(await clientFor(io, engineFlags()), io.env, { dryRun, scope });
        for (const container of result.removed) {
          io.stderr.write(
            oneoffLine(
              `${dryRun ? "would remove" : "removed"} one-off ${container.name} (${container.id.slice(0, 12)}), ${whyReaped(container)}`,
            ),
          );
        }
        for (const { container, error } of result.failed) {
          io.stderr.write(oneoffLine(`could not remove one-off ${container.name} (${container.id.slice(0, 12)}): ${error.message}`));
        }
        const { ended, pruned } = result.records;
        if (ended || pruned)
          io.stderr.write(oneoffLine(`run records: ended ${ended} whose one-off had ended or was gone, pruned ${pruned}`));
        if (result.removed.length === 0 && result.failed.length === 0 && !ended && !pruned)
          io.stderr.write("oneoff: nothing to clean up\n");
        return result.failed.length ? 125 : 0;
      }),
    );
}
