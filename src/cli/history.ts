/**
 * `oneoff history`: who ran what, on which release, when, and how it ended: the engine's run
 * records of the app (every operator's and CI runner's) merged with this machine's audit log.
 */
import { Command } from "commander";
import { formatDuration, parseAge } from "../formats/units.js";
import { OneoffError } from "../output/errors.js";
import type { CliContext, CliIO } from "./command.js";
import { printLedger } from "./ledger.js";
import type { EngineFlags } from "../config/environments.js";
import type { HistoryEntry } from "../lifecycle/history.js";

interface HistoryFlags {
  last: string;
  app?: string;
  allApps?: boolean;
  config?: string;
  json?: boolean;
  ledger?: boolean;
  local?: boolean;
  user?: string;
  since?: string;
  task?: string;
  failed?: boolean;
}

export function historyCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("history")
    .description(
      "one-offs of this app on its engine, from every machine, and this machine's audit log: who, what, which release, when, how it ended",
    )
    .option("-n, --last <count>", "how many, newest first", "20")
    .option("--app <name>", "another app's one-offs")
    .option("--all-apps", "every app's")
    .option("--local", "this machine's audit log only (no engine contacted)")
    .option("--user <user>", "only those started by USER or USER@HOST")
    .option("--since <when>", "only those started since a duration ago (2h, 7d) or an ISO date")
    .option("--task <name>", "only runs of this task")
    .option("--failed", "only failed ones: an exit code other than 0, or an ending other than exited or detached")
    .option("-f, --file <file>", "config file naming the app (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .option("--json", "print one JSON document on stdout (docs/schemas)")
    .option("--ledger", "the release ledger on the engine instead: release-task runs from every machine")
    .addHelpText(
      "after",
      `
Examples:
  oneoff history                       this app's last 20 one-offs, from every machine that reached its engine
  oneoff history --failed --since 7d   what failed this week
  oneoff history --user alice -n 100   alice's (alice, or alice@laptop)
  oneoff history --local --all-apps    every app's, from this machine's log only
  oneoff history --json                for scripts (one object per one-off)
  oneoff history --ledger              release-task runs of this app, from every machine (on the engine)

Records on the engine are read from the engine oneoff run would use (-H, --context, --env-name,
DOCKER_HOST); when it cannot be reached, this machine's log is shown, and said so. The log is
ONEOFF_AUDIT_LOG, or $XDG_STATE_HOME/oneoff/audit.jsonl (~/.local/state/oneoff/audit.jsonl).`,
    )
    .action((flags: HistoryFlags) =>
      act(async () => {
        const [{ loadAppConfig }] = await Promise.all([import("../config/load.js")]);
        const count = Number(flags.last);
        if (!Number.isInteger(count) || count < 1)
          throw new OneoffError(`--last "${flags.last}": not a positive whole number`, { hint: "such as 20" });
        const since = flags.since === undefined ? undefined : sinceOf(flags.since);
        for (const [flag, value] of [
          ["--user", flags.user],
          ["--task", flags.task],
        ] as const) {
          if (value !== undefined && value.trim() === "") throw new OneoffError(`${flag}: empty`, { hint: `give a ${flag.slice(2)} name` });
        }
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
        const { filterHistory } = await import("../lifecycle/history.js");
        const filter = {
          ...(app === undefined ? {} : { app }),
          ...(flags.user === undefined ? {} : { user: flags.user }),
          ...(since === undefined ? {} : { since }),
          ...(flags.task === undefined ? {} : { task: flags.task }),
          failed: flags.failed === true,
        };
        const all = await teamHistory(io, app, flags.local === true ? undefined : { engine: engineFlags(), config: flags.config });
        const entries = filterHistory(all, filter).slice(0, count);
        if (flags.json) {
          io.document("history", { entries });
          return 0;
        }
        const { formatTable } = await import("../output/table.js");
        io.stdout.write(
          formatTable(["STARTED", "BY", "APP", "TASK/COMMAND", "RELEASE", "EXIT", "TOOK", "RECORDED", "HOW IT ENDED"], entries.map(rowOf)),
        );
        return 0;
      }),
    );
}

/** --since: a duration ago (2h, 7d, 1w) or a date (2026-12-01, or with a time). */
function sinceOf(text: string, now = Date.now()): Date {
  const ago = parseAge(text);
  if (ago !== undefined) return new Date(now - ago);
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(at)) throw new OneoffError(`--since "${text}": not a duration or a date`, { hint: "such as 2h, 7d or 2026-12-01" });
  return new Date(at);
}

/**
 * The engine's records of `app` (every app's when undefined) merged with this machine's log; the
 * log alone with `--local` (no `engine`), or, said in one line, when the engine cannot be reached.
 */
async function teamHistory(
  io: CliIO,
  app: string | undefined,
  on: { engine: EngineFlags; config?: string | undefined } | undefined,
): Promise<HistoryEntry[]> {
  const [{ auditLogPath, readAudit }, { mergeHistory }] = await Promise.all([
    import("../lifecycle/audit.js"),
    import("../lifecycle/history.js"),
  ]);
  const local = readAudit(auditLogPath(io.env)).filter((entry) => app === undefined || entry.app === app);
  if (!on) return mergeHistory([], local);
  const [{ clientFor }, { readRecords }] = await Promise.all([import("./client.js"), import("../lifecycle/run-records-engine.js")]);
  const client = await clientFor(io, on.engine, on.config);
  try {
    return mergeHistory(await readRecords(client, app), local);
  } catch (error) {
    const { formatErrorLine } = await import("../output/errors.js");
    io.stderr.write(
      `oneoff: the engine at ${client.endpoint} could not be reached (${formatErrorLine(error).replace(/^oneoff: /, "")}); showing only this machine's log\n`,
    );
    return mergeHistory([], local);
  }
}

function rowOf(entry: HistoryEntry): string[] {
  const ended = entry.outcome !== "no end recorded";
  return [
    entry.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    entry.by,
    entry.environment ? `${entry.app} (${entry.environment})` : entry.app,
    entry.task ?? entry.command.join(" ").slice(0, 40),
    (entry.imageId ?? entry.releaseReference).replace(/^sha256:/, "").slice(0, 12),
    entry.exitCode === undefined ? "-" : String(entry.exitCode),
    entry.durationMs === undefined ? "-" : formatDuration(entry.durationMs),
    // The run ID is what `oneoff replay` takes.
    entry.recording ? `${entry.runId ?? ""}${entry.recording.cut ? " (cut)" : ""}` : "-",
    // No end: oneoff was killed and nothing has settled it yet, or it is still running.
    ended ? entry.outcome + (entry.signal ? ` (${entry.signal})` : "") : entry.outcome,
  ];
}
