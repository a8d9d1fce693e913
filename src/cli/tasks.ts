/**
 * `oneoff tasks`: every task the app has, from oneoff.yaml and the Procfile, and where each is defined.
 */
import { Command } from "commander";
import { OneoffError } from "../output/errors.js";
import type { CliContext } from "./command.js";

export function tasksCommand({ io, act }: CliContext): Command {
  return new Command("tasks")
    .description("list the app's tasks (oneoff.yaml tasks: and Procfile process types) and where each comes from")
    .option("-f, --file <file>", "config file (default: oneoff.yaml here or in a parent)")
    .option("--config <file>", "the same as -f, --file")
    .option("--json", "print one JSON document on stdout (docs/schemas)")
    .addHelpText(
      "after",
      `
Examples:
  oneoff tasks                         name, where it is defined, command, description
  oneoff tasks -f deploy/oneoff.yaml   another config's
  oneoff tasks --json                  for scripts (shell completion reads this)`,
    )
    .action((flags: { config?: string; json?: boolean }) =>
      act(async () => {
        const [{ loadAppConfig }, { formatTable }] = await Promise.all([import("../config/load.js"), import("../output/table.js")]);
        const config = await loadAppConfig(flags.config, io.cwd, io.env);
        if (!config)
          throw new OneoffError("no oneoff.yaml or Procfile here or in any parent directory", {
            hint: "create oneoff.yaml with tasks:, or pass --config FILE",
          });
        const tasks = Object.values(config.tasks).map((task) => ({
          name: task.name,
          source: task.source ?? "",
          command: task.command,
          ...(task.description ? { description: task.description } : {}),
          ...(config.releaseTask === task.name || (!config.releaseTask && task.name === "release") ? { releaseTask: true } : {}),
        }));
        if (flags.json) {
          io.document("tasks", { tasks });
          return 0;
        }
        const rows = tasks.map((task) => [
          task.name + (task.releaseTask ? " (release)" : ""),
          task.source,
          task.command.join(" ").slice(0, 50),
          task.description ?? "",
        ]);
        io.stdout.write(formatTable(["TASK", "FROM", "COMMAND", "DESCRIPTION"], rows));
        return 0;
      }),
    );
}
