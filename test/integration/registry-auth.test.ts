/**
 * Pulling from a private registry: the loopback registry on 127.0.0.1:5056 (TLS with its own
 * CA, htpasswd; test/setup/registry-auth.sh) holds oneoff-test/private:v1, which the engine
 * must not have locally before each pull. Every test gets its own DOCKER_CONFIG and audit log.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, imageId, oneoff, type CliResult } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

const REGISTRY = "127.0.0.1:5056";
const PRIVATE = `${REGISTRY}/oneoff-test/private:v1`;
const [USER, PASSWORD] = readFileSync("/tmp/oneoff-registry-auth/credentials", "utf8").trim().split(/:(.*)/) as [string, string];
const WRONG_PASSWORD = "wrong-Pa55-7f3e1c";
const NO_CREDENTIALS = `oneoff: pull ${PRIVATE}: registry ${REGISTRY} wants credentials, and none were found for it (log in with: docker login ${REGISTRY}; or pass --registry-auth USER:env:VARIABLE)`;

let dir: string;
let env: Record<string, string>;

function privatePresent(): boolean {
  try {
    imageId(PRIVATE);
    return true;
  } catch {
    return false;
  }
}

/** Only the image this suite pulls: it has no other tag, so this removes it from the engine. */
function removePrivate(): void {
  if (privatePresent()) docker("image", "rm", PRIVATE);
}

function dockerLogin(password: string): void {
  execFileSync("docker", ["login", REGISTRY, "-u", USER, "--password-stdin"], {
    input: password,
    env: { ...process.env, DOCKER_CONFIG: dir },
    stdio: ["pipe", "ignore", "ignore"],
  });
}

/**
 * Neither password on any channel oneoff writes to. A test that checks this spawns oneoff: the
 * secret values a run masks are remembered per process (output/redact.ts), and in the test's
 * process another run's would mask for a run that forgot to. The others run it in-process.
 */
function expectNoSecrets(result: CliResult): void {
  const audit = existsSync(env.ONEOFF_AUDIT_LOG as string) ? readFileSync(env.ONEOFF_AUDIT_LOG as string, "utf8") : "";
  for (const secret of [PASSWORD, WRONG_PASSWORD]) {
    expect(result.stdout.toString()).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
    expect(audit).not.toContain(secret);
  }
}

