import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { withSettingOptions } from "../../src/cli/runtime-options.js";
import { loadComposeService } from "../../src/config/compose-project.js";
import { parseConfigFile } from "../../src/config/file.js";
import { OneoffError } from "../../src/output/errors.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { buildContainerSpec } from "../../src/requests/create-body.js";
import { dockerRunLine } from "../../src/requests/docker-run-line.js";
import { runtimeFromJob } from "../../src/requests/job-runtime.js";
import { runtimeDiffValues, runtimeFromHostConfig } from "../../src/requests/runtime-settings.js";
import { stopGraceSeconds } from "../../src/settings/stop-timeout-row.js";
import { plan } from "./plan-fixture.js";

const identity = {
  imageId: "sha256:abc",
  startedBy: "alice",
  startedAt: new Date("2026-12-08T00:00:00Z"),
  version: "0.1.0",
  owner: "laptop:1",
};

/** The flag as run, shell and release read it: commander, with the row's option. */
function flagValue(...argv: string[]): unknown {
  const command = withSettingOptions(new Command("run"), ["stopTimeout"]).exitOverride();
  command.configureOutput({ writeErr: () => {} });
  command.parse(argv, { from: "user" });
  return command.opts().stopTimeout;
}

function composeService(key: string): unknown {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-stop-timeout-")), "shop");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "compose.yaml"), `services:\n  web:\n    image: shop\n    ${key}\n`);
  return loadComposeService([], "web", [dir], dir, {}).layer.settings.stopTimeout;
}

function thrown(act: () => unknown): OneoffError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("nothing thrown");
}

describe("--stop-timeout, a row of the settings table", () => {
  it.each([
    ["30", 30],
    ["0", 0],
    // oneoff has always taken a fraction (docker an integer): kept, rounded up once into the whole seconds the engine keeps.
    ["2.5", 3],
  ])("reads --stop-timeout %s where commander reads the flag, as the whole seconds %d", (text, seconds) => {
    const given = flagValue("--stop-timeout", text);
    expect(given).toBe(Number(text));
    expect(runtimeFlagSettings({ stopTimeout: given as number })).toEqual({ stopTimeout: seconds });
  });

  it.each(["soon", "-1", ""])("refuses --stop-timeout %j in commander's words, as before it was a row", (text) => {
    expect(() => flagValue("--stop-timeout", text)).toThrow(
      `option '--stop-timeout <seconds>' argument '${text}' is invalid. give a number of seconds, such as 30`,
    );
  });

  it("refuses a stop timeout longer than Node can time, naming the flag and its number", () => {
    const error = thrown(() => runtimeFlagSettings({ stopTimeout: 2_200_000 }));
    expect(error.message).toBe("--stop-timeout 2200000: longer than oneoff can time");
    expect(error.hint).toBe("give at most 2147483 seconds");
    // A library caller's negative number, which commander never passes.
    expect(thrown(() => runtimeFlagSettings({ stopTimeout: -1 })).message).toBe("--stop-timeout -1: must not be negative");
  });

  it("is the container's StopTimeout, last of the config's fields before HostConfig, and absent when not given", () => {
    const { body } = buildContainerSpec(plan({ settings: { stopSignal: "SIGINT", stopTimeout: 3 } }), identity, "abc123");
    expect(body.StopTimeout).toBe(3);
    const keys = Object.keys(body);
    expect(keys.slice(keys.indexOf("StopSignal"))).toEqual(["StopSignal", "StopTimeout", "HostConfig", "NetworkingConfig"]);
    expect("StopTimeout" in buildContainerSpec(plan(), identity, "abc123").body).toBe(false);
  });

  it("writes --stop-timeout on the docker run line in the table's place, after --isolation", () => {
    const spec = buildContainerSpec(plan({ settings: { isolation: "default", stopTimeout: 20 } }), identity, "abc123");
    expect(dockerRunLine(spec)).toContain(" --isolation default --stop-timeout 20 ");
  });

  it("shows a diff row, 0 included (SIGKILL at once is a setting)", () => {
    expect(runtimeDiffValues({ stopTimeout: 20 }).get("stop-timeout")).toBe("20");
    expect(runtimeDiffValues({ stopTimeout: 0 }).get("stop-timeout")).toBe("0");
    expect(runtimeDiffValues({}).get("stop-timeout")).toBe("");
  });

  it("reads a running container's Config.StopTimeout back (--from), and nothing from one that has none", () => {
    expect(runtimeFromHostConfig({}, {}, { StopTimeout: 20 })).toEqual({ stopTimeout: 20 });
    expect(runtimeFromHostConfig({}, {}, { StopTimeout: 0 })).toEqual({ stopTimeout: 0 });
    expect(runtimeFromHostConfig({}, {}, { StopTimeout: null })).toEqual({});
  });

  it("reads a Swarm service's StopGracePeriod (nanoseconds) back as whole seconds", () => {
    expect(runtimeFromJob({ ContainerSpec: { StopGracePeriod: 20_000_000_000 } }, ["stopTimeout"])).toEqual({ stopTimeout: 20 });
    expect(runtimeFromJob({ ContainerSpec: {} }, ["stopTimeout"])).toEqual({});
  });

  it("takes stop_timeout in oneoff.yaml at the top level and in a task", () => {
    const { config } = parseConfigFile("stop_timeout: 5\ntasks:\n  slow:\n    command: [sleep, '9']\n    stop_timeout: 1\n", {
      path: "/srv/shop/oneoff.yaml",
      displayPath: "oneoff.yaml",
      env: {},
    });
    expect(config.base.settings.stopTimeout).toBe(5);
    expect(config.tasks.slow?.overrides.settings.stopTimeout).toBe(1);
  });

  it.each([
    ["stop_grace_period: 1m30s", 90],
    ["stop_grace_period: 20s", 20],
    // compose sends whole seconds, cut: 1.5 s is 1.
    ["stop_grace_period: 1500ms", 1],
    ["stop_grace_period: 0s", 0],
  ])("reads compose's %s as %d seconds", (key, seconds) => {
    expect(composeService(key)).toBe(seconds);
  });

  it("refuses a compose stop_grace_period that is no duration, with its line", () => {
    const error = thrown(() => composeService("stop_grace_period: soon"));
    expect(error.message).toMatch(/compose\.yaml:4:\d+: services\.web\.stop_grace_period: not a duration$/);
  });

  it("gives the session's stop the setting, else docker stop's 10 s", () => {
    expect(stopGraceSeconds({ stopTimeout: 0 })).toBe(0);
    expect(stopGraceSeconds({})).toBe(10);
  });
});
