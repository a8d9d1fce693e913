/**
 * `oneoff history`: who ran what, on which release, when, and how it ended, from the audit log.
 */
import { Command } from "commander";
import { formatDuration } from "../formats/units.js";
import { OneoffError } from "../output/errors.js";
import type { CliContext } from "./command.js";
import { printLedger } from "./ledger.js";

export function historyCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("history")
    .description("one-offs run from this machine: who, what, which release, when, how it ended (the audit log)")
    .option("-n, --last <count>", "how many, newest last", "20")
    .option("--app <name>", "another app's one-offs")
    .option("--all-apps", "every app's")
    .option("-f, --file <file>", "config file naming the app (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .option("--json", "print one JSON document on stdout (docs/schemas)")
    .option("--ledger", "the release ledger on the engine instead: release-task runs from every machine")
    .addHelpText(
      "after",
      `
Examples:
  oneoff history                     this app's last 20 one-offs from this machine
  oneoff history -n 100 --all-apps   every app's
  oneoff history --json              for scripts (one object per one-off)
  oneoff history --ledger            release-task runs of this app, from every machine (on the engine)

The log is ONEOFF_AUDIT_LOG, or $XDG_STATE_HOME/oneoff/audit.jsonl (~/.local/state/oneoff/audit.jsonl).`,
    )
    .action((flags: { last: string; app?: string; allApps?: boolean; config?: string; json?: boolean; ledger?: boolean }) =>
      act(async () => {
        const [{ auditLogPath, readAudit }, { formatTable }, { loadAppConfig }] = await Promise.all([
          import("../lifecycle/audit.js"),
          import("../output/table.js"),
          import("../config/load.js"),
        ]);
        const count = Number(flags.last);
        if (!Number.isInteger(count) || count < 1)
          throw new OneoffError(`--last "${flags.last}": not a positive whole number`, { hint: "such as 20" });
        const app = flags.app ?? (flags.allApps ? undefined : (await loadAppConfig(flags.config, io.cwd, io.env))?.app);
        if (flags.ledger) {
          if (!app) throw new OneoffError("--ledger needs an app", { hint: "run it where oneoff.yaml is, or pass --app NAME" });
          return printLedger(app, io, {
            json: flags.json === true,
            last: count,
            engine: engineFlags(),
            ...(flags.config ? { config: flags.config } : {}),
          });
        }
        const entries = readAudit(auditLogPath(io.env))
          .filter((entry) => app === undefined || entry.app === app)
          .slice(-count);
        if (flags.json) {
          io.document("history", { entries });
          return 0;
        }
        const rows = entries.map((entry) => {
          const ended = entry.outcome === "no end recorded" ? undefined : entry;
          return [
            entry.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
            entry.by,
            entry.app,
            entry.task ?? entry.command.join(" ").slice(0, 40),
            (ended?.imageId ?? entry.releaseReference).replace(/^sha256:/, "").slice(0, 12),
            ended ? String(ended.exitCode) : "-",
            ended ? formatDuration(ended.durationMs) : "-",
            // No end line: oneoff was killed (or is still running).
            ended ? ended.outcome + (ended.signal ? ` (${ended.signal})` : "") : entry.outcome,
          ];
        });
        io.stdout.write(formatTable(["STARTED", "BY", "APP", "TASK/COMMAND", "RELEASE", "EXIT", "TOOK", "HOW IT ENDED"], rows));
        return 0;
      }),
    );
}
