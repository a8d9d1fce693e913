/**
 * An engine that does not share this machine (test/setup/isolated-engine.sh: its own mount, PID,
 * UTS and network namespaces and its own root filesystem), reached as a remote engine is: over
 * TLS (its own listener on 10.231.7.2:2376) and over ssh (its own sshd and docker CLI). What
 * passes against an engine on this machine and would fail against a remote one shows here: a
 * bind of a local path, copy sources and destinations, secrets read here and written there,
 * owner liveness judged through this machine's /proc (the engine's PIDs are others), the
 * watchdog reaching the engine after oneoff is killed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  expectNoLeftovers,
  IMAGE,
  MARKER_LABEL,
  oneoff,
  ownerLabel,
  processCommandLines,
  containerExists,
  createdOneOff,
} from "./helpers.js";

expectNoLeftovers();

const ROOTFS = "/var/lib/oneoff-isolated/rootfs";
const ISOLATED_SOCK = `unix://${ROOTFS}/run/docker.sock`;
const REMOTE_DIR = "/tmp/oneoff-remote-engines";
const SSH_BIN = `${REMOTE_DIR}/ssh/bin`;
const SETUP_HINT = "run: bash test/setup/all.sh";
/** None of the caller's engine settings leak into a test: each transport names its engine. */
const CLEAN = {
  DOCKER_HOST: undefined,
  DOCKER_CONTEXT: undefined,
  DOCKER_TLS_VERIFY: undefined,
  DOCKER_CERT_PATH: undefined,
  ONEOFF_ENV: undefined,
};
const TRANSPORTS = [
  ["TLS", { ...CLEAN, DOCKER_HOST: "tcp://10.231.7.2:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: `${REMOTE_DIR}/client` }],
  ["ssh", { ...CLEAN, DOCKER_HOST: "ssh://oneoff-isolated", PATH: `${SSH_BIN}:${process.env.PATH}` }],
] as const;

/** The docker CLI on the isolated engine's own socket (the tests' view of its state). */
function isolatedDocker(...args: string[]): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DOCKER_HOST: ISOLATED_SOCK, DOCKER_CONTEXT: "", DOCKER_TLS_VERIFY: "", DOCKER_CERT_PATH: "" },
  }).trim();
}
const isolatedOneOffs = () => isolatedDocker("ps", "-aq", "--filter", `label=${MARKER_LABEL}`).split("\n").filter(Boolean);
const present = (id: string) => containerExists(id, isolatedDocker);

/** ssh processes of the test engines' config still running (none may outlive a oneoff). */
function sshChildren(): string[] {
  return processCommandLines().filter((cmdline) => cmdline.includes(`${REMOTE_DIR}/ssh/config`) && cmdline.includes("oneoff-isolated"));
}

let work: string;

