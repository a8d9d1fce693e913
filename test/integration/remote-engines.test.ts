/**
 * Engines that are not the local socket, each a real server on loopback made by
 * test/setup/remote-engines.sh: a TLS engine (stunnel with its own CA, in front of the local
 * engine), an ssh:// engine (sshd on 127.0.0.1:2222), picked by DOCKER_*, --host, docker
 * contexts made by the real docker CLI, and oneoff.yaml's environments. Podman is in podman.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, jobServices, oneOffContainers, oneoff, processCommandLines } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

const DIR = "/tmp/oneoff-remote-engines";
const TLS_HOST = "tcp://127.0.0.1:23760";
const SSH_HOST = "ssh://root@127.0.0.1:2222";
const SSH_BIN = `${DIR}/ssh/bin`;
const TLS_ENV = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: `${DIR}/client` };
/** The ssh oneoff finds on PATH is the test engines' (their config, keys and known_hosts). */
const SSH_PATH = { PATH: `${SSH_BIN}:${process.env.PATH}` };
/** None of the caller's engine settings leak into a test: each names its engine itself. */
const CLEAN = {
  DOCKER_HOST: undefined,
  DOCKER_CONTEXT: undefined,
  DOCKER_TLS_VERIFY: undefined,
  DOCKER_CERT_PATH: undefined,
  ONEOFF_ENV: undefined,
};
const SCRIPT = 'echo "to stdout"; echo "to stderr" >&2; wc -c; exit 42';

let dockerConfig: string;

beforeAll(() => {
  // Fail loudly, never skip: CI must prove these.
  for (const file of [`${DIR}/client/cert.pem`, `${SSH_BIN}/ssh`]) readFileSync(file);
  // A docker config folder of the tests' own, never ~/.docker; contexts made by the real CLI.
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), "oneoff-docker-config-"));
  const create = (name: string, endpoint: string) =>
    execFileSync("docker", ["context", "create", name, "--docker", endpoint], {
      env: { ...process.env, DOCKER_CONFIG: dockerConfig },
      stdio: "pipe",
    });
  create("tls-engine", `host=${TLS_HOST},ca=${DIR}/client/ca.pem,cert=${DIR}/client/cert.pem,key=${DIR}/client/key.pem`);
  create("rogue-engine", `host=${TLS_HOST},ca=${DIR}/rogue/ca.pem,cert=${DIR}/rogue/cert.pem,key=${DIR}/rogue/key.pem`);
  create("ssh-engine", `host=${SSH_HOST}`);
  // No CA: the engine's certificate is not checked, only oneoff's client certificate shown.
  create("unverified-engine", `host=${TLS_HOST},cert=${DIR}/client/cert.pem,key=${DIR}/client/key.pem,skip-tls-verify=true`);
});

afterAll(() => rmSync(dockerConfig, { recursive: true, force: true }));

/** ssh children of the test engines still running (none may outlive a oneoff). */
function sshChildren(): string[] {
  return processCommandLines().filter((cmdline) => cmdline.includes(`-F ${DIR}/ssh/config`) && cmdline.includes("dial-stdio"));
}

/** oneoff's own ssh children end with it; its watchdog's (reaping orphans now and then) soon after. */
async function noSshLeft(): Promise<void> {
  await eventually(() => (sshChildren().length === 0 ? true : undefined), 15_000).catch(() => expect(sshChildren()).toEqual([]));
}

/**
 * How a test runs oneoff. Over TLS or a socket, in this process (oneoffInProcess): what is
 * proven is which engine oneoff picks and how it talks to it, and a Node started per call was
 * CPU the engine's work waited on (issue 30). Over ssh, a process of its own (oneoff): oneoff
 * looks ssh up on its own process's PATH and ends its ssh children as that process exits
 * (engine/docker/ssh-dial.ts), which is what the ssh tests prove.
 */
type Cli = typeof oneoff | typeof oneoffInProcess;

async function expectOneOffThrough(args: string[], env: Record<string, string | undefined>, cli: Cli = oneoffInProcess) {
  const result = await cli(["run", "-q", "-i", ...args, "--release", IMAGE, "--", "sh", "-c", SCRIPT], {
    env: { ...CLEAN, ...env },
    input: "12345",
  });
  expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
    code: 42,
    stdout: "to stdout\n5\n",
    stderr: "to stderr\n",
  });
}

