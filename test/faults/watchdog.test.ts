/**
 * The watchdog always ends, and never follows a link planted where it keeps its state: driven
 * through its own protocol (the lines oneoff sends on its stdin), against an engine socket
 * that accepts connections and never answers, and against the real engine.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { docker, eventually, IMAGE, processesWithEnvironment, ROOT } from "../integration/helpers.js";
import { startWatchdog as startFromOneoff } from "../../src/lifecycle/watchdog.js";
import { DEFAULT_HISTORY_KEEP, recordFromLabels, recordLabels } from "../../src/lifecycle/run-records.js";

const ENTRY = path.join(ROOT, "dist", "lifecycle", "watchdog-main.js");

function startWatchdog(lines: string[], env: Record<string, string>): Promise<{ code: number | null; elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [ENTRY], { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, ...env } });
  child.stdin.end(lines.map((line) => `${line}\n`).join(""));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, elapsedMs: Date.now() - started }));
  });
}

describe("the watchdog", () => {
  it("ends by its deadline when the engine accepts connections and never answers", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-watchdog-"));
    const socketPath = path.join(dir, "silent.sock");
    let requests = 0;
    const silent = net.createServer((socket) => {
      requests++;
      socket.on("error", () => {});
      // Never a byte back.
    });
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const connection = { kind: "unix", socketPath, endpoint: `unix://${socketPath}` };
      const ended = await startWatchdog([`engine ${JSON.stringify(connection)}`, "run 0123456789abcdef container"], {
        ONEOFF_WATCHDOG_DEADLINE: "3s",
        XDG_STATE_HOME: dir,
      });
      expect(requests).toBeGreaterThan(0);
      expect(ended.code).toBe(0);
      // "Never" is what fails: a generous bound far above the 3 s deadline.
      expect(ended.elapsedMs).toBeLessThan(30_000);
    } finally {
      silent.close();
    }
  }, 60_000);

  it("keeps its reap stamp in the user's state folder and never follows a link planted there", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-watchdog-"));
    const victim = path.join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    const connection = { kind: "unix", socketPath: "/var/run/docker.sock", endpoint: "unix:///var/run/docker.sock" };
    const which = createHash("sha256").update(connection.endpoint).digest("hex").slice(0, 12);
    const state = path.join(dir, "state");
    mkdirSync(path.join(state, "oneoff"), { recursive: true });
    const stamp = path.join(state, "oneoff", `reaped-${which}`);
    symlinkSync(victim, stamp);
    // An old link: the watchdog would reap now and rewrite its stamp.
    lutimesSync(stamp, new Date(0), new Date(0));
    const ended = await startWatchdog([`engine ${JSON.stringify(connection)}`, "done"], { XDG_STATE_HOME: state });
    expect(ended.code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(stamp).isSymbolicLink()).toBe(true);

    // Without a planted link it writes its stamp there (and nothing in /tmp, where it once did).
    const tmpStamp = path.join(os.tmpdir(), `oneoff-reaped-${process.getuid?.()}-${which}`);
    rmSync(tmpStamp, { force: true });
    const clean = path.join(dir, "clean-state");
    await startWatchdog([`engine ${JSON.stringify(connection)}`, "done"], { XDG_STATE_HOME: clean });
    expect(lstatSync(path.join(clean, "oneoff", `reaped-${which}`)).isFile()).toBe(true);
    expect(existsSync(tmpStamp)).toBe(false);
  }, 60_000);

  it("writes its reap stamp only once a reap ran: an engine it could not reach is tried again by the next run", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-watchdog-"));
    const socketPath = path.join(dir, "no-engine.sock");
    const connection = { kind: "unix", socketPath, endpoint: `unix://${socketPath}` };
    const state = path.join(dir, "state");
    const ended = await startWatchdog([`engine ${JSON.stringify(connection)}`, "done"], {
      XDG_STATE_HOME: state,
      ONEOFF_WATCHDOG_DEADLINE: "3s",
    });
    expect(ended.code).toBe(0);
    expect(
      existsSync(state) ? readdirSync(state, { recursive: true, encoding: "utf8" }).filter((name) => name.includes("reaped-")) : [],
    ).toEqual([]);
  }, 60_000);

  it("records the ending oneoff saw when it abandoned removal to it (the engine gone mid-removal), not owner-gone", async () => {
    const runId = randomBytes(8).toString("hex");
    const app = `watchdog${runId.slice(0, 8)}`;
    const connection = { kind: "unix" as const, socketPath: "/var/run/docker.sock", endpoint: "unix:///var/run/docker.sock" };
    // A fresh reap stamp in a state folder of its own: this watchdog removes and records, and reaps nothing else.
    const state = mkdtempSync(path.join(os.tmpdir(), "oneoff-watchdog-"));
    const which = createHash("sha256").update(connection.endpoint).digest("hex").slice(0, 12);
    mkdirSync(path.join(state, "oneoff"));
    writeFileSync(path.join(state, "oneoff", `reaped-${which}`), "");
    const start = recordLabels({
      runId,
      app,
      command: ["sh", "-c", "exit 143"],
      kind: "container",
      releaseReference: IMAGE,
      imageId: "",
      by: "tester@watchdog",
      version: "0",
      startedAt: new Date().toISOString(),
      keep: DEFAULT_HISTORY_KEEP,
    });
    const records = () => docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.run=${runId}`);
    // The one-off oneoff saw end (interrupted by SIGTERM: 143), still on the engine, and its run's open start record.
    docker(
      "volume",
      "create",
      ...Object.entries(start).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
      `oneoff-record-${runId}-start`,
    );
    const container = docker("run", "-d", "--label", `io.oneoff.run=${runId}`, IMAGE, "sh", "-c", "exit 143");
    try {
      expect(docker("wait", container)).toBe("143");
      const watchdog = startFromOneoff({ ...process.env, XDG_STATE_HOME: state }, { id: runId, kind: "container" }, connection);
      watchdog.abandon({ ending: "interrupted", exitCode: 143, signal: "SIGTERM" });
      await eventually(() => (records() === `oneoff-record-${runId}` ? true : undefined), 30_000);
      const labels = JSON.parse(docker("volume", "inspect", "--format", "{{json .Labels}}", `oneoff-record-${runId}`)) as Record<
        string,
        string
      >;
      expect(recordFromLabels(labels)?.end).toEqual({
        endedAt: expect.any(String),
        ending: "interrupted",
        exitCode: 143,
        signal: "SIGTERM",
      });
      expect(docker("ps", "-aq", "--filter", `label=io.oneoff.run=${runId}`)).toBe("");
    } finally {
      docker("rm", "-f", container);
      for (const volume of records().split("\n").filter(Boolean)) docker("volume", "rm", volume);
      rmSync(state, { recursive: true, force: true });
    }
  }, 60_000);

  describe("its first stage (/bin/sh) starts Node only when there is work", () => {
    const connection = { kind: "unix" as const, socketPath: "/var/run/docker.sock", endpoint: "unix:///var/run/docker.sock" };
    const which = createHash("sha256").update(connection.endpoint).digest("hex").slice(0, 12);

    /** Starts a watchdog as oneoff does and ends it with `end`; says whether Node ever started. */
    async function nodeStarted(stampAge: "fresh" | "old", end: "release" | "abandon"): Promise<{ node: boolean; stamp: string }> {
      const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-watchdog-"));
      const stamp = path.join(dir, "oneoff", `reaped-${which}`);
      mkdirSync(path.dirname(stamp), { recursive: true });
      writeFileSync(stamp, "");
      if (stampAge === "old") lutimesSync(stamp, new Date(0), new Date(0));
      // Every Node process started with this environment appends its PID to `started`.
      const started = path.join(dir, "node-started");
      const marker = path.join(dir, "marker.cjs");
      writeFileSync(marker, `require("node:fs").appendFileSync(${JSON.stringify(started)}, process.pid + "\\n");\n`);
      const token = `watchdog-stage-${path.basename(dir)}`;
      const env = { ...process.env, XDG_STATE_HOME: dir, NODE_OPTIONS: `--require ${marker}`, ONEOFF_TEST_TOKEN: token };
      const watchdog = startFromOneoff(env, { id: "0123456789abcdef", kind: "container" }, connection);
      if (end === "release") watchdog.release();
      else watchdog.abandon();
      // Ended: no process left with the token in its environment.
      await eventually(() => (processesWithEnvironment(token).length === 0 ? true : undefined), 30_000);
      return { node: existsSync(started), stamp };
    }

    it("after a run that ended well, with no reap due, Node never starts", async () => {
      expect((await nodeStarted("fresh", "release")).node).toBe(false);
    });

    it("with a reap due, Node starts and reaps (its stamp is renewed)", async () => {
      const { node, stamp } = await nodeStarted("old", "release");
      expect(node).toBe(true);
      expect(Date.now() - lstatSync(stamp).mtimeMs).toBeLessThan(60_000);
    });

    it("when oneoff abandons removal to it (or dies), Node starts whatever the stamp says", async () => {
      expect((await nodeStarted("fresh", "abandon")).node).toBe(true);
    });
  });
});