beforeAll(() => {
  // Fail loudly, never skip: CI must prove these.
  let name = "";
  try {
    name = isolatedDocker("info", "--format", "{{.Name}}");
  } catch (error) {
    throw new Error(`the isolated engine does not answer on ${ISOLATED_SOCK}: ${String(error)}; ${SETUP_HINT}`);
  }
  expect(name, "the engine behind the socket is the isolated one").toBe("oneoff-isolated");
  expect(name).not.toBe(os.hostname());
  work = mkdtempSync(path.join(os.tmpdir(), "oneoff-isolated-"));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

afterEach(() => {
  const left = isolatedOneOffs();
  if (left.length) isolatedDocker("rm", "-f", ...left);
  expect(left, "one-off containers left on the isolated engine").toEqual([]);
});

describe.each(TRANSPORTS)("an engine on another machine, over %s", (transport, env) => {
  const run = (args: string[], options: { input?: string; cwd?: string } = {}) =>
    oneoff(["run", "-q", ...args], { env, ...options, ...(options.input === undefined ? {} : { input: options.input }) });

  it("runs a one-off there: exit code, stdout and stderr apart, stdin to EOF", async () => {
    const result = await run(["-i", "--release", IMAGE, "--", "sh", "-c", 'echo "to stdout"; echo "to stderr" >&2; wc -c; exit 42'], {
      input: "12345",
    });
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code: 42,
      stdout: "to stdout\n5\n",
      stderr: "to stderr\n",
    });
  });

  it("copies a file of this machine in and one out to this machine; the engine's machine gets neither path", async () => {
    const here = path.join(work, `copy-${transport}`);
    mkdirSync(path.join(here, "out"), { recursive: true });
    writeFileSync(path.join(here, "data.txt"), `only on the client ${transport}\n`);
    const result = await run([
      "--copy-in",
      `${here}/data.txt:/tmp/data.txt`,
      "--copy-out",
      `/tmp/result.txt:${here}/out/result.txt`,
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "cat /tmp/data.txt; echo made-on-the-engine > /tmp/result.txt",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(`only on the client ${transport}\n`);
    expect(readFileSync(path.join(here, "out/result.txt"), "utf8")).toBe("made-on-the-engine\n");
    // Neither path was taken as the engine's own (a bind would have made it there).
    expect(existsSync(`${ROOTFS}${here}`)).toBe(false);
  });

  it("writes a secret read here (a file and a command) into the one-off there, and the engine's record of it holds neither value", async () => {
    const project = path.join(work, `secrets-${transport}`);
    mkdirSync(project, { recursive: true });
    const fileValue = `file-secret-${transport}-${process.pid}`;
    const commandValue = `command-secret-${transport}-${process.pid}`;
    writeFileSync(path.join(project, "token.txt"), fileValue);
    writeFileSync(
      path.join(project, "oneoff.yaml"),
      [
        `app: iso${transport.toLowerCase()}`,
        `release: ${IMAGE}`,
        "secrets:",
        "  token: { file: token.txt }",
        `  api: { command: "printf ${commandValue}", target: /etc/api/key }`,
        "",
      ].join("\n"),
    );
    const started = await run(
      ["-d", "--", "sh", "-c", "cat /run/secrets/token; echo; cat /etc/api/key; echo; stat -c '%a %U' /run/secrets/token"],
      {
        cwd: project,
      },
    );
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    const waited = await oneoff(["wait", id], { env, cwd: project });
    expect(waited.code).toBe(0);
    const logs = await oneoff(["logs", id], { env, cwd: project });
    expect(logs.stdout.toString()).toBe(`${fileValue}\n${commandValue}\n400 root\n`);
    const record = isolatedDocker("inspect", id);
    expect(record).not.toContain(fileValue);
    expect(record).not.toContain(commandValue);
    isolatedDocker("rm", "-f", id);
  });

  it("refuses a bind of a path that exists only here in one line naming it: the engine would mount its own machine's path", async () => {
    const project = path.join(work, `bind-${transport}`);
    mkdirSync(path.join(project, "conf"), { recursive: true });
    writeFileSync(path.join(project, "conf/app.ini"), "x=1\n");
    writeFileSync(path.join(project, "oneoff.yaml"), `app: isobind\nrelease: ${IMAGE}\nvolumes: ["./conf:/conf:ro"]\n`);
    const result = await run(["--", "cat", "/conf/app.ini"], { cwd: project });
    expect(result.code).toBe(125);
    expect(result.stdout.toString()).toBe("");
    expect(result.stderr).toBe(
      `oneoff: bind source ${project}/conf does not exist on the engine's machine (a bind mounts a path of the machine the engine runs on, not of this one: check volumes: and -v, use a named volume, or --copy-in for files from here)\n`,
    );
    expect(existsSync(`${ROOTFS}${project}`)).toBe(false);
  });

  it("removes the one-off there through the watchdog when oneoff is SIGKILLed", async () => {
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "sleep", "60"], {
      env,
      onSpawn: (child) =>
        void eventually(() => (isolatedOneOffs().length > 0 ? true : undefined), 30_000).then(() => child.kill("SIGKILL")),
    });
    expect(result.signal).toBe("SIGKILL");
    await eventually(() => (isolatedOneOffs().length === 0 && sshChildren().length === 0 ? true : undefined), 30_000);
  });

  it("judges owners on this machine, not the engine's: cleanup there reaps a dead owner's one-off, keeps a live owner's and another machine's", async () => {
    const labelled = (owner: string) => createdOneOff(owner, isolatedDocker);
    // PID 2^22 - 1 runs neither here nor there; this test's PID runs here and (most likely) not there.
    const orphan = labelled(ownerLabel(4194303));
    const live = labelled(ownerLabel(process.pid));
    const elsewhere = labelled("elsewhere.example:1:1");
    const cleaned = await oneoff(["cleanup"], { env });
    expect(cleaned.code).toBe(0);
    expect(cleaned.stderr).toContain(orphan.slice(0, 12));
    expect(present(orphan)).toBe(false);
    expect(present(live)).toBe(true);
    expect(present(elsewhere)).toBe(true);
    isolatedDocker("rm", "-f", live, elsewhere);
    await eventually(() => (sshChildren().length === 0 ? true : undefined), 15_000);
  });
});