describe("a TLS engine (stunnel with its own CA, client certificates required)", () => {
  it("runs a one-off with DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: exit code, stdout and stderr apart, stdin to EOF", async () => {
    await expectOneOffThrough([], TLS_ENV);
  });

  it("runs one with --host, the certificates from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as docker -H does", async () => {
    await expectOneOffThrough(["--host", TLS_HOST], {
      DOCKER_HOST: "unix:///tmp/oneoff-no-engine-here.sock",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: `${DIR}/client`,
    });
  });

  it("runs one through a context made by docker context create: --context, DOCKER_CONTEXT, and docker context use", async () => {
    await expectOneOffThrough(["--context", "tls-engine"], { DOCKER_CONFIG: dockerConfig });
    await expectOneOffThrough([], { DOCKER_CONFIG: dockerConfig, DOCKER_CONTEXT: "tls-engine" });
    const own = mkdtempSync(path.join(os.tmpdir(), "oneoff-docker-config-"));
    try {
      execFileSync("cp", ["-r", `${dockerConfig}/contexts`, own]);
      execFileSync("docker", ["context", "use", "tls-engine"], { env: { ...process.env, DOCKER_CONFIG: own }, stdio: "pipe" });
      await expectOneOffThrough([], { DOCKER_CONFIG: own });
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("runs one through a context with skip-tls-verify, and says so in --dry-run", async () => {
    await expectOneOffThrough(["--context", "unverified-engine"], { DOCKER_CONFIG: dockerConfig });
    const result = await oneoffInProcess(["--context", "unverified-engine", "run", "--dry-run", "--release", IMAGE, "--", "true"], {
      env: { ...CLEAN, DOCKER_CONFIG: dockerConfig },
    });
    expect(JSON.parse(result.stdout.toString()).engine).toEqual({
      endpoint: TLS_HOST,
      source: "--context unverified-engine",
      tls: "unverified",
    });
  });

  it("refuses a client certificate from another CA in one line, exit 125: DOCKER_CERT_PATH, and a context", async () => {
    for (const [args, env] of [
      [[], { ...TLS_ENV, DOCKER_CERT_PATH: `${DIR}/rogue` }],
      [["--context", "rogue-engine"], { DOCKER_CONFIG: dockerConfig }],
    ] as const) {
      const result = await oneoffInProcess([...args, "run", "--release", IMAGE, "--", "true"], { env: { ...CLEAN, ...env } });
      expect(result.code).toBe(125);
      expect(result.stderr).toMatch(
        /^oneoff: cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:23760: the engine refused oneoff's TLS client certificate \(.+\)\n$/,
      );
    }
  });

  it("shows in --dry-run which engine it would use and why, without certificate contents", async () => {
    const result = await oneoffInProcess(["--context", "tls-engine", "run", "--dry-run", "--release", IMAGE, "--", "true"], {
      env: { ...CLEAN, DOCKER_CONFIG: dockerConfig },
    });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout.toString());
    expect(document.engine).toEqual({ endpoint: TLS_HOST, source: "--context tls-engine", tls: "verified" });
    expect(result.stdout.toString()).not.toContain("BEGIN");
  });

  it("refuses an unknown context in one line", async () => {
    const result = await oneoffInProcess(["--context", "nope", "ps"], { env: { ...CLEAN, DOCKER_CONFIG: dockerConfig } });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: context "nope" not found in ${dockerConfig}/contexts (docker context ls lists the contexts; DOCKER_CONFIG chooses the folder)\n`,
    );
  });
});

const NO_SSH =
  /^oneoff: cannot reach the Docker engine at ssh:\/\/root@127\.0\.0\.1:2222: ssh is not installed here \(no ssh on PATH\) \(install an OpenSSH client, .*\)\n$/;

describe("an ssh:// engine (docker system dial-stdio over ssh, as the docker CLI)", () => {
  /** A PATH with setpriv (which oneoff runs ssh under, where it can) but no ssh. */
  let setprivOnly: string;
  beforeAll(() => {
    setprivOnly = mkdtempSync(path.join(os.tmpdir(), "oneoff-no-ssh-"));
    symlinkSync("/usr/bin/setpriv", path.join(setprivOnly, "setpriv"));
  });
  afterAll(() => rmSync(setprivOnly, { recursive: true, force: true }));

  it("runs a one-off: exit code, stdout and stderr apart, stdin to EOF; no ssh is left running", async () => {
    await expectOneOffThrough([], { ...SSH_PATH, DOCKER_HOST: SSH_HOST }, oneoff);
    await noSshLeft();
  });

  it("runs a Swarm job through a manager reached over ssh: output, exit code, the job removed", async () => {
    const result = await oneoff(
      [
        "-H",
        SSH_HOST,
        "run",
        "-q",
        "--engine",
        "swarm",
        "--constraint",
        "node.role==manager",
        "--release",
        IMAGE,
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
      ],
      { env: { ...CLEAN, ...SSH_PATH } },
    );
    expect(result.stdout.toString()).toBe("out\n");
    expect(result.stderr).toBe("err\n");
    expect(result.code).toBe(3);
    expect(jobServices()).toEqual([]);
    await noSshLeft();
  });

  it("runs one through -H and through a context of the docker CLI", async () => {
    await expectOneOffThrough(["-H", SSH_HOST], SSH_PATH, oneoff);
    await expectOneOffThrough(["--context", "ssh-engine"], { ...SSH_PATH, DOCKER_CONFIG: dockerConfig }, oneoff);
  });

  it("reaches the same engine from run -d, ps, logs and wait", async () => {
    const env = { ...CLEAN, ...SSH_PATH };
    const started = await oneoff(["-H", SSH_HOST, "run", "-d", "-q", "--release", IMAGE, "--", "sh", "-c", "echo detached; exit 3"], {
      env,
    });
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      const waited = await oneoff(["wait", "-H", SSH_HOST, id], { env });
      expect({ code: waited.code, stdout: waited.stdout.toString() }).toEqual({ code: 3, stdout: "3\n" });
      const logs = await oneoff(["logs", "--host", SSH_HOST, id], { env });
      expect(logs.stdout.toString()).toBe("detached\n");
      const ps = await oneoff(["ps", "-a", "--json", "--all-apps", "-H", SSH_HOST], { env });
      expect(documentOf<{ oneOffs: Array<{ id: string }> }>("ps", ps.stdout).oneOffs.map((oneOff) => oneOff.id)).toContain(id);
    } finally {
      docker("rm", "-f", id);
    }
    await noSshLeft();
  });

  it("removes the one-off through the watchdog when oneoff is killed, and leaves no ssh behind", async () => {
    const result = await oneoff(["-H", SSH_HOST, "run", "-q", "--release", IMAGE, "--", "sleep", "60"], {
      env: { ...CLEAN, ...SSH_PATH },
      onSpawn: (child) => {
        void eventually(() => (oneOffContainers().length > 0 ? true : undefined)).then(() => child.kill("SIGKILL"));
      },
    });
    expect(result.signal).toBe("SIGKILL");
    await eventually(() => (oneOffContainers().length === 0 && sshChildren().length === 0 ? true : undefined), 30_000);
  });

  it.each([
    [
      "a key the far side refuses",
      "ssh://oneoff-stranger",
      SSH_PATH,
      /^oneoff: cannot reach the Docker engine at ssh:\/\/oneoff-stranger: ssh to oneoff-stranger failed: .*Permission denied \(publickey\)\. \(check that ssh oneoff-stranger logs in without a prompt .*\)\n$/,
    ],
    [
      "no docker on the far side",
      "ssh://oneoff-no-docker",
      SSH_PATH,
      /^oneoff: cannot reach the Docker engine at ssh:\/\/oneoff-no-docker: no docker command on oneoff-no-docker: .*docker: command not found \(install the docker CLI there: .*\)\n$/,
    ],
    ["no ssh here", SSH_HOST, { PATH: "/nonexistent" }, NO_SSH],
    ["no ssh here, but setpriv", SSH_HOST, { PATH: "setpriv-only" }, NO_SSH],
  ])("says so in one line with exit 125: %s", async (_name, host, env, says) => {
    const path = env.PATH === "setpriv-only" ? setprivOnly : env.PATH;
    const result = await oneoff(["-H", host, "run", "--release", IMAGE, "--", "true"], { env: { ...CLEAN, ...env, PATH: path } });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(says);
    await noSshLeft();
  });
});

describe("environments: in oneoff.yaml, picked with --env-name or ONEOFF_ENV", () => {
  let app: string;
  beforeAll(() => {
    app = mkdtempSync(path.join(os.tmpdir(), "oneoff-environments-"));
    writeFileSync(
      path.join(app, "oneoff.yaml"),
      `app: envapp
release: ${IMAGE}
environments:
  staging: { context: tls-engine, env: { STAGE: staging } }
  production: { host: ${SSH_HOST}, env: { STAGE: production } }
  nowhere: { host: "unix:///tmp/oneoff-no-engine-here.sock" }
tasks:
  stage: sh -c 'echo "$$STAGE"'
`,
    );
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  const inApp = (args: string[], env: Record<string, string | undefined> = {}, cli: Cli = oneoffInProcess) =>
    cli(args, { cwd: app, env: { ...CLEAN, ...SSH_PATH, DOCKER_CONFIG: dockerConfig, ...env } });

  it("runs on the environment's engine with its env: --env-name, and ONEOFF_ENV", async () => {
    for (const [args, env, stage, endpoint] of [
      [["--env-name", "staging"], {}, "staging", TLS_HOST],
      [[], { ONEOFF_ENV: "production" }, "production", SSH_HOST],
    ] as const) {
      // production's engine is reached over ssh (a dry run asks it for the image too): in a
      // oneoff process of its own.
      const cli = endpoint === SSH_HOST ? oneoff : oneoffInProcess;
      const result = await inApp([...args, "run", "-q", "stage"], env, cli);
      expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
        code: 0,
        stdout: `${stage}\n`,
        stderr: "",
      });
      const dry = await inApp([...args, "run", "--dry-run", "stage"], env, cli);
      expect(JSON.parse(dry.stdout.toString()).engine.endpoint).toBe(endpoint);
    }
  });

  it("puts the environment between the flags and DOCKER_HOST", async () => {
    // A dry run asks the engine for the image: over ssh (production's), in a oneoff process of its own.
    const engineOf = async (args: string[], env: Record<string, string>, cli: Cli = oneoffInProcess) =>
      JSON.parse((await inApp([...args, "run", "--dry-run", "stage"], env, cli)).stdout.toString()).engine;
    expect(await engineOf(["--env-name", "production"], { DOCKER_HOST: "tcp://127.0.0.1:1" }, oneoff)).toEqual({
      endpoint: SSH_HOST,
      source: "environment production",
    });
    expect(await engineOf(["--env-name", "production", "--context", "tls-engine"], {})).toEqual({
      endpoint: TLS_HOST,
      source: "--context tls-engine",
      tls: "verified",
    });
    expect(await engineOf(["--env-name", "production", "-H", "unix:///tmp/x.sock"], { ONEOFF_ENV: "staging" })).toEqual({
      endpoint: "unix:///tmp/x.sock",
      source: "--host",
    });
    // --env-name wins over ONEOFF_ENV.
    expect(await engineOf(["--env-name", "production"], { ONEOFF_ENV: "staging" }, oneoff)).toMatchObject({
      source: "environment production",
    });
  });

  it("names the environment's engine when it cannot be reached", async () => {
    const result = await inApp(["--env-name", "nowhere", "ps"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: cannot reach the Docker engine at unix:\/\/\/tmp\/oneoff-no-engine-here\.sock: /);
  });

  it("refuses an unknown environment in one line listing the known ones", async () => {
    const result = await inApp(["run", "stage"], { ONEOFF_ENV: "prodution" });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: ONEOFF_ENV=prodution: no such environment in ${app}/oneoff.yaml (it has nowhere, production, staging) (did you mean production?)\n`,
    );
  });
});
