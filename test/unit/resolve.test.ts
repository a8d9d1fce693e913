import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseConfigFile } from "../../src/config/file.js";
import type { Environment } from "../../src/config/interpolate.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { parseComposeEnvFile } from "../../src/config/dotenv.js";
import { buildContainerSpec } from "../../src/requests/create-body.js";
import { mergeLayers, resolveRunPlan, type ResolveInputs } from "../../src/plan/resolve.js";
import { disagreementLine } from "../../src/plan/from-process.js";
import type { ProcessDisagreement } from "../../src/types/plan.js";
import type { RunOptions } from "../../src/types/options.js";
import type { AppConfig, SettingsLayer } from "../../src/types/config.js";
import { OneoffError } from "../../src/output/errors.js";
import { stopGraceSeconds } from "../../src/settings/stop-timeout-row.js";

const IMAGE_ID = `sha256:${"ab".repeat(32)}`;

/** A config as oneoff.yaml would give it, so provenance carries real file locations. */
function configFrom(yaml: string, env: Environment = {}): AppConfig {
  return parseConfigFile(yaml, { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env }).config;
}

const shopYaml = [
  /*  1 */ "image: registry.example.com/shop",
  /*  2 */ "release: v1",
  /*  3 */ "env:",
  /*  4 */ "  LEVEL: config",
  /*  5 */ "  CONFIG_ONLY: c",
  /*  6 */ "user: app",
  /*  7 */ "memory: 256m",
  /*  8 */ "network: backend",
  /*  9 */ "labels:",
  /* 10 */ "  team: payments",
  /* 11 */ "pull: never",
  /* 12 */ "stop_timeout: 30",
  /* 13 */ "tasks:",
  /* 14 */ "  migrate:",
  /* 15 */ "    command: bin/rails db:migrate",
  /* 16 */ "    env:",
  /* 17 */ "      LEVEL: task",
  /* 18 */ "      TASK_ONLY: t",
  /* 19 */ "    user: root",
  /* 20 */ "  seed: [bin/seed, --count, '10']",
  /* 21 */ "  console: bin/rails console",
].join("\n");

function resolve(overrides: Partial<ResolveInputs> & { options?: RunOptions } = {}) {
  return resolveRunPlan({
    config: configFrom(shopYaml),
    options: {},
    hostEnv: {},
    cwdName: "cwd-dir",
    ...overrides,
  });
}

