import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
import { resolveRunPlan } from "../../src/plan/resolve.js";
import { readSecretValues } from "../../src/config/secret-values.js";
import { chooseSecrets } from "../../src/config/secrets.js";
import { OneoffError } from "../../src/output/errors.js";
import { redactSecretValues, REDACTED } from "../../src/output/redact.js";
import { filesAndSecretsForDryRun } from "../../src/session/files-and-secrets.js";
import { withSecretEnv } from "../../src/plan/secret-env.js";

const options = { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env: {} };
const parse = (text: string) => parseConfigFile(text, options).config;

function refusal(run: () => unknown): OneoffError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("expected a refusal");
}

const CONFIG = [
  /* 1 */ "image: shop",
  /* 2 */ "secrets:",
  /* 3 */ "  db_password:",
  /* 4 */ "    env: DB_PASSWORD",
  /* 5 */ "  tls_key:",
  /* 6 */ "    file: certs/key.pem",
  /* 7 */ "    target: /etc/ssl/private/shop.pem",
  /* 8 */ "  api-token:",
  /* 9 */ "    command: pass show shop/api",
  /* 10 */ "    as: env",
  /* 11 */ "tasks:",
  /* 12 */ "  migrate: {command: bin/migrate, secrets: [db_password]}",
  /* 13 */ "  report: {command: bin/report, secrets: []}",
  /* 14 */ "  console: bin/console",
].join("\n");

describe("secrets: in oneoff.yaml", () => {
  it("reads each source and delivery, with defaults and locations", () => {
    const secrets = parse(CONFIG).secrets ?? {};
    expect(secrets.db_password).toEqual({
      name: "db_password",
      source: { kind: "env", value: "DB_PASSWORD" },
      sourceAt: "oneoff.yaml:4:5: secrets.db_password.env",
      delivery: { as: "file", target: "/run/secrets/db_password", at: "oneoff.yaml:3:3" },
    });
    expect(secrets.tls_key?.source).toEqual({ kind: "file", value: "/srv/shop/certs/key.pem" });
    expect(secrets.tls_key?.delivery).toEqual({ as: "file", target: "/etc/ssl/private/shop.pem", at: "oneoff.yaml:7:5" });
    expect(secrets["api-token"]?.delivery).toEqual({ as: "env", variable: "API_TOKEN" });
  });

  it.each([
    [
      "no source",
      "secrets:\n  a:\n    as: env\n",
      "oneoff.yaml:2:3: secrets.a: no source",
      "give exactly one of env: VARIABLE, file: PATH or command: CMD",
    ],
    [
      "two sources",
      "secrets:\n  a:\n    env: A\n    file: a.txt\n",
      "oneoff.yaml:4:5: secrets.a: more than one source",
      "give exactly one of env: VARIABLE, file: PATH or command: CMD",
    ],
    [
      "an unknown delivery",
      "secrets:\n  a:\n    env: A\n    as: volume\n",
      'oneoff.yaml:4:9: secrets.a.as: "volume" is not a delivery',
      "use file (the default: /run/secrets/NAME) or env",
    ],
    [
      "a target for env delivery",
      "secrets:\n  a:\n    env: A\n    as: env\n    target: /x\n",
      "oneoff.yaml:5:5: secrets.a.target: a target path is for as: file",
      "drop target:, or set as: file",
    ],
    [
      "a relative target",
      "secrets:\n  a:\n    env: A\n    target: run/a\n",
      'oneoff.yaml:4:13: secrets.a.target: "run/a" is not an absolute file path',
      "give the full path of the file, such as /run/secrets/db_password",
    ],
    ["a misspelt key", "secrets:\n  a:\n    evn: A\n", "oneoff.yaml:3:5: secrets.a.evn: unknown key", 'did you mean "env"?'],
    [
      "a task naming an unknown secret",
      "secrets:\n  db_password: {env: A}\ntasks:\n  m: {command: x, secrets: [db_pasword]}\n",
      'oneoff.yaml:4:28: tasks.m.secrets: no secret named "db_pasword"',
      'did you mean "db_password"?',
    ],
  ])("refuses %s in one line naming file:line and key", (_name, text, message, hint) => {
    const error = refusal(() => parse(text));
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
  });

  it("gives a one-off every secret unless its task lists some (none for secrets: [])", () => {
    const config = parse(CONFIG);
    const names = (task?: string) =>
      resolveRunPlan({
        config,
        options: task ? { task, release: "v1" } : { command: ["sh"], release: "v1" },
        hostEnv: {},
        cwdName: "shop",
      }).secrets.map((secret) => secret.name);
    expect(names()).toEqual(["db_password", "tls_key", "api-token"]);
    expect(names("console")).toEqual(["db_password", "tls_key", "api-token"]);
    expect(names("migrate")).toEqual(["db_password"]);
    expect(names("report")).toEqual([]);
  });

  it.each([
    [
      "tmpfs",
      "/run",
      "oneoff.yaml:3:3: secrets.db_password.target: /run/secrets/db_password is under the tmpfs mounted at /run: the tmpfs would hide the file",
    ],
    [
      "volume",
      "/run/secrets",
      "oneoff.yaml:3:3: secrets.db_password.target: /run/secrets/db_password is under the volume mounted at /run/secrets: the file would outlive the one-off in that volume",
    ],
  ] as const)("refuses a file target under a %s mount", (type, target, message) => {
    const secrets = parse(CONFIG).secrets;
    const error = refusal(() => chooseSecrets(secrets, ["db_password"], [{ type, source: "", target, readOnly: false }]));
    expect(error.message).toBe(message);
    expect(chooseSecrets(secrets, ["db_password"], [{ type, source: "", target: "/run/secretsx", readOnly: false }])).toHaveLength(1);
  });

  it("shows --dry-run where each secret comes from and goes, and env secrets as <redacted>", () => {
    const plan = resolveRunPlan({
      config: parse(CONFIG),
      options: { command: ["sh"], release: "v1" },
      hostEnv: {},
      cwdName: "shop",
    });
    expect(filesAndSecretsForDryRun(plan).secrets).toEqual([
      { name: "db_password", from: "env DB_PASSWORD", to: "file /run/secrets/db_password (mode 0400, owned by the one-off's user)" },
      {
        name: "tls_key",
        from: "file /srv/shop/certs/key.pem",
        to: "file /etc/ssl/private/shop.pem (mode 0400, owned by the one-off's user)",
      },
      { name: "api-token", from: "command at oneoff.yaml:9:5", to: "env API_TOKEN" },
    ]);
    const dry = withSecretEnv(plan, undefined);
    expect(dry.settings.env.API_TOKEN).toBe(REDACTED);
    expect(dry.provenance["env.API_TOKEN"]).toBe("secret api-token");
  });
});