beforeEach(() => {
  removePrivate();
  dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-registry-auth-"));
  env = { DOCKER_CONFIG: dir, ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
});

afterEach(() => {
  removePrivate();
  rmSync(dir, { recursive: true, force: true });
});

describe("pulling a release from a registry that wants credentials", () => {
  it("without credentials, fails in one line naming the registry and the fix, and creates nothing", async () => {
    const result = await oneoffInProcess(["run", "--release", PRIVATE, "--", "true"], { env });
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toEqual([`oneoff: pulling ${PRIVATE}`, NO_CREDENTIALS]);
    expect(privatePresent()).toBe(false);
  });

  it("with docker login's auths entry, pulls and runs the one-off from the pulled image ID", async () => {
    dockerLogin(PASSWORD);
    expect(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")).auths[REGISTRY].auth).toBeTruthy();
    const result = await oneoff(["run", "--json", "--debug", "--release", PRIVATE, "--", "cat", "/private-release"], { env });
    expect(result.code).toBe(0);
    // With --json the command's output goes to stderr.
    expect(result.stderr).toContain("private release\n");
    const document = documentOf<{ imageId: string; exitCode: number }>("run", result.stdout);
    expect(document.imageId).toBe(imageId(PRIVATE));
    expect(document.exitCode).toBe(0);
    // The run's end line (after its start line).
    const audit = JSON.parse(
      readFileSync(env.ONEOFF_AUDIT_LOG as string, "utf8")
        .trim()
        .split("\n")
        .at(-1) as string,
    ) as { imageId: string };
    expect(audit.imageId).toBe(document.imageId);
    expectNoSecrets(result);
  });

  it("with a credential helper from credHelpers, pulls and runs", async () => {
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    const helper = path.join(bin, "docker-credential-oneofftest");
    // Answers for this registry only, as docker's helpers do: the key arrives on stdin.
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\nif [ "$server" != "${REGISTRY}" ]; then echo "credentials not found in native keychain"; exit 1; fi\nprintf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" "${USER}" "${PASSWORD}"\n`,
    );
    chmodSync(helper, 0o755);
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ credHelpers: { [REGISTRY]: "oneofftest" } }));
    const result = await oneoff(["run", "--release", PRIVATE, "--", "cat", "/private-release"], {
      env: { ...env, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("private release\n");
    expect(privatePresent()).toBe(true);
    expectNoSecrets(result);
  });

  it("with a failing credential helper, fails in one line naming it, never showing its output", async () => {
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "docker-credential-oneofftest"),
      `#!/bin/sh\necho "keychain locked, password ${PASSWORD}"\necho "${PASSWORD}" >&2\nexit 4\n`,
      { mode: 0o755 },
    );
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ credsStore: "oneofftest" }));
    const result = await oneoff(["run", "--release", PRIVATE, "--", "true"], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: credential helper docker-credential-oneofftest (credsStore in ${path.join(dir, "config.json")}) failed (exit 4) for ${REGISTRY} (fix or reinstall it, or log in again with: docker login ${REGISTRY})\n`,
    );
    expect(privatePresent()).toBe(false);
    expectNoSecrets(result);
  });

  it("with --registry-auth USER:env:VARIABLE, pulls and runs, with no docker config at all", async () => {
    const result = await oneoff(
      ["run", "--release", PRIVATE, "--registry-auth", `${USER}:env:PRIVATE_REGISTRY_PASSWORD`, "--", "cat", "/private-release"],
      {
        env: { ...env, PRIVATE_REGISTRY_PASSWORD: PASSWORD },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("private release\n");
    expectNoSecrets(result);
  });

  it("with --registry-auth USER:file:PATH, pulls and runs, reading the file relative to the working directory", async () => {
    writeFileSync(path.join(dir, "password"), `${PASSWORD}\n`, { mode: 0o600 });
    const result = await oneoffInProcess(
      ["run", "-q", "--release", PRIVATE, "--registry-auth", `${USER}:file:password`, "--", "cat", "/private-release"],
      { env, cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("private release\n");
    expect(result.stderr).toBe("");
  });

  it("with a wrong password in config.json, fails in one line naming where the credentials came from", async () => {
    dockerLoginWithoutCheck(WRONG_PASSWORD);
    const result = await oneoff(["run", "--json", "--debug", "--release", PRIVATE, "--", "true"], { env });
    expect(result.code).toBe(125);
    const line = `oneoff: pull ${PRIVATE}: registry ${REGISTRY} refused the credentials from ${path.join(dir, "config.json")} (log in with: docker login ${REGISTRY}; or pass --registry-auth USER:env:VARIABLE)`;
    expect(result.stderr.split("\n")).toContain(line);
    // --debug adds the stack trace after it, which must not carry the credentials either.
    expect(result.stderr).toMatch(/\n\s+at /);
    const [message, hint] = /^oneoff: (.*) \((.*)\)$/.exec(line)?.slice(1) ?? [];
    expect(documentOf("error", result.stdout)).toEqual({
      schema: "oneoff/error",
      schemaVersion: 1,
      command: "run",
      ending: "error",
      exitCode: 125,
      error: { message, hint },
    });
    expect(privatePresent()).toBe(false);
    expectNoSecrets(result);
  });

  it("with a wrong password in --registry-auth, says to check the flag", async () => {
    const result = await oneoff(["run", "-q", "--release", PRIVATE, "--registry-auth", `${USER}:env:PW`, "--", "true"], {
      env: { ...env, PW: WRONG_PASSWORD },
    });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: pull ${PRIVATE}: registry ${REGISTRY} refused the credentials from --registry-auth (check the user and password --registry-auth names)\n`,
    );
    expectNoSecrets(result);
  });

  it("refuses a password given in place of USER:env:VARIABLE without echoing it, before any pull", async () => {
    const result = await oneoff(["run", "--release", PRIVATE, "--registry-auth", `${USER}:${PASSWORD}`, "--", "true"], { env });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      "oneoff: --registry-auth: expected USER:env:VARIABLE or USER:file:PATH (the password is read from that variable or file, never given on the command line)\n",
    );
    expect(privatePresent()).toBe(false);
    expectNoSecrets(result);
  });

  it("names an invalid config.json and pulls nothing", async () => {
    writeFileSync(path.join(dir, "config.json"), `{"auths": {"${REGISTRY}": {"auth": "${PASSWORD}"}}`);
    const result = await oneoff(["run", "--release", PRIVATE, "--", "true"], { env });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(
      new RegExp(`^oneoff: ${path.join(dir, "config.json")}: not valid JSON at line 1, column \\d+ \\(fix or remove that file.*\\)\\n$`),
    );
    expect(privatePresent()).toBe(false);
    expectNoSecrets(result);
  });

  it("--dry-run reads no credentials and shows none", async () => {
    const result = await oneoff(["run", "--dry-run", "--release", PRIVATE, "--registry-auth", `${USER}:env:PW`, "--", "true"], {
      env: { ...env, PW: PASSWORD },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString()).request.body.Image).toBe(PRIVATE);
    expect(privatePresent()).toBe(false);
    expectNoSecrets(result);
  });
});