function resolveError(inputs: Partial<ResolveInputs>): OneoffError {
  try {
    resolve(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("expected resolveRunPlan to throw");
}

describe("resolveRunPlan", () => {
  it("plans a task from the config alone, with where each setting came from", () => {
    expect(resolve({ options: { task: "migrate" } })).toEqual({
      app: "shop",
      configPath: "/srv/shop/oneoff.yaml",
      task: "migrate",
      command: ["bin/rails", "db:migrate"],
      releaseReference: "registry.example.com/shop:v1",
      settings: {
        image: "registry.example.com/shop",
        release: "v1",
        env: { LEVEL: "task", CONFIG_ONLY: "c", TASK_ONLY: "t" },
        user: "root",
        memory: 256 * 1024 ** 2,
        network: ["backend"],
        label: { team: "payments" },
        stopTimeout: 30,
      },
      provenance: {
        image: "oneoff.yaml:1:1",
        release: "oneoff.yaml:2:1",
        "env.LEVEL": "oneoff.yaml:16:5",
        "env.CONFIG_ONLY": "oneoff.yaml:3:1",
        "env.TASK_ONLY": "oneoff.yaml:16:5",
        user: "oneoff.yaml:19:5",
        memory: "oneoff.yaml:7:1",
        network: "oneoff.yaml:8:1",
        "label.team": "oneoff.yaml:9:1",
        stopTimeout: "oneoff.yaml:12:1",
      },
      interactive: false,
      tty: false,
      pull: "never",
      kind: "container",
      constraints: [],
      files: { copyIn: [], copyOut: [], copyOutLimitBytes: 1024 ** 3 },
      secrets: [],
    });
  });

  it("layers config < ONEOFF_RELEASE < task < --env-file < flags, recording each winner's source", () => {
    const plan = resolve({
      options: {
        task: "migrate",
        envFile: ["first.env", "second.env"],
        env: ["LEVEL=flag", "FLAG_ONLY=f"],
        user: "nobody",
      },
      hostEnv: { ONEOFF_RELEASE: "v2" },
      settingFiles: [
        { source: "--env-file first.env", settings: { env: { LEVEL: "first-file", FIRST_FILE: "1", FILES: "first" } } },
        { source: "--env-file second.env", settings: { env: { FILES: "second", TASK_ONLY: "second-file" } } },
      ],
    });
    expect(plan.releaseReference).toBe("registry.example.com/shop:v2");
    expect(plan.settings.env).toEqual({
      LEVEL: "flag",
      CONFIG_ONLY: "c",
      TASK_ONLY: "second-file",
      FIRST_FILE: "1",
      FILES: "second",
      FLAG_ONLY: "f",
    });
    expect(plan.settings.user).toBe("nobody");
    expect(plan.provenance).toMatchObject({
      release: "ONEOFF_RELEASE",
      "env.LEVEL": "flags",
      "env.CONFIG_ONLY": "oneoff.yaml:3:1",
      "env.TASK_ONLY": "--env-file second.env",
      "env.FIRST_FILE": "--env-file first.env",
      "env.FILES": "--env-file second.env",
      "env.FLAG_ONLY": "flags",
      user: "flags",
    });
  });

  it("adds ONEOFF_LABELS' labels over the config's, under --label", () => {
    const plan = resolve({
      options: { command: ["true"], label: ["ci.job=from-flag"] },
      hostEnv: { ONEOFF_LABELS: "ci.job=from-env, ci.pipeline=p 7,team=infra,," },
    });
    expect(plan.settings.label).toEqual({ team: "infra", "ci.job": "from-flag", "ci.pipeline": "p 7" });
    expect(plan.provenance).toMatchObject({
      "label.team": "ONEOFF_LABELS",
      "label.ci.pipeline": "ONEOFF_LABELS",
      "label.ci.job": "flags",
    });
  });

  it.each([
    ["=x", /^ONEOFF_LABELS "=x": missing label name \(use ONEOFF_LABELS=KEY=VALUE,KEY=VALUE\)$/],
    ["io.oneoff.app=forged", /^label io\.oneoff\.app \(from ONEOFF_LABELS\): labels starting with io\.oneoff\. are reserved/],
  ])("refuses ONEOFF_LABELS=%s in one line naming it", (value, says) => {
    let line = "none thrown";
    try {
      resolve({ options: { command: ["true"] }, hostEnv: { ONEOFF_LABELS: value } });
    } catch (error) {
      const { message, hint } = error as OneoffError;
      line = hint ? `${message} (${hint})` : message;
    }
    expect(line).toMatch(says);
  });

  it.each([
    ["the config's release", {}, {}, "registry.example.com/shop:v1", "oneoff.yaml:2:1"],
    ["ONEOFF_RELEASE over the config", {}, { ONEOFF_RELEASE: "v2" }, "registry.example.com/shop:v2", "ONEOFF_RELEASE"],
    ["an empty ONEOFF_RELEASE ignored", {}, { ONEOFF_RELEASE: "" }, "registry.example.com/shop:v1", "oneoff.yaml:2:1"],
    ["--release over ONEOFF_RELEASE", { release: "v3" }, { ONEOFF_RELEASE: "v2" }, "registry.example.com/shop:v3", "flags"],
    [
      "a --release digest joined to the image",
      { release: `@sha256:${"c".repeat(64)}` },
      {},
      `registry.example.com/shop@sha256:${"c".repeat(64)}`,
      "flags",
    ],
    ["a --release image ID standing alone", { release: IMAGE_ID }, {}, IMAGE_ID, "flags"],
    ["a --release full reference standing alone", { release: "other.example.com/tool:1.2" }, {}, "other.example.com/tool:1.2", "flags"],
  ])("takes %s", (_name, options: RunOptions, hostEnv: Environment, reference, origin) => {
    const plan = resolve({ options: { command: ["true"], ...options }, hostEnv });
    expect(plan.releaseReference).toBe(reference);
    expect(plan.provenance.release).toBe(origin);
  });

  it("runs from flags alone without a config, naming the app after the working directory", () => {
    const plan = resolve({ config: undefined, options: { command: ["echo", "hi"], release: "alpine:3.20" } });
    expect(plan).toEqual({
      app: "cwd-dir",
      command: ["echo", "hi"],
      releaseReference: "alpine:3.20",
      settings: { release: "alpine:3.20", env: {} },
      provenance: { release: "flags" },
      interactive: false,
      tty: false,
      pull: "missing",
      kind: "container",
      constraints: [],
      files: { copyIn: [], copyOut: [], copyOutLimitBytes: 1024 ** 3 },
      secrets: [],
    });
  });

  it.each([
    ["a shorthand string task", "console", [], ["bin/rails", "console"]],
    ["a list task", "seed", [], ["bin/seed", "--count", "10"]],
    ["extra arguments appended to a task", "seed", ["--verbose", "two words"], ["bin/seed", "--count", "10", "--verbose", "two words"]],
    // A string command is split into argv without a shell, so extra words are argv too, literally.
    ["extra arguments appended to a string task", "console", ["two words", "$HOME;x"], ["bin/rails", "console", "two words", "$HOME;x"]],
  ])("runs %s", (_name, task, extra, command) => {
    const plan = resolve({ options: { task, command: extra } });
    expect(plan.command).toEqual(command);
    expect(plan.task).toBe(task);
  });

  it("passes a command's argv through untouched", () => {
    const argv = ["sh", "-c", `echo "it's $HOME" && exit 3`, "", "  "];
    expect(resolve({ options: { command: argv } }).command).toEqual(argv);
  });

  it("leaves the task out of a plan that runs a command", () => {
    // The plan is internal: a task key that holds undefined is no task.
    expect(resolve({ options: { command: ["true"] } }).task).toBeUndefined();
  });

  it.each([
    ["-e KEY=VALUE", ["GREETING=hello"], {}, { GREETING: "hello" }],
    ["-e KEY=VALUE with = in the value", ["URL=a=b=c"], {}, { URL: "a=b=c" }],
    ["-e KEY= as an empty value", ["EMPTY="], {}, { EMPTY: "" }],
    ["-e KEY from the host", ["FROM_HOST"], { FROM_HOST: "h" }, { FROM_HOST: "h" }],
    ["-e KEY set to empty on the host", ["FROM_HOST"], { FROM_HOST: "" }, { FROM_HOST: "" }],
    ["-e KEY unset on the host: unset here, sent bare", ["NOT_ON_HOST", "A=1"], {}, { NOT_ON_HOST: null, A: "1" }],
    ["a later -e over an earlier one", ["A=1", "A=2"], {}, { A: "2" }],
    ["-e keeps spaces in the value", ["MSG= two words "], {}, { MSG: " two words " }],
    ["-e with a name starting with a digit, as docker accepts", ["1A=2"], {}, { "1A": "2" }],
    ["-e with dots and dashes in the name", ["app.log-level=debug"], {}, { "app.log-level": "debug" }],
  ])("reads %s", (_name, entries, hostEnv: Environment, env) => {
    expect(runtimeFlagSettings({ env: entries }, { env: hostEnv }).env).toEqual(env);
  });

  it("keeps every variable name users give, __proto__ and constructor included, from flags, env files and oneoff.yaml", () => {
    const config = configFrom("image: shop\nrelease: v1\nenv:\n  __proto__: yaml\n  toString: yaml\n");
    const settingFiles = [
      { source: "--env-file f.env", settings: { env: parseComposeEnvFile("constructor=file\nhasOwnProperty=file\n", {}) } },
    ];
    const plan = resolve({
      config,
      settingFiles,
      options: { command: ["env"], env: ["__proto__=flag", "valueOf"], label: ["__proto__=label"] },
      hostEnv: { valueOf: "host" },
    });
    expect(Object.entries(plan.settings.env).sort()).toEqual([
      ["__proto__", "flag"],
      ["constructor", "file"],
      ["hasOwnProperty", "file"],
      ["toString", "yaml"],
      ["valueOf", "host"],
    ]);
    expect(Object.entries(plan.settings.label)).toEqual([["__proto__", "label"]]);
    const body = buildContainerSpec(
      plan,
      { imageId: IMAGE_ID, startedBy: "me", startedAt: new Date(0), version: "0", owner: "h:1" },
      "x",
    ).body;
    expect(body.Env).toEqual(expect.arrayContaining(["__proto__=flag", "constructor=file", "toString=yaml", "valueOf=host"]));
    expect(body.Labels["__proto__"]).toBe("label");
  });

  it("never reads an inherited property as a host variable (-e constructor with constructor unset)", () => {
    expect(Object.values(runtimeFlagSettings({ env: ["constructor", "toString", "__proto__"] }, { env: {} }).env ?? {})).toEqual([
      null,
      null,
      null,
    ]);
  });

  it("does not let an unset -e KEY hide a lower layer's value", () => {
    const plan = resolve({ options: { command: ["true"], env: ["CONFIG_ONLY"] } });
    expect(plan.settings.env.CONFIG_ONLY).toBe("c");
    expect(plan.provenance["env.CONFIG_ONLY"]).toBe("oneoff.yaml:3:1");
  });

  it.each([
    ["an empty name", "=value", "=...", "the variable name is empty"],
    ["a lone equals sign", "=", "=...", "the variable name is empty"],
    ["an empty entry", "", "", "the variable name is empty"],
    ["a name starting with a space", " A=1", " A=...", 'variable name " A" contains whitespace'],
    ["a name with a space inside", "A B=1", "A B=...", 'variable name "A B" contains whitespace'],
    ["a bare name with a tab", "A\tB", "A\tB", 'variable name "A\tB" contains whitespace'],
    ["a name with a NUL byte", "A\0B=1", "A\0B=...", 'variable name "A\0B" contains a NUL byte'],
  ])("refuses -e with %s, showing the name but never the value", (_name, entry, shown, problem) => {
    const error = resolveError({ options: { command: ["true"], env: [entry] } });
    expect(error.message).toBe(`-e "${shown}": ${problem}`);
    expect(error.hint).toBe("use -e KEY=VALUE, or -e KEY to pass KEY from your environment");
    expect(error.exitCode).toBe(125);
  });

  it.each([
    ["--user", { user: "1000:1000" }, { user: "1000:1000" }],
    ["--workdir", { workdir: "/tmp" }, { workdir: "/tmp" }],
    ["--network (replacing the config's)", { network: ["a", "b"] }, { network: ["a", "b"] }],
    ["--entrypoint", { entrypoint: "/bin/sh" }, { entrypoint: ["/bin/sh"] }],
    ["--entrypoint '' (clears the image's)", { entrypoint: "" }, { entrypoint: [""] }],
    ["--memory", { memory: "1g" }, { memory: 1024 ** 3 }],
    ["--cpus", { cpus: "0.5" }, { cpus: 5e8 }],
  ])("sets %s over the config", (_name, options: RunOptions, expected) => {
    const plan = resolve({ options: { command: ["true"], ...options } });
    expect(plan.settings).toMatchObject(expected);
    for (const name of Object.keys(expected)) expect(plan.provenance[name]).toBe("flags");
  });

  it("merges --label over the config's labels, a bare name taking an empty value", () => {
    const plan = resolve({ options: { command: ["true"], label: ["team=core", "flag", "a=b=c"] } });
    expect(plan.settings.label).toEqual({ team: "core", flag: "", a: "b=c" });
    expect(plan.provenance).toMatchObject({ "label.team": "flags", "label.flag": "flags", "label.a": "flags" });
  });

  it("keeps config labels that no --label names", () => {
    const plan = resolve({ options: { command: ["true"], label: ["owner=me"] } });
    expect(plan.settings.label).toEqual({ team: "payments", owner: "me" });
    expect(plan.provenance["label.team"]).toBe("oneoff.yaml:9:1");
  });

  it.each([
    ["--workdir", { workdir: "tmp" }, '--workdir "tmp": not an absolute path', "start it with /"],
    [
      "--memory",
      { memory: "lots" },
      '--memory "lots": not a memory size',
      "use bytes or a number with b, k, m, g, t or p (KiB, MB... too), such as 512m; 0 for no limit",
    ],
    [
      "--memory",
      { memory: "-1" },
      '--memory "-1": not a memory size',
      "use bytes or a number with b, k, m, g, t or p (KiB, MB... too), such as 512m; 0 for no limit",
    ],
    ["--cpus", { cpus: "many" }, '--cpus "many": not a number of CPUs', "use a number such as 0.5, 1.5 or 3/2; 0 for no limit"],
    ["--cpus", { cpus: "-1" }, '--cpus "-1": below 0', "use a number such as 0.5, 1.5 or 3/2; 0 for no limit"],
    [
      "--cpus",
      { cpus: "1.0000000005" },
      '--cpus "1.0000000005": too precise: docker takes whole billionths of a CPU',
      "round it to 9 decimal places or fewer, such as 0.5",
    ],
    ["--label", { label: ["=x"] }, '--label "=x": missing label name', "use --label KEY=VALUE"],
  ])("refuses a bad %s, naming the flag", (_name, options: RunOptions, message, hint) => {
    const error = resolveError({ options: { command: ["true"], ...options } });
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
    expect(error.exitCode).toBe(125);
  });

  it.each([
    ["the flag", { pull: "always" as const, stopTimeout: 3, interactive: true }, configFrom(shopYaml), "always", 3, true],
    ["the config", {}, configFrom(shopYaml), "never", 30, false],
    ["the defaults", {}, configFrom("image: shop\nrelease: v1\n"), "missing", 10, false],
  ])("takes pull, stop timeout and interactive from %s", (_name, options: RunOptions, config, pull, stop, interactive) => {
    const plan = resolve({ config, options: { command: ["true"], ...options } });
    expect(plan.pull).toBe(pull);
    expect(stopGraceSeconds(plan.settings)).toBe(stop);
    expect(plan.interactive).toBe(interactive);
  });

  it("keeps a stop timeout of zero from the flag rather than falling back", () => {
    expect(stopGraceSeconds(resolve({ options: { command: ["true"], stopTimeout: 0 } }).settings)).toBe(0);
  });

  describe("refusals", () => {
    it.each([
      [
        "nothing to run, listing the tasks",
        { config: configFrom(shopYaml), options: {} },
        "nothing to run",
        "name a task (migrate, seed, console) or give a command after --",
      ],
      [
        "nothing to run with an empty command",
        { config: configFrom(shopYaml), options: { command: [] } },
        "nothing to run",
        "name a task (migrate, seed, console) or give a command after --",
      ],
      [
        "nothing to run without tasks",
        { config: undefined, options: {} },
        "nothing to run",
        "give a command after --, e.g. oneoff run -- ./bin/task",
      ],
      [
        "a misspelt task",
        { options: { task: "migrat" } },
        'unknown task "migrat" in /srv/shop/oneoff.yaml',
        'did you mean "migrate"? to run a command instead, put it after --: oneoff run -- migrat',
      ],
      [
        "an unknown task unlike any other",
        { options: { task: "deploy-everything" } },
        'unknown task "deploy-everything" in /srv/shop/oneoff.yaml',
        "tasks: migrate, seed, console; to run a command instead, put it after --: oneoff run -- deploy-everything",
      ],
      [
        "a task when the config has none",
        { config: configFrom("image: shop\n"), options: { task: "migrate" } },
        'unknown task "migrate" in /srv/shop/oneoff.yaml',
        "to run a command instead, put it after --: oneoff run -- migrate",
      ],
      [
        "a task without a config file",
        { config: undefined, options: { task: "migrate" } },
        'task "migrate": no oneoff.yaml found here or in any parent directory',
        "pass --config FILE, or run a command instead: oneoff run -- migrate",
      ],
      [
        "a command without a release",
        { config: undefined, options: { command: ["true"] } },
        "no release to run",
        "pass --release IMAGE (a tag, digest or image ID), set ONEOFF_RELEASE, or set image: and release: in oneoff.yaml",
      ],
      [
        "an invalid release from a flag",
        { config: undefined, options: { command: ["true"], release: "Shop:v1" } },
        'release "Shop:v1" (from flags) is not a valid image reference',
        "use repo:tag, repo@sha256:digest or an image ID",
      ],
      [
        "an invalid release from the config",
        { config: configFrom("image: shop\nrelease: 'bad tag'\n"), options: { command: ["true"] } },
        'release "bad tag" (from oneoff.yaml:2:1) is not a valid image reference',
        "use repo:tag, repo@sha256:digest or an image ID",
      ],
      [
        "an invalid image from the config",
        { config: configFrom("image: Shop\n"), options: { command: ["true"] } },
        'release "Shop" (from oneoff.yaml:1:1) is not a valid image reference',
        "use repo:tag, repo@sha256:digest or an image ID",
      ],
    ])("refuses %s", (_name, inputs: Partial<ResolveInputs>, message, hint) => {
      const error = resolveError(inputs);
      expect(error.message).toBe(message);
      expect(error.hint).toBe(hint);
      expect(error.exitCode).toBe(125);
    });
  });
});

describe("mergeLayers", () => {
  const layer = (source: string, settings: SettingsLayer["settings"], locations?: SettingsLayer["locations"]): SettingsLayer => ({
    source,
    settings,
    ...(locations ? { locations } : {}),
  });

  it("starts from empty env, and no labels until a layer gives one", () => {
    expect(mergeLayers([])).toEqual({ settings: { env: {} }, provenance: {} });
    expect(mergeLayers([layer("a", { label: {} })])).toEqual({ settings: { env: {} }, provenance: {} });
  });

  it.each([
    ["a later scalar wins", [layer("a", { user: "one" }), layer("b", { user: "two" })], { user: "two" }, { user: "b" }],
    [
      "an undefined value does not override",
      [layer("a", { user: "one" }), layer("b", { user: undefined })],
      { user: "one" },
      { user: "a" },
    ],
    [
      "a later list replaces, not appends",
      [layer("a", { network: ["x", "y"] }), layer("b", { network: ["z"] })],
      { network: ["z"] },
      { network: "b" },
    ],
    [
      "env merges key by key",
      [layer("a", { env: { A: "1", B: "1" } }), layer("b", { env: { B: "2", C: "2" } })],
      { env: { A: "1", B: "2", C: "2" } },
      { "env.A": "a", "env.B": "b", "env.C": "b" },
    ],
    [
      "labels merge key by key",
      [layer("a", { label: { x: "1", y: "1" } }), layer("b", { label: { y: "2" } })],
      { label: { x: "1", y: "2" } },
      { "label.x": "a", "label.y": "b" },
    ],
    [
      "a precise location beats the layer's source",
      [layer("oneoff.yaml", { user: "app", workdir: "/srv" }, { user: "oneoff.yaml:3:1" })],
      { user: "app", workdir: "/srv" },
      { user: "oneoff.yaml:3:1", workdir: "oneoff.yaml" },
    ],
  ])("merges so that %s", (_name, layers, settings, provenance) => {
    const merged = mergeLayers(layers);
    expect(merged.settings).toMatchObject(settings);
    expect(merged.provenance).toEqual(provenance);
  });

  it("does not mutate the layers it merges", () => {
    const first = layer("a", { env: { A: "1" }, label: { l: "1" } });
    mergeLayers([first, layer("b", { env: { A: "2" }, label: { l: "2" } })]);
    expect(first.settings).toEqual({ env: { A: "1" }, label: { l: "1" } });
  });
});

describe("reserved labels", () => {
  it.each([
    [
      "a flag",
      { options: { task: "migrate", label: ["io.oneoff.task=forged"] } },
      /label io\.oneoff\.task \(from flags\): labels starting with io\.oneoff\. are reserved/,
    ],
    [
      "the config",
      { config: configFrom("image: shop\nlabels:\n  io.oneoff.managed: 'false'\n"), options: { command: ["true"] } },
      /label io\.oneoff\.managed \(from oneoff\.yaml:2:1\)/,
    ],
  ])("refuses io.oneoff.* labels from %s, naming where they came from", (_, inputs, pattern) => {
    const error = resolveError(inputs as Partial<ResolveInputs>);
    expect(error.message).toMatch(pattern);
    expect(error.exitCode).toBe(125);
  });
});

describe("terminal sessions (-i, -t, oneoff shell, interactive tasks)", () => {
  const yaml =
    "image: shop\nshell: [/bin/bash, -l]\ntasks:\n  console:\n    interactive: true\n    command: [rails, console]\n  repl:\n    interactive: auto\n    command: [irb]\n  migrate: [rake, db:migrate]\n";
  const plan = (options: RunOptions, stdinIsTTY: boolean, hostEnv: Environment = {}) =>
    resolveRunPlan({ config: configFrom(yaml), options, hostEnv, cwdName: "x", stdinIsTTY });

  it.each([
    ["-i", { command: ["cat"], interactive: true }, false, { interactive: true, tty: false }],
    ["-t alone, no terminal (allowed, as docker)", { command: ["ls"], tty: true }, false, { interactive: false, tty: true }],
    ["-it on a terminal", { command: ["sh"], interactive: true, tty: true }, true, { interactive: true, tty: true }],
    ["interactive: true on a terminal", { task: "console" }, true, { interactive: true, tty: true }],
    ["interactive: auto on a terminal", { task: "repl" }, true, { interactive: true, tty: true }],
    ["interactive: auto without a terminal", { task: "repl" }, false, { interactive: true, tty: false }],
    ["a plain task", { task: "migrate" }, true, { interactive: false, tty: false }],
    ["oneoff shell on a terminal", { shell: true }, true, { interactive: true, tty: true }],
    // oneoff run at a terminal (stdin and stdout): a terminal session, as docker compose run gives.
    ["a command at a terminal", { command: ["rails", "console"], atTerminal: true }, true, { interactive: true, tty: true }],
    ["a plain task at a terminal", { task: "migrate", atTerminal: true }, true, { interactive: true, tty: true }],
    ["-T at a terminal", { command: ["sh"], atTerminal: true, noTty: true }, true, { interactive: false, tty: false }],
    [
      "-i at a terminal keeps docker's meaning",
      { command: ["cat"], atTerminal: true, interactive: true },
      true,
      { interactive: true, tty: false },
    ],
    ["-t at a terminal keeps docker's meaning", { command: ["ls"], atTerminal: true, tty: true }, true, { interactive: false, tty: true }],
    ["a task's interactive: auto at a terminal", { task: "repl", atTerminal: true }, true, { interactive: true, tty: true }],
    ["--detach at a terminal", { command: ["sleep", "1"], atTerminal: true, detach: true }, true, { interactive: false, tty: false }],
    ["--json at a terminal", { command: ["true"], atTerminal: true, json: true }, true, { interactive: false, tty: false }],
    ["-T with an interactive: true task", { task: "console", noTty: true }, false, { interactive: true, tty: false }],
  ] as Array<[string, RunOptions, boolean, { interactive: boolean; tty: boolean }]>)("%s", (_, options, stdinIsTTY, expected) => {
    const { interactive, tty } = plan(options, stdinIsTTY);
    expect({ interactive, tty }).toEqual(expected);
  });

  it.each([
    ["-it", { command: ["sh"], interactive: true, tty: true }, /^-t needs a terminal, and the input device is not a TTY$/, /drop -t/],
    ["oneoff shell", { shell: true }, /^oneoff shell needs a terminal/, /run it from a terminal/],
    ["an interactive: true task", { task: "console" }, /^task console \(interactive: true\) needs a terminal/, /interactive: auto/],
  ] as Array<[string, RunOptions, RegExp, RegExp]>)("refuses %s without a terminal", (_, options, message, hint) => {
    const error = (() => {
      try {
        plan(options, false);
      } catch (e) {
        return e as OneoffError;
      }
      throw new Error("expected a refusal");
    })();
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
  });

  it("runs the config's shell: for oneoff shell, with words after -- appended", () => {
    expect(plan({ shell: true, command: ["-c", "echo hi"] }, true).command).toEqual(["/bin/bash", "-l", "-c", "echo hi"]);
    expect(
      resolveRunPlan({
        config: undefined,
        options: { shell: true, release: "img" },
        hostEnv: {},
        cwdName: "x",
        stdinIsTTY: true,
      }).command,
    ).toEqual(["/bin/sh"]);
  });

  it("passes the local TERM to a TTY session, under anything the config sets", () => {
    expect(plan({ shell: true }, true, { TERM: "xterm-256color" }).settings.env.TERM).toBe("xterm-256color");
    expect(plan({ shell: true }, true, { TERM: "xterm-256color" }).provenance["env.TERM"]).toBe("local terminal");
    expect(plan({ shell: true, env: ["TERM=dumb"] }, true, { TERM: "xterm-256color" }).settings.env.TERM).toBe("dumb");
    expect(plan({ task: "migrate" }, true, { TERM: "xterm-256color" }).settings.env.TERM).toBeUndefined();
  });
});

describe("the GitHub Actions example (examples/ci/deploy.yml) with the shop's oneoff.yaml", () => {
  it("runs the image tagged with the commit's SHA, never an image ID of that prefix", () => {
    const sha = "3f2a9c1b0d4e5f60718293a4b5c6d7e8f9012345";
    const file = new URL("../../examples/shop/oneoff.yaml", import.meta.url);
    const env = { SHOP_RELEASE: sha };
    const config = parseConfigFile(readFileSync(file, "utf8"), { path: file.pathname, displayPath: "oneoff.yaml", env }).config;
    const planned = resolveRunPlan({ config, options: { releaseTask: true }, hostEnv: env, cwdName: "shop" });
    expect(planned.releaseReference).toBe(`oneoff-example/shop:${sha}`);
  });
});

describe("--from: the running process's image and values stand over oneoff.yaml's release and defaults", () => {
  const running: SettingsLayer = {
    source: "running web (shop_web_1)",
    running: { process: "web", container: "shop_web_1" },
    settings: { release: IMAGE_ID, env: { SECRET_KEY_BASE: "web-real", WEB_CONCURRENCY: "3" }, user: "app" },
  };
  const yaml = [
    /* 1 */ "image: registry.example.com/shop",
    /* 2 */ "release: v2",
    /* 3 */ "env:",
    /* 4 */ "  SECRET_KEY_BASE: ${SECRET_KEY_BASE:-dev-secret}",
    /* 5 */ "  RAILS_ENV: ${RAILS_ENV:-production}",
    /* 6 */ "  WEB_CONCURRENCY: '1'",
    /* 7 */ "user: ${APP_USER:-nobody}",
  ].join("\n");
  const fromWeb = (options: RunOptions = {}, hostEnv: Environment = {}) =>
    resolve({ config: configFrom(yaml, hostEnv), hostEnv, options: { command: ["true"], ...options }, sourceLayers: [running] });

  it("runs the process's image, not oneoff.yaml's release, and notes oneoff.yaml's release", () => {
    const plan = fromWeb();
    expect(plan.releaseReference).toBe(IMAGE_ID);
    expect(plan.provenance.release).toBe("running web (shop_web_1)");
    expect(plan.disagreement).toMatchObject({
      running: { process: "web", container: "shop_web_1" },
      release: { reference: "registry.example.com/shop:v2", at: "oneoff.yaml:2:1" },
    });
  });

  it("keeps the process's value over a ${VAR:-default} of oneoff.yaml, which still fills what the process lacks", () => {
    const plan = fromWeb();
    expect(plan.settings.env).toMatchObject({ SECRET_KEY_BASE: "web-real", RAILS_ENV: "production" });
    expect(plan.provenance["env.SECRET_KEY_BASE"]).toBe("running web (shop_web_1)");
    expect(plan.settings.user).toBe("app");
    expect(plan.disagreement?.settings.map((setting) => setting.name)).not.toContain("env.SECRET_KEY_BASE");
  });

  it("lets a value oneoff.yaml sets outright replace the process's, and names it as a disagreement", () => {
    const plan = fromWeb({}, { SECRET_KEY_BASE: "from-host", APP_USER: "root" });
    expect(plan.settings.env).toMatchObject({ SECRET_KEY_BASE: "from-host", WEB_CONCURRENCY: "1" });
    expect(plan.settings.user).toBe("root");
    expect(plan.disagreement?.settings).toEqual([
      { name: "env.SECRET_KEY_BASE", at: "oneoff.yaml:3:1" },
      { name: "env.WEB_CONCURRENCY", at: "oneoff.yaml:3:1" },
      { name: "user", at: "oneoff.yaml:7:1" },
    ]);
  });

  it("lets -e and --release (or ONEOFF_RELEASE) win, and then has nothing to say about them", () => {
    const plan = fromWeb({ env: ["SECRET_KEY_BASE=x", "WEB_CONCURRENCY=5"], release: "v3" });
    expect(plan.settings.env.SECRET_KEY_BASE).toBe("x");
    expect(plan.releaseReference).toBe("registry.example.com/shop:v3");
    expect(plan.disagreement).toBeUndefined();
    expect(fromWeb({}, { ONEOFF_RELEASE: "v4" }).releaseReference).toBe("registry.example.com/shop:v4");
  });

  it("says the disagreement in one line naming settings, never their values", () => {
    const plan = fromWeb({}, { SECRET_KEY_BASE: "from-host" });
    const line = disagreementLine(plan.disagreement as ProcessDisagreement, true, IMAGE_ID);
    expect(line).toBe(
      "oneoff.yaml's release registry.example.com/shop:v2 (oneoff.yaml:2:1) is not what web runs (shop_web_1: abababababab): running web's; --release registry.example.com/shop:v2 runs oneoff.yaml's; env SECRET_KEY_BASE, env WEB_CONCURRENCY differ from what web runs with (set at oneoff.yaml:3:1, which win)",
    );
    expect(line).not.toContain("from-host");
    // The engine knows oneoff.yaml's release as web's image: nothing to say about it.
    expect(
      disagreementLine(fromWeb({ env: ["SECRET_KEY_BASE=x", "WEB_CONCURRENCY=5"] }).disagreement as ProcessDisagreement, false, IMAGE_ID),
    ).toBeUndefined();
  });

  it("without --from, oneoff.yaml's defaults and release apply as before", () => {
    const plan = resolve({ config: configFrom(yaml), options: { command: ["true"] } });
    expect(plan.settings.env.SECRET_KEY_BASE).toBe("dev-secret");
    expect(plan.settings.user).toBe("nobody");
    expect(plan.releaseReference).toBe("registry.example.com/shop:v2");
    expect(plan.disagreement).toBeUndefined();
  });
});
