/**
 * Every row of settings/table.ts, one at a time, given its own `example`: what the flag sets
 * must reach the create body, come back from it as --from reads a container, come back from
 * its docker run words, and show in diff. A new row gets these tests without writing them.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { withSettingOptions } from "../../src/cli/runtime-options.js";
import { parseConfigFile } from "../../src/config/file.js";
import { mergeLayers } from "../../src/plan/merge-layers.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { fieldAt, type AnyRow } from "../../src/settings/row.js";
import { SETTINGS } from "../../src/settings/table.js";
import { jobRuntime, runtimeNotForJobs } from "../../src/requests/job-runtime.js";
import {
  configFromRuntime,
  hostConfigFromRuntime,
  networkingConfigFromRuntime,
  runtimeDiffByKey,
  runtimeDiffValues,
  runtimeFlagWords,
  runtimeFromHostConfig,
} from "../../src/requests/runtime-settings.js";
import type { TaskDefinition } from "../../src/types/config.js";
import type { RuntimeFlags } from "../../src/types/options.js";

/** A row's flag as commander gives it, from the flag's words on a command line. */
function flagsOf(row: AnyRow, words: string[]): RuntimeFlags {
  const given = row.shape === "switch" ? true : row.repeatable ? words : words.join(" ");
  return { [row.name]: given } as RuntimeFlags;
}

/** The words after the flag on a command line: none for a switch, the example otherwise. */
const exampleWords = (row: AnyRow) => (row.shape === "switch" ? [] : [row.example]);

/** The row's flag's arguments on a docker run line (every other word is the flag itself, as the line writes it: -v). */
function argumentsOnLine(row: AnyRow, line: string[]): string[] {
  expect(line.filter((_, i) => i % 2 === 0 || row.shape === "switch").every((word) => word === (row.shownFlag ?? row.flag))).toBe(true);
  return row.shape === "switch" ? [] : line.filter((_, i) => i % 2 === 1);
}

describe.each(SETTINGS.map((row) => [row.flag, row] as const))("the row of %s", (_flag, row) => {
  const settings = runtimeFlagSettings(flagsOf(row, exampleWords(row)));

  it("sets its setting, and only it, from its example", () => {
    expect(Object.keys(settings)).toEqual([row.name]);
  });

  it("writes its field of the create body, and --from reads the value back from it", () => {
    const parts = {
      HostConfig: hostConfigFromRuntime(settings),
      Config: configFromRuntime(settings),
      NetworkingConfig: networkingConfigFromRuntime(settings) ?? {},
    };
    const { HostConfig: host, Config: config, NetworkingConfig: networking } = parts;
    if (row.api.part === "Query") {
      // The create request's query (--platform): no body field, and nothing an inspect gives back.
      expect({ ...host, ...config, ...networking }).toEqual({});
      expect(runtimeFromHostConfig(host, {}, config)).toEqual({});
      const query = { [row.api.field]: (row.api.write as (value: unknown) => unknown)(settings[row.name]) };
      expect(runtimeFromHostConfig(host, {}, config, { query })).toEqual(settings);
      return;
    }
    // Its field, or those others it sets too (--network's NetworkMode beside its endpoint; -v's
    // anonymous volume, which goes as Config.Volumes, not Binds), and no more.
    const written = (["HostConfig", "Config", "NetworkingConfig"] as const).flatMap((part) =>
      Object.keys(parts[part]).map((field) => `${part}.${field}`),
    );
    const named = ({ part, field }: { part: string; field: string }) => `${part}.${field.split(".")[0]}`;
    const { also = [] } = row.api as { also?: { part: string; field: string } | Array<{ part: string; field: string }> };
    const fields = [row.api, ...[also].flat()].map(named);
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((field) => !fields.includes(field))).toEqual([]);
    if (!Array.isArray(also)) expect(written.sort()).toEqual(fields.sort());
    expect(runtimeFromHostConfig(host, {}, config, { networking })).toEqual(settings);
  });

  it("is written on the docker run line as words that parse back to the same value", () => {
    const line = runtimeFlagWords(settings);
    expect(line[0]).toBe(row.shownFlag ?? row.flag);
    expect(runtimeFlagSettings(flagsOf(row, argumentsOnLine(row, line)))).toEqual(settings);
  });

  it("shows in diff when the one-off's value differs from the running process's", () => {
    const what = row.flag.slice(2);
    if (row.diffByKey) {
      // A row per key instead (env NAME), and none for the flag.
      expect(runtimeDiffByKey(settings, {}).map(({ row: shown }) => [shown.what.split(" ")[0], shown.same])).toEqual([[what, false]]);
      expect(runtimeDiffValues(settings).has(what)).toBe(false);
      return;
    }
    const ours = runtimeDiffValues(settings).get(what);
    const theirs = runtimeDiffValues({}).get(what);
    expect(theirs).toBe("");
    expect(ours).not.toBe("");
  });

  it("is carried by a Swarm job, or named among what a job cannot have", () => {
    const refused = runtimeNotForJobs(settings).map(([name]) => name);
    if (row.jobField !== undefined) {
      expect(refused).toEqual([]);
      // A ContainerSpec field (DNSConfig.Search), or the task's (TaskTemplate.Resources.Limits.MemoryBytes).
      const { container, task } = jobRuntime(settings);
      const [within, path] = row.jobField.startsWith("TaskTemplate.")
        ? [task, row.jobField.slice("TaskTemplate.".length)]
        : [container, row.jobField];
      expect(fieldAt(within, path)).toBeDefined();
    } else if (row.jobCarriedBy === undefined) expect(refused).toEqual([row.name]);
  });
});

describe("the table", () => {
  it("holds the docker run flags run, shell and release take, --platform too (which also chooses the image pulled)", () => {
    const flags = withSettingOptions(new Command()).options.map((option) => option.long);
    // A row's file flag (--label-file), or its second flag (--mount), follows its own.
    expect(flags).toEqual(
      SETTINGS.flatMap((row) => [row.flag, ...(row.file ? [row.file.flag] : []), ...(row.second ? [row.second.flag] : [])]),
    );
    expect(flags).toContain("--label-file");
    expect(flags).toContain("--platform");
  });

  it("names each setting once, as its flag is named", () => {
    const camel = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    expect(SETTINGS.filter((row) => row.name !== camel(row.flag)).map((row) => row.flag)).toEqual([]);
  });
});

describe("a switch written false in oneoff.yaml", () => {
  it("stands over a true under it (a task's init: false), and asks the engine for nothing", () => {
    const { config } = parseConfigFile(
      ["image: shop", "init: true", "tasks:", "  migrate:", "    command: [bin/migrate]", "    init: false", ""].join("\n"),
      {
        path: "/srv/shop/oneoff.yaml",
        displayPath: "oneoff.yaml",
        env: {},
      },
    );
    const { settings } = mergeLayers([config.base, (config.tasks.migrate as TaskDefinition).overrides]);
    expect(settings.init).toBe(false);
    expect(hostConfigFromRuntime(settings)).toEqual({});
    expect(runtimeFlagWords(settings)).toEqual([]);
    expect(runtimeDiffValues(settings).get("init")).toBe("");
  });
});
