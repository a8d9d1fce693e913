/**
 * `oneoff ps`, `logs`, `stop`, `wait`: one-offs as the engine knows them, found by labels.
 */
import { Command } from "commander";
import type { Writable } from "node:stream";
import { formatDuration } from "../formats/units.js";
import { OneoffError } from "../output/errors.js";
import type { CliContext, CliProcess } from "./command.js";
import { clientFor } from "./client.js";

/** The app of the nearest oneoff.yaml, if any: `ps` and `history` show that app by default. */
async function appInScope(
  where: Pick<CliProcess, "cwd" | "env">,
  flags: { config?: string; allApps?: boolean; app?: string },
): Promise<string | undefined> {
  if (flags.app) return flags.app;
  if (flags.allApps) return undefined;
  const { loadAppConfig } = await import("../config/load.js");
  return (await loadAppConfig(flags.config, where.cwd, where.env))?.app;
}

export function psCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("ps")
    .description("list one-offs of this app (running; --all: finished ones too)")
    .option("-a, --all", "include finished one-offs, with exit code and duration")
    .option("--app <name>", "another app's one-offs")
    .option("--all-apps", "one-offs of every app on the engine")
    .option("-f, --file <file>", "config file naming the app (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .option("--json", "print one JSON document on stdout (docs/schemas)")
    .addHelpText(
      "after",
      `
Examples:
  oneoff ps                          this app's running one-offs
  oneoff ps -a                       finished ones too, with exit code and duration
  oneoff ps --all-apps --json        every app's, for scripts`,
    )
    .action((flags: { all?: boolean; app?: string; allApps?: boolean; config?: string; json?: boolean }) =>
      act(async () => {
        const [{ listAllOneOffs }, { formatTable, ago }] = await Promise.all([
          import("../pipeline/oneoffs.js"),
          import("../output/table.js"),
        ]);
        const app = await appInScope(io, flags);
        const client = await clientFor(io, engineFlags(), flags.config);
        const oneOffs = await listAllOneOffs(client, { all: flags.all === true, ...(app ? { app } : {}) });
        if (flags.json) {
          io.document("ps", { oneOffs });
          return 0;
        }
        const now = new Date();
        const rows = oneOffs.map((oneOff) => [
          oneOff.id.slice(0, 12),
          oneOff.app,
          oneOff.task ?? oneOff.command.join(" ").slice(0, 40),
          oneOff.imageId.replace(/^sha256:/, "").slice(0, 12),
          oneOff.exitCode === undefined
            ? oneOff.state
            : `exited (${oneOff.exitCode})${oneOff.durationMs === undefined ? "" : ` in ${formatDuration(oneOff.durationMs)}`}`,
          oneOff.startedAt ? ago(new Date(oneOff.startedAt), now) : "",
          `${oneOff.startedBy}${oneOff.detached ? " (detached)" : ""}`,
        ]);
        io.stdout.write(formatTable(["ID", "APP", "TASK/COMMAND", "RELEASE", "STATUS", "STARTED", "BY"], rows));
        return 0;
      }),
    );
}

export function logsCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("logs")
    .description("print a one-off's output (stdout and stderr kept apart); works after it ended, until it is removed")
    .argument("<id>", "one-off container ID (or a unique prefix) or name")
    .option("-f, --follow", "keep printing output as it comes, until the one-off ends")
    .option("-t, --timestamps", "prefix each line with its time")
    .addHelpText(
      "after",
      `
Examples:
  oneoff logs 3f2a9c1b7d4e                  its output so far, stdout and stderr kept apart
  oneoff logs -f $(oneoff run -d migrate)   start a detached one-off and follow it
  oneoff logs -t 3f2a9c1b7d4e 2>/dev/null   its stdout only, each line with its time`,
    )
    .action((reference: string, flags: { follow?: boolean; timestamps?: boolean }) =>
      act(async () => {
        const [{ forwardOutput }, { streamReporter }, { findAnyOneOff, NO_LOGS_HINT }] = await Promise.all([
          import("../session/output.js"),
          import("../output/reporter.js"),
          import("../pipeline/oneoffs.js"),
        ]);
        const client = await clientFor(io, engineFlags());
        const found = await findAnyOneOff(client, reference, NO_LOGS_HINT);
        const { stream, tty } = await found.logs({ follow: flags.follow === true, timestamps: flags.timestamps === true });
        const out = { stdout: io.stdout as Writable, stderr: io.stderr as Writable };
        const error = await forwardOutput(stream, out, { tty, report: streamReporter(out.stderr, { quiet: false }) });
        if (error) throw error;
        return 0;
      }),
    );
}

