/**
 * `oneoff cleanup`: removes one-off containers whose attached oneoff (on this host) is gone.
 */
import { Command } from "commander";

export interface CleanupOptions {
  dryRun: boolean;
}

export function cleanupCommand(onCleanup: (options: CleanupOptions) => void): Command {
  return new Command("cleanup")
    .description("remove one-off containers left behind by a oneoff process of this host that is gone")
    .option("--dry-run", "list them; remove nothing")
    .addHelpText(
      "after",
      `
Only containers labelled io.oneoff.managed=true whose io.oneoff.owner names a process of
this host that no longer runs are touched. oneoff's watchdog does this on its own after a
crash; this is for what survives a whole-host crash or a watchdog that could not finish.`,
    )
    .action((flags: { dryRun?: boolean }) => onCleanup({ dryRun: flags.dryRun === true }));
}
