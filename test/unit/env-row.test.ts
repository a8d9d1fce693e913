/**
 * -e/--env and --env-file as a row of settings/table.ts (settings/env-row.ts): its parser reads
 * the caller's environment, holds "unset here", reads docker's literal env files (compose's
 * dotenv files stay config/'s), writes the create body's Env and the docker run line's -e
 * words with secrets masked, and gives diff a row per variable.
 */
import { describe, expect, it } from "vitest";
import { parseComposeEnvFile } from "../../src/config/dotenv.js";
import { mergeLayers } from "../../src/plan/merge-layers.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { dockerEnvFileEntries, envRow, parseEnvEntries, runningEnv } from "../../src/settings/env-row.js";
import { isProblem } from "../../src/settings/row.js";
import { SETTINGS } from "../../src/settings/table.js";
import { configFromRuntime, runtimeDiffByKey, runtimeDiffValues, runtimeFlagWords } from "../../src/requests/runtime-settings.js";
import type { EnvSetting } from "../../src/types/config.js";
import { buildContainerSpec } from "../../src/requests/create-body.js";
import { buildJobServiceSpec } from "../../src/requests/service-spec.js";
import { plan } from "./plan-fixture.js";

const row = envRow();
const here = { env: { FROM_HOST: "host-value", EMPTY_ON_HOST: "" } };

/** A docker env file's text as the row reads it: its entries, parsed as -e's. */
function fromDockerFile(text: string, context = here): EnvSetting | { line: number; problem: string } {
  const entries = dockerEnvFileEntries(text, context);
  if (!Array.isArray(entries)) return entries;
  const parsed = parseEnvEntries(entries, context);
  if (isProblem(parsed)) throw new Error(parsed.problem);
  return parsed;
}

describe("the env row's parser, given the caller's environment", () => {
  it.each<[string, string[], EnvSetting]>([
    ["KEY=VALUE", ["GREETING=hello"], { GREETING: "hello" }],
    ["a bare KEY set here: its value", ["FROM_HOST"], { FROM_HOST: "host-value" }],
    ["a bare KEY set empty here: empty", ["EMPTY_ON_HOST"], { EMPTY_ON_HOST: "" }],
    ["a bare KEY unset here: unset here (null)", ["NOT_HERE"], { NOT_HERE: null }],
    ["a later value over an earlier one", ["A=1", "A=2"], { A: "2" }],
    ["a bare unset KEY after a value: the value stands", ["A=1", "A"], { A: "1" }],
    ["an inherited name is never the caller's", ["constructor", "toString"], { constructor: null, toString: null }],
  ])("reads %s", (_what, entries, expected) => {
    expect(parseEnvEntries(entries, here)).toEqual(expected);
  });

  it("puts a value given after an unset KEY where a value alone goes, after the values before it", () => {
    const env = parseEnvEntries(["A=1", "LATE", "B=2", "LATE=3"], here) as EnvSetting;
    expect(Object.entries(env)).toEqual([
      ["A", "1"],
      ["B", "2"],
      ["LATE", "3"],
    ]);
  });

  it("takes the environment from the flags' caller (runtimeFlagSettings' context)", () => {
    expect(runtimeFlagSettings({ env: ["FROM_HOST", "NOT_HERE"] }, here)).toEqual({ env: { FROM_HOST: "host-value", NOT_HERE: null } });
    expect(runtimeFlagSettings({ env: ["FROM_HOST"] }, { env: {} })).toEqual({ env: { FROM_HOST: null } });
  });

  it("refuses a bad name in one line naming -e and the entry, never its value", () => {
    expect(() => runtimeFlagSettings({ env: ["OK=1", "A B=secret-value"] }, here)).toThrow(
      '-e "A B=...": variable name "A B" contains whitespace',
    );
    const problem = parseEnvEntries([`=${"x".repeat(80)}`], here);
    expect(isProblem(problem) && problem.at).toEqual({ entry: "=...", index: 0 });
  });
});