export function stopCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("stop")
    .description("stop one-offs: SIGTERM, then SIGKILL after --time seconds")
    .argument("<ids...>", "one-off container IDs (or unique prefixes) or names")
    .option("-t, --time <seconds>", "seconds to wait before killing (default: its --stop-timeout, else 10), as docker stop -t")
    .addHelpText(
      "after",
      `
Examples:
  oneoff stop 3f2a9c1b7d4e           SIGTERM, SIGKILL after its stop timeout (10 s if none) if it still runs
  oneoff stop -t 0 3f2a 9b1c         kill two at once`,
    )
    .action((references: string[], flags: { time?: string }) =>
      act(async () => {
        const seconds = flags.time === undefined ? undefined : Number(flags.time);
        if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 0))
          throw new OneoffError(`--time "${flags.time}": not a whole number of seconds`, { hint: "such as 10" });
        const [client, { findAnyOneOff, stopOneOff }] = await Promise.all([clientFor(io, engineFlags()), import("../pipeline/oneoffs.js")]);
        for (const reference of references) {
          const found = await findAnyOneOff(client, reference);
          await stopOneOff(client, found, seconds);
          io.stdout.write(`${found.id.slice(0, 12)}\n`);
        }
        return 0;
      }),
    );
}

export function waitCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("wait")
    .description("wait until a one-off ends; print its exit code and exit with it")
    .argument("<id>", "one-off container ID (or a unique prefix) or name")
    .addHelpText(
      "after",
      `
Examples:
  id=$(oneoff run -d migrate) && oneoff wait "$id"   gate a pipeline on a detached one-off`,
    )
    .action((reference: string) =>
      act(async () => {
        const [client, { findAnyOneOff }, { endOpenRun }] = await Promise.all([
          clientFor(io, engineFlags()),
          import("../pipeline/oneoffs.js"),
          import("../lifecycle/run-records-engine.js"),
        ]);
        const found = await findAnyOneOff(client, reference);
        const code = await found.wait();
        // A detached run's record is open until someone sees it end: this is one who does.
        if (found.runId) {
          const end = { endedAt: new Date().toISOString(), ending: "exited", exitCode: code };
          await endOpenRun(client, found.runId, end).catch(() => false);
        }
        io.stdout.write(`${code}\n`);
        return code;
      }),
    );
}

export function attachCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("attach")
    .description("attach your terminal to a running terminal one-off (one detached with the detach keys)")
    .argument("<id>", "one-off container ID (or a unique prefix) or name")
    .option("--detach-keys <keys>", "keys that detach again (default ctrl-p,ctrl-q)")
    .addHelpText(
      "after",
      `
Examples:
  oneoff attach 3f2a9c1b7d4e                      back into a session left with Ctrl-P Ctrl-Q
  oneoff attach --detach-keys ctrl-x 3f2a9c1b7d4e  ...and leave it with Ctrl-X this time`,
    )
    .action((reference: string, flags: { detachKeys?: string }) =>
      act(async () => {
        const [{ findOneOff }, { attachToOneOff }, { streamReporter }, { isDetachKeys, DEFAULT_DETACH_KEYS }] = await Promise.all([
          import("../backends/container/oneoffs.js"),
          import("../backends/container/attach.js"),
          import("../output/reporter.js"),
          import("../config/value-rules.js"),
        ]);
        if (flags.detachKeys !== undefined && !isDetachKeys(flags.detachKeys)) {
          throw new OneoffError(`--detach-keys "${flags.detachKeys}": not a key sequence`, {
            hint: "use docker's notation, e.g. ctrl-p,ctrl-q",
          });
        }
        const client = await clientFor(io, engineFlags());
        const oneOff = await findOneOff(client, reference);
        const out = { stdin: io.stdin, stdout: io.stdout as Writable, stderr: io.stderr as Writable };
        const result = await attachToOneOff(
          client,
          oneOff,
          out,
          flags.detachKeys ?? DEFAULT_DETACH_KEYS,
          streamReporter(out.stderr, { quiet: false }),
        );
        return result.exitCode;
      }),
    );
}