describe("credential helpers a dry run must not run", () => {
  /** A credsStore helper that records each run in a marker file and holds nothing. */
  function recordingHelper(): { env: Record<string, string>; marker: string } {
    const bin = path.join(dir, "bin");
    const marker = path.join(dir, "helper-ran");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "docker-credential-recording"),
      `#!/bin/sh\necho "$1" >> "${marker}"\necho "credentials not found in native keychain"\nexit 1\n`,
      { mode: 0o755 },
    );
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ credsStore: "recording" }));
    return { env: { ...env, PATH: `${bin}:${process.env.PATH}` }, marker };
  }

  it("--dry-run runs no credential helper, and says the registry needs credentials without reading them", async () => {
    const helper = recordingHelper();
    const result = await oneoffInProcess(["run", "--dry-run", "--release", PRIVATE, "--", "true"], { env: helper.env });
    expect(result.code).toBe(0);
    expect(existsSync(helper.marker)).toBe(false);
    expect(JSON.parse(result.stdout.toString()).image).toEqual({
      reference: PRIVATE,
      unresolved: `not on the engine, and registry ${REGISTRY} needs credentials to say more (a dry run reads none; a run looks them up when it pulls)`,
    });
    expect(privatePresent()).toBe(false);
    // The same lookup outside a dry run does run it: the marker can tell.
    await oneoffInProcess(["check", "--release", PRIVATE, "--", "true"], { env: helper.env });
    expect(readFileSync(helper.marker, "utf8")).toBe("get\n");
  });

  it("--dry-run with no engine reachable runs no credential helper", async () => {
    const helper = recordingHelper();
    const noEngine = `unix://${path.join(dir, "no-engine.sock")}`;
    const result = await oneoffInProcess(["run", "--dry-run", "--release", PRIVATE, "--", "true"], {
      env: { ...helper.env, DOCKER_HOST: noEngine },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString()).image.unresolved).toMatch(/^the engine could not be asked: cannot reach the Docker engine/);
    expect(existsSync(helper.marker)).toBe(false);
  });

  it("refuses a credsStore that is a path (x/../evil) in one line, running nothing", async () => {
    // What the old lookup ran: docker-credential-x/../evil, relative to the working directory.
    const work = path.join(dir, "work");
    const marker = path.join(dir, "evil-ran");
    mkdirSync(path.join(work, "docker-credential-x"), { recursive: true });
    writeFileSync(path.join(work, "evil"), `#!/bin/sh\ntouch "${marker}"\n`, { mode: 0o755 });
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ credsStore: "x/../evil" }));
    const result = await oneoffInProcess(["run", "--release", PRIVATE, "--", "true"], { env, cwd: work });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: ${path.join(dir, "config.json")}: credsStore: "x/../evil" is not a credential helper name (set it to the NAME of a docker-credential-NAME program on PATH, such as "desktop" or "pass", or remove it)\n`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(privatePresent()).toBe(false);
  });
});

describe("oneoff check against a registry that wants credentials", () => {
  it("sees the private release with docker login's credentials", async () => {
    dockerLogin(PASSWORD);
    const result = await oneoffInProcess(["check", "--release", PRIVATE, "--", "true"], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${PRIVATE} is not present but its registry has it (it will be pulled)`);
    expect(privatePresent()).toBe(false);
  });

  it("sees it with --registry-auth, and reports the missing credentials without it", async () => {
    const withFlag = await oneoff(["check", "--json", "--release", PRIVATE, "--registry-auth", `${USER}:env:PW`, "--", "true"], {
      env: { ...env, PW: PASSWORD },
    });
    expect(withFlag.code).toBe(0);
    expect(documentOf<{ ok: boolean }>("check", withFlag.stdout).ok).toBe(true);
    expectNoSecrets(withFlag);

    const without = await oneoffInProcess(["check", "--release", PRIVATE, "--", "true"], { env });
    expect(without.code).toBe(125);
    expect(without.stderr).toBe(
      `oneoff: check release: ${PRIVATE} is not present, and registry ${REGISTRY} wants credentials, and none were found for it (log in with: docker login ${REGISTRY}; or pass --registry-auth USER:env:VARIABLE)\n`,
    );
  });
});

/** docker login checks the password with the registry; a wrong one must be written as the CLI would. */
function dockerLoginWithoutCheck(password: string): void {
  const auth = Buffer.from(`${USER}:${password}`).toString("base64");
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ auths: { [REGISTRY]: { auth } } }, null, "\t"));
}
