import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
import { engineChoice, pickEnvironment } from "../../src/config/environments.js";
import { resolveRunPlan } from "../../src/plan/resolve.js";

const YAML = `app: shop
image: shop
release: v1
env: { RAILS_ENV: development, KEEP: app }
environments:
  staging:
    context: staging
    env: { RAILS_ENV: staging }
  production:
    host: ssh://deploy@prod.example.com
    release: v42
    env: { RAILS_ENV: production }
  local: {}
tasks:
  migrate: { command: rake db:migrate, env: { RAILS_ENV: task } }
`;

const config = parseConfigFile(YAML, { path: "/app/oneoff.yaml", displayPath: "oneoff.yaml", env: {} }).config;
// The environment is picked where oneoff.yaml is read (config/sources.ts), and handed to the plan.
const plan = (options: Parameters<typeof resolveRunPlan>[0]["options"], hostEnv: Record<string, string> = {}) =>
  resolveRunPlan({
    config,
    options,
    hostEnv,
    cwdName: "app",
    cwd: "/app",
    environment: pickEnvironment(config, options.envName, hostEnv),
  });

describe("environments: in oneoff.yaml", () => {
  it("reads each environment's engine and settings", () => {
    expect(config.environments?.production).toMatchObject({
      name: "production",
      host: "ssh://deploy@prod.example.com",
      overrides: { source: "environment production", settings: { release: "v42", env: { RAILS_ENV: "production" } } },
    });
    expect(config.environments?.staging).toMatchObject({ name: "staging", context: "staging" });
    expect(config.environments?.local).toMatchObject({ name: "local", overrides: { settings: {} } });
  });

  it.each([
    [
      "both host and context",
      "environments:\n  x: { host: tcp://h:1, context: c }\n",
      "oneoff.yaml:2:6: environments.x: has both host: and context:",
    ],
    ["an unknown key", "environments:\n  x: { hots: tcp://h:1 }\n", "oneoff.yaml:2:8: environments.x.hots: unknown key"],
    ["a bad name", "environments:\n  'a b': {}\n", 'environments.a b: "a b" is not a valid environment name'],
  ])("refuses %s", (_name, yaml, message) => {
    expect(() => parseConfigFile(yaml, { path: "/app/oneoff.yaml", displayPath: "oneoff.yaml", env: {} })).toThrow(message);
  });

  it("picks --env-name over ONEOFF_ENV, and none when neither names one", () => {
    expect(pickEnvironment(config, "staging", { ONEOFF_ENV: "production" })?.name).toBe("staging");
    expect(pickEnvironment(config, undefined, { ONEOFF_ENV: "production" })?.name).toBe("production");
    expect(pickEnvironment(config, undefined, {})).toBeUndefined();
    expect(pickEnvironment(config, undefined, { ONEOFF_ENV: " " })).toBeUndefined();
  });

  it.each([
    [config, "prod", {}, "--env-name prod: no such environment in /app/oneoff.yaml (it has local, production, staging)"],
    [config, undefined, { ONEOFF_ENV: "qa" }, "ONEOFF_ENV=qa: no such environment in /app/oneoff.yaml (it has local, production, staging)"],
    [{ ...config, environments: undefined }, "qa", {}, "--env-name qa: no such environment in /app/oneoff.yaml (it defines none)"],
    [undefined, "qa", {}, "--env-name qa: no oneoff.yaml here or in any parent directory to define it"],
  ])("refuses an environment it does not have, in one line listing the known ones", (given, name, env, message) => {
    expect(() => pickEnvironment(given, name, env)).toThrow(message);
  });

  it("hands the engine of the flags and the environment to the locator", () => {
    expect(engineChoice({ envName: "production" }, pickEnvironment(config, "production", {}))).toEqual({
      environment: { name: "production", host: "ssh://deploy@prod.example.com" },
    });
    expect(engineChoice({ host: "tcp://h:1", dockerContext: "c" }, pickEnvironment(config, undefined, { ONEOFF_ENV: "staging" }))).toEqual({
      host: "tcp://h:1",
      context: "c",
      environment: { name: "staging", context: "staging" },
    });
    expect(engineChoice({}, pickEnvironment(config, undefined, {}))).toEqual({});
  });

  it("layers release: and env: over the app's, under ONEOFF_RELEASE, the task's and the flags'", () => {
    const production = plan({ command: ["true"], envName: "production" });
    expect(production.releaseReference).toBe("shop:v42");
    expect(production.settings.env).toEqual({ RAILS_ENV: "production", KEEP: "app" });
    expect(production.provenance["env.RAILS_ENV"]).toBe("oneoff.yaml:12:5");
    expect(plan({ command: ["true"] }, { ONEOFF_ENV: "production", ONEOFF_RELEASE: "v43" }).releaseReference).toBe("shop:v43");
    expect(plan({ task: "migrate", envName: "production" }).settings.env.RAILS_ENV).toBe("task");
    expect(plan({ command: ["true"], envName: "production", env: ["RAILS_ENV=flag"] }).settings.env.RAILS_ENV).toBe("flag");
    expect(plan({ command: ["true"], envName: "staging" }).releaseReference).toBe("shop:v1");
  });
});
