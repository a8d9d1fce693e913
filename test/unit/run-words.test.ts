import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { splitOwnWords } from "../../src/cli/argv.js";
import { runCli } from "./cli-output.js";

/** An image ID: --dry-run shows it without asking any registry; the engine socket does not exist. */
const RELEASE = `sha256:${"ab".repeat(32)}`;
const NO_ENGINE = ["-H", "unix:///nonexistent/oneoff-run-words.sock"];
const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-run-words-"));
const config = path.join(dir, "other.yaml");
writeFileSync(config, `app: words\nimage: ${RELEASE}\ntasks:\n  migrate: [echo, migrating]\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The create request's Cmd and Env of `oneoff ... run --dry-run ...`, as printed on stdout. */
async function dryRun(argv: string[]): Promise<{ Cmd: string[]; Env: string[] }> {
  const { code, stdout, stderr } = await runCli([...NO_ENGINE, ...argv]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  const body = (JSON.parse(stdout) as { request: { body: { Cmd: string[]; Env?: string[] } } }).request.body;
  return { Cmd: body.Cmd, Env: body.Env ?? [] };
}

describe("run takes a command without --, as heroku run and docker compose run do", () => {
  it.each([
    [
      ["run", "--dry-run", "--release", RELEASE, "rake", "db:migrate"],
      ["rake", "db:migrate"],
    ],
    [
      ["run", "--dry-run", "--release", RELEASE, "ls", "-la", "/"],
      ["ls", "-la", "/"],
    ],
    // Flags after the command's first word are the command's, --json and --debug included.
    [
      ["run", "--dry-run", "--release", RELEASE, "cat", "--debug", "--json", "-e", "x"],
      ["cat", "--debug", "--json", "-e", "x"],
    ],
    // A -- after the command's first word is the command's too, once it has begun.
    [
      ["run", "--dry-run", "--release", RELEASE, "grep", "-r", "--", "-v", "."],
      ["grep", "-r", "--", "-v", "."],
    ],
    // ... but one right after it is oneoff's, as before: `run -- ls -- -la` and `run ls -- -la` agree.
    [
      ["run", "--dry-run", "--release", RELEASE, "ls", "--", "-la"],
      ["ls", "-la"],
    ],
    [
      ["run", "--dry-run", "--release", RELEASE, "--", "ls", "-la"],
      ["ls", "-la"],
    ],
    // A task name still wins: the words after it are the task's arguments.
    [
      ["run", "--dry-run", "-f", config, "migrate", "--verbose"],
      ["echo", "migrating", "--verbose"],
    ],
    [
      ["run", "--dry-run", "-f", config, "migrate", "--", "--verbose"],
      ["echo", "migrating", "--verbose"],
    ],
    [
      ["run", "--dry-run", "-f", config, "rake", "db:migrate"],
      ["rake", "db:migrate"],
    ],
  ])("%j runs %j", async (argv, command) => {
    expect((await dryRun(argv)).Cmd).toEqual(command);
  });

  it("takes flags before the command's first word as oneoff's own", async () => {
    const { Cmd, Env } = await dryRun(["run", "-e", "A=1", "--dry-run", "--release", RELEASE, "env"]);
    expect(Cmd).toEqual(["env"]);
    expect(Env).toContain("A=1");
  });

  it("takes compose's -f before the command name as that command's", async () => {
    expect((await dryRun(["-f", config, "run", "--dry-run", "migrate"])).Cmd).toEqual(["echo", "migrating"]);
    expect((await dryRun(["--file", config, "run", "--dry-run", "migrate"])).Cmd).toEqual(["echo", "migrating"]);
    expect((await dryRun([`--file=${config}`, "run", "--dry-run", "migrate"])).Cmd).toEqual(["echo", "migrating"]);
  });
});

describe("where oneoff's own words end", () => {
  const valued = new Set(["-e", "--env", "-f", "--file", "--wait-lock"]);
  it.each([
    [["run", "migrate"], ["run", "migrate"], undefined],
    [["run", "-e", "A=1", "env"], ["run", "-e", "A=1", "env"], undefined],
    [
      ["run", "-e", "A=1", "env", "-e", "B"],
      ["run", "-e", "A=1", "env"],
      ["-e", "B"],
    ],
    [["run", "-ie", "A=1", "cat", "-n"], ["run", "-ie", "A=1", "cat"], ["-n"]],
    [["run", "-eA=1", "--env=B=2", "cat", "-n"], ["run", "-eA=1", "--env=B=2", "cat"], ["-n"]],
    [["-H", "tcp://h:2375", "run", "ls", "-la"], ["-H", "tcp://h:2375", "run", "ls"], ["-la"]],
    [["run", "--", "ls", "-la"], ["run"], ["ls", "-la"]],
    [["run", "ls", "--"], ["run", "ls"], []],
    [["ps", "--all"], ["ps", "--all"], undefined],
    [["logs", "abc", "--", "x"], ["logs", "abc"], ["x"]],
  ])("%j: own %j, the one-off's %j", (argv, own, command) => {
    expect(splitOwnWords(argv, valued)).toEqual({ own, command });
  });
});
