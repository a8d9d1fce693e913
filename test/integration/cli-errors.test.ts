import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, oneoff } from "./helpers.js";

expectNoLeftovers();

function appWith(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-errors-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const BASE = `app: errs\nimage: ${IMAGE.split(":")[0]}\n`;

/** Bad input: exit 125 and exactly one line on stderr, no stack trace, nothing on stdout. */
async function expectOneLineError(args: string[], cwd: string | undefined, pattern: RegExp, env?: Record<string, string | undefined>) {
  const result = await oneoff(args, { ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  expect(result.stdout.length).toBe(0);
  expect(result.code).toBe(125);
}

describe("bad input gets one clear line and exit 125", () => {
  it.each([
    [
      "a YAML syntax error, with line and column",
      `${BASE}user: app: x\n`,
      /^oneoff: oneoff\.yaml:3:\d+: invalid YAML: .+ \(fix the YAML syntax at that line\)$/,
    ],
    [
      "an unknown key, with a suggestion",
      `${BASE}netwrok: shop\n`,
      /^oneoff: oneoff\.yaml:3:1: netwrok: unknown key \(did you mean "network"\?\)$/,
    ],
    [
      "an unknown task key, with its path",
      `${BASE}tasks:\n  migrate:\n    comand: [x]\n`,
      /^oneoff: oneoff\.yaml:5:5: tasks\.migrate\.comand: unknown key \(did you mean "command"\?\)$/,
    ],
    [
      "a wrong type, naming the key path",
      `${BASE}tasks:\n  migrate:\n    command: [x]\n    env: [A=1]\n`,
      /^oneoff: oneoff\.yaml:6:10: tasks\.migrate\.env: expected a mapping, got a list \(write it as KEY: value lines, indented under it\)$/,
    ],
    ["a bad memory size", `${BASE}memory: lots\n`, /^oneoff: oneoff\.yaml:3:9: memory: "lots" is not a memory size/],
    [
      "a missing required variable, naming it",
      `${BASE}release: \${RELEASE_UNSET_FOR_TEST}\n`,
      /^oneoff: oneoff\.yaml:3:10: release: variable RELEASE_UNSET_FOR_TEST is not set \(set RELEASE_UNSET_FOR_TEST in the environment, or give a default/,
    ],
    ["a duplicate key", `${BASE}user: a\nuser: b\n`, /^oneoff: oneoff\.yaml:4:1: invalid YAML: Map keys must be unique/],
  ])("%s", async (_, config, pattern) => {
    await expectOneLineError(["run", "--", "true"], appWith(config), pattern);
  });

  it("an unknown task, with a suggestion and how to run a command instead", async () => {
    await expectOneLineError(
      ["run", "migrat"],
      appWith(`${BASE}tasks:\n  migrate: [bin/migrate]\n`),
      /^oneoff: unknown task "migrat" in .*oneoff\.yaml \(did you mean "migrate"\? to run a command instead, put it after --: oneoff run -- migrat\)$/,
    );
  });

  it("a missing env_file, naming where it is referenced", async () => {
    await expectOneLineError(
      ["run", "--", "true"],
      appWith(`${BASE}env_file: missing.env\n`),
      /^oneoff: oneoff\.yaml:3:11: cannot read .*missing\.env: no such file/,
    );
  });

  it("a bad line in an env file, with its line number", async () => {
    await expectOneLineError(
      ["run", "--", "true"],
      appWith(`${BASE}env_file: app.env\n`, { "app.env": "OK=1\n\nbad name=2\n" }),
      /^oneoff: .*app\.env:3: variable name "bad name" contains whitespace \(write KEY=VALUE, one per line\)$/,
    );
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

  it("command words without --, with how to fix it", async () => {
    await expectOneLineError(["run", "migrate", "extra"], undefined, /^oneoff: too many arguments.* \(put the command after --/);
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
    const result = await oneoff(["--debug", "run", "--release", IMAGE, "--", "true"], {
      env: { DOCKER_HOST: "unix:///tmp/no-engine.sock" },
    });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe("ONEOFF_RELEASE", () => {
  it("names the release when neither flag nor config does", async () => {
    const result = await oneoff(["run", "-q", "--", "echo", "from env"], { cwd: os.tmpdir(), env: { ONEOFF_RELEASE: IMAGE } });
    expect(result.stdout.toString()).toBe("from env\n");
    expect(result.code).toBe(0);
  });
});
