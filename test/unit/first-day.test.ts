/**
 * A newcomer's first day with the README's own oneoff.yaml: a ${VAR} nobody set stops only what
 * needs it, `release:` without `image:` is refused before any registry is asked, and an
 * app-wide timeout can be lifted for a detached one-off.
 */
import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
import type { Environment } from "../../src/config/interpolate.js";
import { resolveRunPlan, type ResolveInputs } from "../../src/plan/resolve.js";
import { OneoffError } from "../../src/output/errors.js";
import { timeoutFlag } from "../../src/formats/flag-values.js";
import type { AppConfig } from "../../src/types/config.js";

function configFrom(yaml: string, env: Environment = {}): AppConfig {
  return parseConfigFile(yaml, { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env }).config;
}

function plan(config: AppConfig, inputs: Partial<ResolveInputs> = {}) {
  return resolveRunPlan({ config, options: {}, hostEnv: {}, cwdName: "shop", ...inputs });
}

function planError(config: AppConfig, inputs: Partial<ResolveInputs> = {}): OneoffError {
  try {
    plan(config, inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("expected resolveRunPlan to throw");
}

const readmeYaml = [
  /* 1 */ "app: shop",
  /* 2 */ "image: registry.example.com/shop",
  /* 3 */ "release: v42",
  /* 4 */ "env:",
  /* 5 */ "  RAILS_ENV: production",
  /* 6 */ "  DATABASE_URL: ${DATABASE_URL}",
  /* 7 */ "tasks:",
  /* 8 */ "  migrate:",
  /* 9 */ "    command: [bundle, exec, rake, db:migrate]",
  /* 10 */ "  report:",
  /* 11 */ "    command: [bin/report]",
  /* 12 */ "    env:",
  /* 13 */ "      REPORT_TOKEN: ${REPORT_TOKEN:?ask ops for one}",
  /* 14 */ "release_task: migrate",
].join("\n");

describe("an env: value whose variable is not set", () => {
  it("does not stop the config from being read (ps, history, tasks and completion read it)", () => {
    const config = configFrom(readmeYaml);
    expect(config.app).toBe("shop");
    expect(Object.keys(config.tasks)).toEqual(["migrate", "report"]);
  });

  it("stops a one-off that gets it, with the line it is written on", () => {
    const error = planError(configFrom(readmeYaml), { options: { task: "migrate" } });
    expect(error.message).toBe("oneoff.yaml:6:17: env.DATABASE_URL: variable DATABASE_URL is not set");
    expect(error.hint).toContain("${DATABASE_URL:-value}");
    expect(error.exitCode).toBe(125);
  });

  it("stops only the task that gets it: another task's unset variable does not stop this one", () => {
    const config = configFrom(readmeYaml, { DATABASE_URL: "postgres://db/shop" });
    expect(plan(config, { options: { task: "migrate" } }).settings.env).toEqual({
      RAILS_ENV: "production",
      DATABASE_URL: "postgres://db/shop",
    });
    expect(planError(config, { options: { task: "report" } }).message).toBe(
      "oneoff.yaml:13:21: tasks.report.env.REPORT_TOKEN: REPORT_TOKEN: ask ops for one",
    );
  });

  it("gives way to the value a flag sets", () => {
    const config = configFrom(readmeYaml);
    const planned = plan(config, { options: { task: "migrate", env: ["DATABASE_URL=postgres://flag/shop"] } });
    expect(planned.settings.env.DATABASE_URL).toBe("postgres://flag/shop");
  });

  it("gives way to the running process's own value (--from)", () => {
    const config = configFrom(readmeYaml);
    const running = {
      source: "running web (shop-web-1)",
      settings: { release: `sha256:${"ab".repeat(32)}`, env: { DATABASE_URL: "postgres://web/shop" } },
    };
    const planned = plan(config, { options: { task: "migrate", from: "web" }, sourceLayers: [running] });
    expect(planned.settings.env.DATABASE_URL).toBe("postgres://web/shop");
    expect(planned.provenance["env.DATABASE_URL"]).toBe("running web (shop-web-1)");
  });
});

describe("release: without image:", () => {
  it("is refused as a tag of a missing image:, naming its line, before anything is pulled", () => {
    const error = planError(configFrom("app: shop\nrelease: v1\n"), { options: { command: ["true"] } });
    expect(error.message).toBe('oneoff.yaml:2:1: release: "v1" is a tag of image:, which is missing');
    expect(error.hint).toMatch(/image: /);
    expect(error.exitCode).toBe(125);
  });

  it("still runs a full reference or an image ID on its own", () => {
    expect(plan(configFrom("release: registry.example.com/shop:v1\n"), { options: { command: ["true"] } }).releaseReference).toBe(
      "registry.example.com/shop:v1",
    );
    const id = `sha256:${"cd".repeat(32)}`;
    expect(plan(configFrom(`release: ${id}\n`), { options: { command: ["true"] } }).releaseReference).toBe(id);
  });

  it("takes a tag from the command line as a name, as docker run does", () => {
    expect(plan(configFrom("app: shop\n"), { options: { command: ["true"], release: "busybox" } }).releaseReference).toBe("busybox");
  });
});

describe("timeout: of the app and --detach", () => {
  const timedYaml = "image: registry.example.com/shop\nrelease: v1\ntimeout: 1h\n";

  it("is lifted for one run by --timeout none (or 0), which lets it detach", () => {
    for (const lifted of ["none", "0"]) {
      const planned = plan(configFrom(timedYaml), { options: { command: ["true"], timeout: timeoutFlag(lifted), detach: true } });
      expect(planned.timeoutMs).toBeUndefined();
      expect(planned.keepForMs).toBeGreaterThan(0);
    }
  });

  it("lifts it for an attached run too", () => {
    expect(plan(configFrom(timedYaml), { options: { command: ["true"], timeout: "none" } }).timeoutMs).toBeUndefined();
    expect(plan(configFrom(timedYaml), { options: { command: ["true"] } }).timeoutMs).toBe(3_600_000);
  });

  it("refuses -d under it with a hint that says how to lift it", () => {
    const error = planError(configFrom(timedYaml), { options: { command: ["true"], detach: true } });
    expect(error.message).toMatch(/--detach cannot be combined with a timeout/);
    expect(error.hint).toContain("--timeout none");
  });
});
