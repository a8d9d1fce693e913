/**
 * `oneoff replay RUN_ID`: a recorded session (record:, --record) played back in the terminal
 * at the speed it ran, or written out as the asciicast v2 file `asciinema play` reads (--cast).
 */
import { Command } from "commander";
import { OneoffError } from "../output/errors.js";
import type { CliContext } from "./command.js";

interface ReplayFlags {
  speed: string;
  idleLimit?: string;
  cast?: boolean;
  app?: string;
  allApps?: boolean;
  config?: string;
}

export function replayCommand({ io, act, engineFlags }: CliContext): Command {
  return new Command("replay")
    .description("play a recorded session (record: in oneoff.yaml, or --record) in the terminal, or write it as an asciicast file")
    .argument("<run-id>", "the run's ID (oneoff history shows it for recorded runs)")
    .option("--speed <n>", "play this many times faster (0.5: slower)", "1")
    .option("--idle-limit <seconds>", "cap every pause at this many seconds")
    .option("--cast", "write the recording as an asciicast v2 file to stdout (for asciinema play) instead of playing it")
    .option("--app <name>", "a run of another app")
    .option("--all-apps", "a run of any app")
    .option("-f, --file <file>", "config file naming the app (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .addHelpText(
      "after",
      `
Examples:
  oneoff replay 3f2a9c0e1b7d4a55                    at the speed it ran
  oneoff replay 3f2a9c0e1b7d4a55 --speed 4 --idle-limit 2
  oneoff replay 3f2a9c0e1b7d4a55 --cast > s.cast    then: asciinema play s.cast

Resizes are not applied to your terminal; a one-off without a terminal has its stderr replayed
to stderr. Secret values were masked (*****) when it was recorded.`,
    )
    .action((runId: string, flags: ReplayFlags) =>
      act(async () => {
        const speed = positiveNumber("--speed", flags.speed, "such as 2, or 0.5");
        const idleLimitSeconds =
          flags.idleLimit === undefined ? undefined : positiveNumber("--idle-limit", flags.idleLimit, "a number of seconds, such as 2");
        const [
          { loadAppConfig },
          { clientFor },
          { readRecords },
          { readRecording },
          { parseCast, playCast, standardCast },
          { gunzipSync },
        ] = await Promise.all([
          import("../config/load.js"),
          import("./client.js"),
          import("../lifecycle/run-records-engine.js"),
          import("../lifecycle/recordings.js"),
          import("../lifecycle/replay.js"),
          import("node:zlib"),
        ]);
        const app = flags.app ?? (flags.allApps ? undefined : (await loadAppConfig(flags.config, io.cwd, io.env))?.app);
        const client = await clientFor(io, engineFlags(), flags.config);
        const whose = app === undefined ? "any app's" : `${app}'s`;
        const record = (await readRecords(client, app)).find((entry) => entry.runId === runId);
        if (!record)
          throw new OneoffError(`replay ${runId}: no such run in ${whose} history on the engine at ${client.endpoint}`, {
            hint: app === undefined ? "oneoff history --all-apps lists them" : "oneoff history lists them; --all-apps for another app's",
          });
        if (!record.recording)
          throw new OneoffError(`replay ${runId}: the run was not recorded`, {
            hint: "record: true in oneoff.yaml, or --record, records a run",
          });
        const stored = await readRecording(client, { runId, app: record.app });
        const cast = stored === undefined ? undefined : parseCast(gunzipSync(stored).toString("utf8"));
        if (!cast)
          throw new OneoffError(`replay ${runId}: its recording is not on the engine at ${client.endpoint}, or cannot be read`, {
            hint: "it may have been removed (docker volume rm, prune)",
          });
        if (flags.cast) {
          io.stdout.write(standardCast(cast));
          return 0;
        }
        await playCast(
          cast,
          { stdout: (text) => io.stdout.write(text), stderr: (text) => io.stderr.write(text) },
          { speed, idleLimitSeconds, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
        );
        return 0;
      }),
    );
}

function positiveNumber(flag: string, text: string, example: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0)
    throw new OneoffError(`${flag} "${text}": not a positive number`, { hint: example });
  return value;
}
