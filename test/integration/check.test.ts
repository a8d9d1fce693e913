/**
 * oneoff check: every pre-flight failure is found without starting anything, each on its own
 * line with its fix, all of them at once, and nothing is left on the engine.
 *
 * oneoff runs in this process (oneoffInProcess) in every test: they read what check says and
 * what the engine saw, never oneoff's process; no test here spawns one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, FILE_RUN_LABEL, IMAGE, oneOffContainers, REGISTRY } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

function app(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-check-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), yaml);
  return dir;
}

const GOOD = "app: checked\nimage: oneoff-test/busybox\nuser: app\nworkdir: /home/app\ntasks:\n  migrate: [sh, -c, 'exit 0']\n";

describe("oneoff check", () => {
  it("passes for a one-off that can run, and starts nothing", async () => {
    const since = docker("system", "info", "--format", "{{.SystemTime}}");
    const result = await oneoffInProcess(["check", "migrate"], { cwd: app(GOOD) });
    expect(result.stderr).toMatch(
      /^oneoff: checks passed: .*engine [\d.]+.*, API [\d.]+; oneoff-test\/busybox is present as [0-9a-f]{12}; user app exists in the image; workdir \/home\/app exists; sh is \/bin\/sh\n$/,
    );
    expect(result.code).toBe(0);
    // What this file's containers did meanwhile (other files run beside it): the check's
    // container was created and destroyed, never started.
    const events = docker(
      "events",
      "--since",
      since,
      "--until",
      docker("system", "info", "--format", "{{.SystemTime}}"),
      "--filter",
      "type=container",
      "--filter",
      `label=${FILE_RUN_LABEL}`,
      "--format",
      "{{.Action}}",
    ).split("\n");
    expect(events.filter((action) => ["create", "start", "destroy"].includes(action))).toEqual(["create", "destroy"]);
  });

  it.each([
    [
      // A loopback registry's: a reference without a host would send the engine to Docker Hub.
      "a missing image",
      ["--release", `${REGISTRY}/oneoff-test/busybox:no-such-tag`],
      /^oneoff: check release: 127\.0\.0\.1:5055\/oneoff-test\/busybox:no-such-tag is neither present nor in its registry: .+ \(check the image name and tag/m,
    ],
    [
      "a missing network",
      ["--network", "no-such-net"],
      /^oneoff: check network: network no-such-net does not exist \(create it with docker network create no-such-net/m,
    ],
    [
      "an unknown user",
      ["-u", "nobody-here"],
      /^oneoff: check user: user nobody-here does not exist in the image's \/etc\/passwd \(check -u/m,
    ],
    ["a missing workdir", ["-w", "/no/such/dir"], /^oneoff: check workdir: workdir \/no\/such\/dir does not exist in the image/m],
  ])("fails on %s alone, naming it and the fix", async (_, flags, message) => {
    const result = await oneoffInProcess(["check", ...flags, "migrate"], { cwd: app(GOOD) });
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it("fails on a missing volume", async () => {
    const result = await oneoffInProcess(["check", "migrate"], { cwd: app(`${GOOD}volumes: ["oneoff-no-such-volume:/data"]\n`) });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: check volume: volume oneoff-no-such-volume does not exist/);
  });

  it("fails on a command that is not in the image", async () => {
    const result = await oneoffInProcess(["check", "--", "bin/migrate-everything"], { cwd: app(GOOD) });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(
      /^oneoff: check command: command bin\/migrate-everything is not an executable file in the image \(check the command/,
    );
  });

  it("fails on an unresolvable variable, naming it", async () => {
    const result = await oneoffInProcess(["check", "migrate"], { cwd: app(`${GOOD}env:\n  DATABASE_URL: \${DATABASE_URL_FOR_CHECK}\n`) });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(
      /^oneoff: check config: oneoff\.yaml:8:17: env\.DATABASE_URL: variable DATABASE_URL_FOR_CHECK is not set/,
    );
  });

  it("lists every failure at once, as JSON too", async () => {
    const args = ["check", "-u", "nobody-here", "-w", "/no/such/dir", "--network", "no-such-net", "--", "no-such-command"];
    const result = await oneoffInProcess(args, { cwd: app(GOOD) });
    expect(result.code).toBe(125);
    expect(
      result.stderr
        .trimEnd()
        .split("\n")
        .map((line) => /^oneoff: check (\w+):/.exec(line)?.[1]),
    ).toEqual(["network", "user", "workdir", "command"]);
    const json = documentOf<{ ok: boolean; checks: Array<{ ok: boolean; name: string }> }>(
      "check",
      (await oneoffInProcess([...args.slice(0, 1), "--json", ...args.slice(1)], { cwd: app(GOOD) })).stdout,
    );
    expect(json.ok).toBe(false);
    expect(json.checks.filter((check: { ok: boolean }) => !check.ok).map((check: { name: string }) => check.name)).toEqual([
      "network",
      "user",
      "workdir",
      "command",
    ]);
    expect(oneOffContainers()).toEqual([]);
  });

  it("runs before a release and stops it when a check fails; --no-check skips them", async () => {
    const dir = app(
      `app: checkrel${Date.now()}\nimage: oneoff-test/busybox\nrelease_task: migrate\ntasks:\n  migrate: [no-such-migrate]\n`,
    );
    const checked = await oneoffInProcess(["release"], { cwd: dir });
    expect(checked.code).toBe(125);
    expect(checked.stderr).toMatch(/^oneoff: check command: command no-such-migrate is not an executable file/);
    const unchecked = await oneoffInProcess(["release", "--no-check"], { cwd: dir });
    expect(unchecked.code).toBe(127);
    for (const volume of docker("volume", "ls", "-q", "--filter", "label=io.oneoff.ledger")
      .split("\n")
      .filter((name) => name.includes("checkrel")))
      docker("volume", "rm", volume);
  });
});
