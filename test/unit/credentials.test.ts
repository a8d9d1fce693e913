/**
 * The edge of credential lookup: real files in a temporary DOCKER_CONFIG and real helper
 * programs on a temporary PATH (no engine, no registry).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatErrorLine } from "../../src/output/errors.js";
import { dockerConfigPath, registryAuthHeader, registryLogin } from "../../src/release/credentials.js";
import { DOCKER_HUB_KEY } from "../../src/release/registry-auth.js";

const SECRET = "helper-s3cret-Xq9";
const PRIVATE = "127.0.0.1:5056/oneoff-test/private:v1";
let dir: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-credentials-"));
  mkdirSync(path.join(dir, "bin"));
  env = { DOCKER_CONFIG: dir, PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`, HOME: "/nonexistent" };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const decode = (header: string | undefined) =>
  JSON.parse(Buffer.from(String(header).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
const writeConfig = (config: unknown) =>
  writeFileSync(path.join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
/** A docker-credential-NAME script: `body` is POSIX sh, with the request read into $server. */
const writeHelper = (name: string, body: string) => {
  const file = path.join(dir, "bin", `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n[ "$1" = get ] || exit 9\nread -r server\n${body}\n`);
  chmodSync(file, 0o755);
};

async function errorLineOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    return formatErrorLine(error);
  }
  throw new Error("expected an error");
}

describe("dockerConfigPath", () => {
  it("is $DOCKER_CONFIG/config.json, else ~/.docker/config.json", () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: "/etc/ci-docker", HOME: "/home/me" })).toBe("/etc/ci-docker/config.json");
    expect(dockerConfigPath({ HOME: "/home/me" })).toBe("/home/me/.docker/config.json");
  });
});

describe("registryAuthHeader from docker's config.json", () => {
  it("sends nothing when there is no config.json", async () => {
    expect(await registryAuthHeader(PRIVATE, { env })).toBeUndefined();
  });

  it("encodes the auths entry for the image's registry, with docker's key as serveraddress", async () => {
    writeConfig({ auths: { "127.0.0.1:5056": { auth: Buffer.from(`ci:${SECRET}`).toString("base64") } } });
    expect(decode(await registryAuthHeader(PRIVATE, { env }))).toEqual({
      username: "ci",
      password: SECRET,
      serveraddress: "127.0.0.1:5056",
    });
    const login = await registryLogin(PRIVATE, { env });
    expect(login.source).toBe(path.join(dir, "config.json"));
  });

  it("looks up Docker Hub images under https://index.docker.io/v1/", async () => {
    writeConfig({ auths: { [DOCKER_HUB_KEY]: { auth: Buffer.from(`me:${SECRET}`).toString("base64") } } });
    expect(decode(await registryAuthHeader("team/shop:v1", { env }))).toEqual({
      username: "me",
      password: SECRET,
      serveraddress: DOCKER_HUB_KEY,
    });
    expect(await registryAuthHeader(PRIVATE, { env })).toBeUndefined();
  });

  it("names the file when it is not valid JSON", async () => {
    writeConfig(`{"auths": {"127.0.0.1:5056": {"auth": "${SECRET}"}`);
    const line = await errorLineOf(() => registryAuthHeader(PRIVATE, { env }));
    expect(line).toMatch(new RegExp(`^oneoff: ${path.join(dir, "config.json")}: not valid JSON at line 1, column \\d+ \\(`));
    expect(line).not.toContain(SECRET);
  });
});

