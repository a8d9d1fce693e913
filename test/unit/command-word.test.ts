import { describe, expect, it } from "vitest";
import { commandsOwnShortFlags, commandWord } from "../../src/cli/argv.js";
import { COMMANDS } from "../../src/cli/main.js";
import type { CliContext } from "../../src/cli/command.js";
import { commandNames, runCli } from "./cli-output.js";

describe("which command a command line names (main builds only that one)", () => {
  it.each([
    [["run", "--", "true"], "run"],
    [["-H", "ssh://host", "ps", "--all"], "ps"],
    [["--host", "tcp://h:2375", "-c", "prod", "--env-name", "staging", "release"], "release"],
    [["--host=tcp://h:2375", "logs", "abc"], "logs"],
    [["-Hunix:///x.sock", "stop", "abc"], "stop"],
    [["--version"], undefined],
    [[], undefined],
    [["-c", "run", "ps"], "ps"],
  ])("%j names %s", (own, expected) => {
    expect(commandWord(own)).toBe(expected);
  });

  it("knows every command by the name it gives itself", () => {
    const context = { io: {}, afterDashDash: undefined, act: () => {}, engineFlags: () => ({}), debug: false } as unknown as CliContext;
    expect(COMMANDS.map(([, make]) => make(context).name())).toEqual(COMMANDS.map(([name]) => name));
  });

  it("still lists every command in help, and a command built alone still runs and helps", async () => {
    expect(await commandNames()).toEqual(COMMANDS.map(([name]) => name));
    // Built alone after a program option and its value: it parses, runs, and fails as it should.
    const ps = await runCli(["-H", "unix:///nonexistent/oneoff-test.sock", "ps"]);
    expect(ps.code).toBe(125);
    expect(ps.stderr.trim().split("\n")).toHaveLength(1);
    expect(ps.stderr).toMatch(/nonexistent\/oneoff-test\.sock/);
    const help = await runCli(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: oneoff run /);
    expect(help.stdout).toMatch(/-H, --host <address>/);
  });
});

describe("a short flag the program and the command share", () => {
  const shared = new Map([["-c", "--cpu-shares"]]);
  it.each([
    [
      ["-c", "prod", "run", "-c", "512", "migrate"],
      ["-c", "prod", "run", "--cpu-shares", "512", "migrate"],
    ],
    [
      ["run", "-c", "512"],
      ["run", "--cpu-shares", "512"],
    ],
    [
      ["--context", "prod", "ps"],
      ["--context", "prod", "ps"],
    ],
  ])("is the command's after its name, as docker reads docker -c ctx run -c 512: %j", (argv, expected) => {
    expect(commandsOwnShortFlags(argv, shared)).toEqual(expected);
  });
});