describe("the env row's files: docker's literal --env-file (compose's dotenv is env_file:'s)", () => {
  it.each<[string, string, EnvSetting]>([
    ["NAME=value", "NAME=value", { NAME: "value" }],
    ["double quotes, kept", 'QUOTED="a b"', { QUOTED: '"a b"' }],
    ["single quotes, kept", "SINGLE='x'", { SINGLE: "'x'" }],
    ["a # mid-line, kept", "HASH=a # not a comment", { HASH: "a # not a comment" }],
    ["trailing spaces, kept", "TRAILING=space   ", { TRAILING: "space   " }],
    ["spaces after the equals sign, kept", "NAME= value", { NAME: " value" }],
    ["leading whitespace, dropped", "   INDENTED=kept", { INDENTED: "kept" }],
    ["an empty value", "EMPTY=", { EMPTY: "" }],
    ["an equals sign in the value", "URL=a=b", { URL: "a=b" }],
    ["a whole-line comment and blank lines", "# NAME=x\n\n  # also\nNAME=y\n", { NAME: "y" }],
    ["CRLF line ends", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    ["a byte order mark", "\uFEFFA=1", { A: "1" }],
    ["a bare NAME set here", "FROM_HOST", { FROM_HOST: "host-value" }],
    ["a bare NAME set empty here", "EMPTY_ON_HOST", { EMPTY_ON_HOST: "" }],
    // Unlike -e NAME: docker leaves the line out, it sends nothing bare.
    ["a bare NAME unset here, left out", "NOT_SET_HERE", {}],
    ["the last of a name given twice", "A=1\nA=2", { A: "2" }],
  ])("%s", (_what, text, expected) => {
    expect(fromDockerFile(text)).toEqual(expected);
  });

  it.each([
    ["export NAME=value", 1, /variable "export NAME" contains whitespace/],
    ["NAME =value", 1, /variable "NAME " contains whitespace/],
    ["A=1\n=value", 2, /the variable name is empty/],
    ["A=1\n\nNAME\tX=1", 3, /contains whitespace/],
    ["A=1\nB=a\0b", 2, /NUL byte/],
  ])("refuses %j, naming line %i", (text, line, message) => {
    const found = dockerEnvFileEntries(text, here) as { line: number; problem: string };
    expect(found.line).toBe(line);
    expect(found.problem).toMatch(message);
  });

  it("reads the same text otherwise than compose's dotenv does", () => {
    const text = 'QUOTED="a b"\nHASH=a # comment\n';
    expect(fromDockerFile(text)).toEqual({ QUOTED: '"a b"', HASH: "a # comment" });
    expect(parseComposeEnvFile(text, {})).toEqual({ QUOTED: "a b", HASH: "a" });
  });
});

describe("the env row's writers", () => {
  const env: EnvSetting = { PLAIN: "visible", CLEARED: null, DB_PASSWORD: "hunter2", DATABASE_URL: "postgres://app:pw1234@db/shop" };

  it("writes the create body's Env: the values in order, then the names unset here, bare", () => {
    expect(configFromRuntime({ env })).toEqual({
      Env: ["PLAIN=visible", "DB_PASSWORD=hunter2", "DATABASE_URL=postgres://app:pw1234@db/shop", "CLEARED"],
    });
  });

  it("reads an Env list back (a bare name: unset here), less what the engine sets where it says so", () => {
    const list = ["A=1", "B", "HOSTNAME=abc123"];
    expect(row.api.read(list, {})).toEqual({ A: "1", B: null, HOSTNAME: "abc123" });
    expect(runningEnv(list)).toEqual({ A: "1", B: null });
  });

  it("prints -e words with secret values masked, first of the table's flags", () => {
    expect(runtimeFlagWords({ env, user: "app" })).toEqual([
      "-e",
      "PLAIN=visible",
      "-e",
      "DB_PASSWORD=<redacted>",
      "-e",
      "DATABASE_URL=postgres://app:<redacted>@db/shop",
      "-e",
      "CLEARED",
      "--user",
      "app",
    ]);
    expect(SETTINGS[0]?.name).toBe("env");
  });

  it("gives diff a row per variable, sorted, secret values masked, and no one-line env row", () => {
    const ours: EnvSetting = { SHOP_ENV: "staging", API_TOKEN: "a", SAME: "x", GONE: null, URL: "postgres://u:pw1234@db/x" };
    const theirs: EnvSetting = { SHOP_ENV: "production", API_TOKEN: "b", SAME: "x", EXTRA: "1" };
    expect(runtimeDiffByKey({ env: ours }, { env: theirs }).map((keyed) => keyed.row)).toEqual([
      { what: "env API_TOKEN", oneOff: "(secret, differs)", running: "(secret, differs)", same: false },
      { what: "env EXTRA", oneOff: "(unset)", running: "1", same: false },
      { what: "env SAME", oneOff: "x", running: "x", same: true },
      { what: "env SHOP_ENV", oneOff: "staging", running: "production", same: false },
      { what: "env URL", oneOff: "postgres://u:<redacted>@db/x", running: "(unset)", same: false },
    ]);
    expect(runtimeDiffValues({ env: ours }).has("env")).toBe(false);
  });
});

describe("the env row's layers", () => {
  it("never lets unset here (null) replace a value under it, and keeps an unset ${VAR}'s error for it", () => {
    const yaml = { source: "oneoff.yaml", settings: { env: { KEPT: "yaml" } } };
    const flags = { source: "flags", settings: { env: { KEPT: null, CLEARED: null } } };
    const { settings, provenance } = mergeLayers([yaml, flags]);
    expect(settings.env).toEqual({ KEPT: "yaml", CLEARED: null });
    expect(provenance["env.KEPT"]).toBe("oneoff.yaml");
    const unset = { source: "oneoff.yaml", settings: {}, unsetEnv: { DB: { message: "DB: variable X is not set" } } };
    expect(() => mergeLayers([unset, { source: "flags", settings: { env: { DB: null } } }])).toThrow("DB: variable X is not set");
  });
});

describe("the env row read back from a one-off's own request", () => {
  const identity = { imageId: `sha256:${"a".repeat(64)}`, startedBy: "me", startedAt: new Date(0), version: "0", owner: "h:1" };

  it("gives a job the create body's Env as it is: a name sent bare, and a HOSTNAME the user set", () => {
    const spec = buildContainerSpec(plan({ settings: { env: { HOSTNAME: "mine", GONE: null, A: "1" } } }), identity, "abc123");
    expect(spec.body.Env).toEqual(["HOSTNAME=mine", "A=1", "GONE"]);
    const job = buildJobServiceSpec(spec, { name: "shop-job", image: "shop:v1" });
    expect(job.TaskTemplate.ContainerSpec.Env).toEqual(spec.body.Env);
    // In its place among the ContainerSpec's fields, as before it was a row.
    expect(Object.keys(job.TaskTemplate.ContainerSpec).slice(0, 4)).toEqual(["Image", "Args", "Env", "Labels"]);
  });

  it("reads a running container's Env back for --from less the engine's HOSTNAME", () => {
    expect(runningEnv(["PATH=/bin", "HOSTNAME=0123456789ab", "SHOP_ENV=production"])).toEqual({ PATH: "/bin", SHOP_ENV: "production" });
  });
});
