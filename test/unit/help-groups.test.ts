/**
 * run's, shell's and release's --help in groups (cli/help-groups.ts): every flag they show has
 * one of the groups, the headings come in their order, and each docker run setting of the
 * settings table is listed under "docker run settings:", whatever rows the table gains.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { CliContext } from "../../src/cli/command.js";
import { assignHelpGroups, DOCKER_RUN_SETTINGS, HELP_GROUPS } from "../../src/cli/help-groups.js";
import { releaseCommand, runCommand, shellCommand } from "../../src/cli/run.js";
import { SETTINGS } from "../../src/settings/table.js";
import { runCli } from "./cli-output.js";

const context = { io: {}, afterDashDash: undefined, act: () => {}, engineFlags: () => ({}) } as unknown as CliContext;
const COMMANDS: ReadonlyArray<[string, (context: CliContext) => Command]> = [
  ["run", runCommand],
  ["shell", shellCommand],
  ["release", releaseCommand],
];

/** The headings of a --help, and the lines under each, between the arguments and the global options. */
function sections(help: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split("\n")) {
    if (/^[A-Za-z][A-Za-z ]*:$/.test(line)) found.set(line, (current = []));
    else if (line.startsWith("  ")) current?.push(line);
  }
  found.delete("Arguments:");
  found.delete("Global Options:");
  found.delete("Examples:");
  return found;
}

/** The long flag a help line lists: "  -c, --cpu-shares <number>  ..." is --cpu-shares. */
const longFlagOf = (line: string) => /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line)?.[1];

describe("--help's groups", () => {
  it.each(COMMANDS)("give every flag %s shows a group", (_name, make) => {
    const command = make(context);
    assignHelpGroups(command);
    const shown = command.options.filter((option) => !option.hidden);
    expect(shown.length).toBeGreaterThan(50);
    const ungrouped = shown.filter((option) => !(HELP_GROUPS as readonly string[]).includes(option.helpGroupHeading ?? ""));
    expect(ungrouped.map((option) => option.long)).toEqual([]);
  });

  it.each(COMMANDS)("come in their order in %s --help, with help itself last", async (name) => {
    const { code, stdout } = await runCli([name, "--help"]);
    expect(code).toBe(0);
    const headings = [...sections(stdout).keys()];
    expect(headings.at(-1)).toBe("Options:");
    expect(headings.slice(0, -1)).toEqual(HELP_GROUPS.filter((group) => headings.includes(group)));
    expect(headings).toEqual(
      expect.arrayContaining(["Release and config:", "Environment:", DOCKER_RUN_SETTINGS, "Pipelines:", "Terminal:"]),
    );
    expect(sections(stdout).get("Options:")?.map(longFlagOf)).toEqual(["--help"]);
  });

  it("list run's groups most used first", async () => {
    const { stdout } = await runCli(["run", "--help"]);
    expect([...sections(stdout).keys()]).toEqual([...HELP_GROUPS, "Options:"]);
    expect(HELP_GROUPS).toEqual([
      "Release and config:",
      "Environment:",
      "Files and secrets:",
      "docker run settings:",
      "Pipelines:",
      "Terminal:",
    ]);
  });

  it.each(COMMANDS)("list each row of the settings table under docker run settings in %s --help", async (name) => {
    const { stdout } = await runCli([name, "--help"]);
    const underSettings = (sections(stdout).get(DOCKER_RUN_SETTINGS) ?? []).map(longFlagOf);
    expect(SETTINGS.length).toBeGreaterThan(10);
    // The environment's row keeps its own heading, the second most used.
    for (const row of SETTINGS.filter((row) => row.name !== "env")) expect(underSettings, row.flag).toContain(row.flag);
    expect((sections(stdout).get("Environment:") ?? []).map(longFlagOf)).toEqual(["--env", "--env-file"]);
    // The flags defined beside the table (the older settings) are there too, and nothing run-specific.
    expect(underSettings).toEqual(expect.arrayContaining(["--init", "--cap-add", "--ulimit", "--memory", "--cpus", "--user"]));
    expect(underSettings).not.toContain("--release");
    expect(underSettings).not.toContain("--json");
  });
});