describe("registryAuthHeader from a credential helper", () => {
  it("runs docker-credential-NAME get with the registry's key on stdin", async () => {
    writeConfig({ credHelpers: { "127.0.0.1:5056": "oneofftest" } });
    writeHelper(
      "oneofftest",
      `[ "$server" = 127.0.0.1:5056 ] || exit 1\nprintf '{"ServerURL":"%s","Username":"ci","Secret":"${SECRET}"}' "$server"`,
    );
    expect(decode(await registryAuthHeader(PRIVATE, { env }))).toEqual({
      username: "ci",
      password: SECRET,
      serveraddress: "127.0.0.1:5056",
    });
    expect((await registryLogin(PRIVATE, { env })).source).toBe("credential helper docker-credential-oneofftest");
  });

  it("takes the <token> username as an identity token", async () => {
    writeConfig({ credsStore: "oneofftest" });
    writeHelper("oneofftest", `printf '{"ServerURL":"%s","Username":"<token>","Secret":"${SECRET}"}' "$server"`);
    expect(decode(await registryAuthHeader(PRIVATE, { env }))).toEqual({ identitytoken: SECRET, serveraddress: "127.0.0.1:5056" });
  });

  it("pulls anonymously when the helper holds nothing for the registry", async () => {
    writeConfig({ credsStore: "oneofftest" });
    writeHelper("oneofftest", "echo 'credentials not found in native keychain'; exit 1");
    expect(await registryLogin(PRIVATE, { env })).toEqual({ registry: { host: "127.0.0.1:5056", key: "127.0.0.1:5056" } });
  });

  it("names a failing helper in one line and never shows its output", async () => {
    writeConfig({ credHelpers: { "127.0.0.1:5056": "oneofftest" } });
    writeHelper("oneofftest", `echo "stdout ${SECRET}"; echo "stderr ${SECRET}" >&2; exit 3`);
    const line = await errorLineOf(() => registryAuthHeader(PRIVATE, { env }));
    expect(line).toBe(
      `oneoff: credential helper docker-credential-oneofftest (credHelpers in ${path.join(dir, "config.json")}) failed (exit 3) for 127.0.0.1:5056 (fix or reinstall it, or log in again with: docker login 127.0.0.1:5056)`,
    );
  });

  it("names a helper whose answer is not credentials, without quoting it", async () => {
    writeConfig({ credsStore: "oneofftest" });
    writeHelper("oneofftest", `echo "not json ${SECRET}"`);
    const line = await errorLineOf(() => registryAuthHeader(PRIVATE, { env }));
    expect(line).toMatch(
      /^oneoff: credential helper docker-credential-oneofftest \(credsStore in .*\) gave no credentials JSON for 127\.0\.0\.1:5056 \(/,
    );
    expect(line).not.toContain(SECRET);
  });

  it("gives up on a helper that does not answer, even when its children hold its output open", async () => {
    writeConfig({ credsStore: "oneofftest" });
    writeHelper("oneofftest", "sleep 3 & sleep 3");
    const started = Date.now();
    const line = await errorLineOf(() => registryAuthHeader(PRIVATE, { env, helperTimeoutMs: 300 }));
    expect(line).toMatch(
      /^oneoff: credential helper docker-credential-oneofftest \(credsStore in .*\) did not answer within 0\.3s for 127\.0\.0\.1:5056 \(/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("names a helper that is not installed", async () => {
    writeConfig({ credsStore: "nosuchhelper" });
    const line = await errorLineOf(() => registryAuthHeader(PRIVATE, { env }));
    expect(line).toBe(
      `oneoff: credential helper docker-credential-nosuchhelper (credsStore in ${path.join(dir, "config.json")}) is not on PATH for 127.0.0.1:5056 (install it, or remove it from credsStore)`,
    );
  });
});

describe("registryAuthHeader from --registry-auth", () => {
  it("takes the password from the named variable, over config.json", async () => {
    writeConfig({ auths: { "127.0.0.1:5056": { auth: Buffer.from("other:pw").toString("base64") } } });
    const header = await registryAuthHeader(PRIVATE, {
      env: { ...env, REGISTRY_PASSWORD: SECRET },
      registryAuth: { username: "ci", password: { env: "REGISTRY_PASSWORD" } },
    });
    expect(decode(header)).toEqual({ username: "ci", password: SECRET, serveraddress: "127.0.0.1:5056" });
  });

  it("takes the password from a file, without its trailing newline", async () => {
    const file = path.join(dir, "password");
    writeFileSync(file, `${SECRET}\n`);
    const login = await registryLogin(PRIVATE, { env, registryAuth: { username: "ci", password: { file } } });
    expect(decode(login.header).password).toBe(SECRET);
    expect(login.source).toBe("--registry-auth");
  });

  it.each([
    [
      "an unset variable",
      { env: "NOPE" },
      "oneoff: --registry-auth: environment variable NOPE is not set or empty (export it with the registry password first)",
    ],
    [
      "a missing file",
      { file: "/nonexistent/password" },
      "oneoff: --registry-auth: cannot read password file /nonexistent/password: ENOENT (give a readable file holding the password)",
    ],
  ])("refuses %s in one line", async (_name, password, expected) => {
    expect(await errorLineOf(() => registryAuthHeader(PRIVATE, { env, registryAuth: { username: "ci", password } }))).toBe(expected);
  });

  it("refuses an empty password file", async () => {
    const file = path.join(dir, "password");
    writeFileSync(file, "\n");
    expect(await errorLineOf(() => registryAuthHeader(PRIVATE, { env, registryAuth: { username: "ci", password: { file } } }))).toMatch(
      /password file .* is empty/,
    );
  });
});
