/**
 * A one-off's timeout comes in four forms (the --timeout flag's text, the library's number of
 * milliseconds, oneoff.yaml's `timeout:` as a number of seconds or as text, and `oneoff
 * release`'s default) and each is read once, where it comes in, into the plan's milliseconds.
 */
import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
import { timeoutFlag } from "../../src/formats/flag-values.js";
import { OneoffError } from "../../src/output/errors.js";
import { toRunOptions } from "../../src/pipeline/library-options.js";
import { resolveRunPlan } from "../../src/plan/resolve.js";
import type { AppConfig } from "../../src/types/config.js";
import type { RunOptions } from "../../src/types/options.js";

const configFrom = (yaml: string): AppConfig =>
  parseConfigFile(yaml, { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env: { T: "1m30s" } }).config;

const planned = (yaml: string, options: RunOptions = { command: ["true"] }) =>
  resolveRunPlan({ config: configFrom(yaml), options, hostEnv: {}, cwdName: "shop" }).timeoutMs;

function refusal(read: () => unknown): OneoffError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("expected the value to be refused");
}

const IMAGE = "image: registry.example.com/shop\nrelease: v1\n";

describe("a timeout, read once where it comes in", () => {
  it.each([
    ["90s", 90_000],
    ["1m30s", 90_000],
    // A bare number is seconds, as docker reads one (docker stop -t 90).
    ["90", 90_000],
    [" 90 ", 90_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
  ])("--timeout %s is %i ms", (text, ms) => {
    expect(timeoutFlag(text)).toBe(ms);
    // The library takes the same text and reads it the same way.
    expect(toRunOptions({ timeout: text }).timeout).toBe(ms);
  });

  it.each([
    [90_000, 90_000],
    [500, 500],
    [1.5, 2],
  ])("the library's timeout %s is milliseconds: %i", (given, ms) => {
    expect(toRunOptions({ timeout: given }).timeout).toBe(ms);
  });

  it("takes none and 0 from text only: the library's number 0 is no duration", () => {
    expect(timeoutFlag("none")).toBe("none");
    expect(timeoutFlag("0")).toBe("none");
    expect(refusal(() => toRunOptions({ timeout: 0 })).message).toBe('--timeout "0ms": not a duration');
  });

  it.each([
    ["0.4ms", '--timeout "0.4ms": not a duration'],
    ["0.0001", '--timeout "0.0001": not a duration'],
    [0.4, '--timeout "0.4ms": not a duration'],
    [-5, '--timeout "-5ms": not a duration'],
    [Number.NaN, '--timeout "NaNms": not a duration'],
    [1e21, '--timeout "1e+21ms": longer than oneoff can time'],
    ["600h", '--timeout "600h": longer than oneoff can time'],
  ])("refuses %s, which rounds to no time or runs past Node's timer", (given, message) => {
    // A number is the library's, text the flag's.
    expect(refusal(() => (typeof given === "number" ? toRunOptions({ timeout: given }) : timeoutFlag(given))).message).toBe(message);
  });

  it.each([
    ["timeout: 90", 90_000],
    ["timeout: 1.5", 1_500],
    ["timeout: 1m30s", 90_000],
    ["timeout: '90'", 90_000],
    ["timeout: ${T}", 90_000],
  ])("oneoff.yaml's %s is %i ms", (line, ms) => {
    expect(configFrom(`${IMAGE}${line}\n`).timeoutMs).toBe(ms);
    expect(configFrom(`${IMAGE}tasks:\n  m:\n    command: [x]\n    ${line}\n`).tasks.m?.timeoutMs).toBe(ms);
  });

  it.each([
    ["timeout: 0", 'oneoff.yaml:3:10: timeout: "0" is not a duration'],
    ["timeout: -5", 'oneoff.yaml:3:10: timeout: "-5" is not a duration'],
    ["timeout: 0.0001", 'oneoff.yaml:3:10: timeout: "0.0001" is not a duration'],
    ["timeout: 1e21", 'oneoff.yaml:3:10: timeout: "1e+21" is longer than oneoff can time'],
  ])("oneoff.yaml's %s is refused", (line, message) => {
    expect(refusal(() => configFrom(`${IMAGE}${line}\n`)).message).toBe(message);
  });

  it("gives oneoff release's task 30m unless the flag, the task or the app sets a timeout", () => {
    const release = `${IMAGE}tasks:\n  release:\n    command: [bin/release]\n`;
    expect(planned(release, { releaseTask: true })).toBe(1_800_000);
    expect(planned(release, { releaseTask: true, timeout: 90_000 })).toBe(90_000);
    expect(planned(release, { releaseTask: true, timeout: "none" })).toBeUndefined();
    expect(planned(`${release}timeout: 90\n`, { releaseTask: true })).toBe(90_000);
    expect(planned(`${IMAGE}tasks:\n  release:\n    command: [bin/release]\n    timeout: 1m\n`, { releaseTask: true })).toBe(60_000);
    // A plain run has none unless one is set.
    expect(planned(release)).toBeUndefined();
  });
});
