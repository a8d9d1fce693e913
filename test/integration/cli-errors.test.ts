import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

// In this process (in-process.ts): these test what oneoff says. What a real process shows (its
// exit code through the launcher, signals, a reader gone away) is exit-codes, signals,
// launcher and broken-output's.

function appWith(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-errors-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const BASE = `app: errs\nimage: ${IMAGE.split(":")[0]}\n`;

/** Bad input: exit 125 and exactly one line on stderr, no stack trace, nothing on stdout. */
async function expectOneLineError(args: string[], cwd: string | undefined, pattern: RegExp, env?: Record<string, string | undefined>) {
  const result = await oneoffInProcess(args, { ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\bat .*\.[cm]?[jt]s:\d+/);
  expect(result.stdout.length).toBe(0);
  expect(result.code).toBe(125);
}

// Rows the bad-input catalogue (test/faults/bad-input.test.ts) already has are not repeated here:
// these are the ones it does not (a nested mapping, a wrong type under a task, a memory size,
// flags, no release, an engine, --debug).
describe("bad input gets one clear line and exit 125", () => {
  it.each([
    [
      "a YAML syntax error, with line and column",
      `${BASE}user: app: x\n`,
      /^oneoff: oneoff\.yaml:3:\d+: invalid YAML: .+ \(fix the YAML syntax at that line\)$/,
    ],
    [
      "a wrong type, naming the key path",
      `${BASE}tasks:\n  migrate:\n    command: [x]\n    env: [A=1]\n`,
      /^oneoff: oneoff\.yaml:6:10: tasks\.migrate\.env: expected a mapping, got a list \(write it as KEY: value lines, indented under it\)$/,
    ],
    ["a bad memory size", `${BASE}memory: lots\n`, /^oneoff: oneoff\.yaml:3:9: memory: "lots": not a memory size/],
  ])("%s", async (_, config, pattern) => {
    await expectOneLineError(["run", "--", "true"], appWith(config), pattern);
  });

  it("an unknown flag, with a suggestion", async () => {
    await expectOneLineError(
      ["run", "--relase", IMAGE, "--", "true"],
      undefined,
      /^oneoff: unknown option '--relase' \(did you mean --release\?\)$/,
    );
  });

  it("a bad flag value, naming the flag", async () => {
    await expectOneLineError(
      ["run", "--memory", "lots", "--release", IMAGE, "--", "true"],
      undefined,
      /^oneoff: --memory "lots": not a memory size/,
    );
    await expectOneLineError(
      ["run", "--stop-timeout", "soon", "--release", IMAGE, "--", "true"],
      undefined,
      /^oneoff: option '--stop-timeout <seconds>' argument 'soon' is invalid. give a number of seconds/,
    );
    await expectOneLineError(
      ["run", "--pull", "sometimes", "--release", IMAGE, "--", "true"],
      undefined,
      /^oneoff: option '--pull <policy>' argument 'sometimes' is invalid/,
    );
  });

  it("takes a command without --, as heroku run does: the flags after its first word are its own", async () => {
    const result = await oneoffInProcess(["run", "--release", IMAGE, "echo", "-n", "--json"]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    expect(result.stdout.toString()).toBe("--json");
  });

  it("nothing to run", async () => {
    await expectOneLineError(["run", "--release", IMAGE], undefined, /^oneoff: nothing to run \(give a command after --/);
  });

  it("no release anywhere", async () => {
    await expectOneLineError(["run", "--", "true"], os.tmpdir(), /^oneoff: no release to run \(pass --release/, {
      ONEOFF_RELEASE: undefined,
    });
  });

  it("an engine that cannot be reached, naming it", async () => {
    await expectOneLineError(
      ["run", "--release", IMAGE, "--", "true"],
      undefined,
      /^oneoff: cannot reach the Docker engine at unix:\/\/\/tmp\/no-engine\.sock: no engine socket there \(start the engine/,
      { DOCKER_HOST: "unix:///tmp/no-engine.sock" },
    );
  });

  it("shows the stack with --debug", async () => {
    const result = await oneoffInProcess(["--debug", "run", "--release", IMAGE, "--", "true"], {
      env: { DOCKER_HOST: "unix:///tmp/no-engine.sock" },
    });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe("ONEOFF_RELEASE", () => {
  it("names the release when neither flag nor config does", async () => {
    const result = await oneoffInProcess(["run", "-q", "--", "echo", "from env"], { cwd: os.tmpdir(), env: { ONEOFF_RELEASE: IMAGE } });
    expect(result.stdout.toString()).toBe("from env\n");
    expect(result.code).toBe(0);
  });
});