describe("reading secret values", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-secret-values-"));
  writeFileSync(path.join(dir, "key.pem"), "file-secret-bytes\n");
  const config = parseConfigFile(
    [
      "secrets:",
      "  from_env: {env: UNIT_SECRET}",
      "  from_file: {file: key.pem}",
      "  from_command: {command: printf 'cmd-secret-out\\n'}",
      "  failing: {command: printf leaked-%s output; exit 3}",
      "  missing_file: {file: nope.pem}",
      '  silent: {command: "true"}',
      "  slow: {command: sleep 5; echo late}",
      "  vault: {command: VAULT_TOKEN=hvs.planted-Unit-77 vault kv get -field=pw shop/db; exit 2}",
    ].join("\n"),
    { path: path.join(dir, "oneoff.yaml"), displayPath: "oneoff.yaml", env: {} },
  ).config;
  const secrets = config.secrets ?? {};
  const read = (name: string, env: Record<string, string> = {}) => readSecretValues([secrets[name]!], env, dir)[0]?.value.toString();

  it("takes the environment's value, a file's bytes, and a command's stdout without its last newline", () => {
    expect(read("from_env", { UNIT_SECRET: "env-secret-value" })).toBe("env-secret-value");
    expect(read("from_file")).toBe("file-secret-bytes\n");
    expect(read("from_command")).toBe("cmd-secret-out");
    expect(redactSecretValues("got env-secret-value and cmd-secret-out")).toBe(`got ${REDACTED} and ${REDACTED}`);
  });

  it.each([
    [
      "from_env",
      "oneoff.yaml:2:14: secrets.from_env.env: UNIT_SECRET is not set in your environment",
      "export UNIT_SECRET before running oneoff, or take secret from_env from a file: or command:",
    ],
    [
      "missing_file",
      `oneoff.yaml:6:18: secrets.missing_file.file: ${dir}/nope.pem does not exist`,
      "point file: at a readable file (relative paths start at oneoff.yaml)",
    ],
    [
      "failing",
      "oneoff.yaml:5:13: secrets.failing.command: the command exited with 3",
      "run the command at oneoff.yaml:5:13 yourself to see why",
    ],
    [
      "silent",
      "oneoff.yaml:7:12: secrets.silent.command: the command printed nothing",
      "run the command at oneoff.yaml:7:12 yourself to see why",
    ],
    [
      "vault",
      "oneoff.yaml:9:11: secrets.vault.command: the command exited with 2",
      "run the command at oneoff.yaml:9:11 yourself to see why",
    ],
  ])("refuses %s in one line, never quoting a command or its output", (name, message, hint) => {
    const error = refusal(() => read(name));
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
    // The command itself may hold a token (VAULT_TOKEN=... vault kv get): its place is named instead.
    expect(`${error.message} ${error.hint}`).not.toMatch(/leaked|printf|hvs\.planted|vault kv|echo late|: true/);
  });

  it("stops a command that runs past its time, in one line and without its output", () => {
    const started = Date.now();
    const error = refusal(() => readSecretValues([secrets.slow!], {}, dir, 300));
    expect(error.message).toBe(
      "oneoff.yaml:8:10: secrets.slow.command: the command could not be run or did not finish in 300ms (ETIMEDOUT)",
    );
    expect(error.hint).toBe("run the command at oneoff.yaml:8:10 yourself to see why");
    // Stopped, not waited for: a deadline for "never", far under the command's 5 s.
    expect(Date.now() - started).toBeLessThan(4_500);
  });
});
