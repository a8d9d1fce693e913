/**
 * The team's history on the engine (lifecycle/run-records.ts): every run leaves a record on the
 * engine it ran on, which `oneoff history` shows to every operator that reaches that engine,
 * merged with the operator's own audit log.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, docker, expectNoLeftovers, IMAGE, oneoff, removeRunRecords, until, waitForOutput, type CliResult } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

interface Entry {
  runId?: string;
  by: string;
  app: string;
  command: string[];
  exitCode?: number;
  outcome: string;
  source: string;
}

/** An app folder with its oneoff.yaml; records of the app are removed after the test. */
function appDir(extra = ""): { dir: string; name: string } {
  const name = `hist${Math.random().toString(16).slice(2, 10)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-history-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${name}\nimage: oneoff-test/busybox\nrelease: latest\n${extra}`);
  return { dir, name };
}

/** An operator: a HOME of their own (so an audit log of their own), and a host name of their own. */
function operator(host: string) {
  const home = mkdtempSync(path.join(os.tmpdir(), "oneoff-operator-"));
  const env = { HOME: home, XDG_STATE_HOME: undefined, ONEOFF_AUDIT_LOG: undefined };
  return {
    by: `${os.userInfo().username}@${host}`,
    auditLog: path.join(home, ".local", "state", "oneoff", "audit.jsonl"),
    /** oneoff in this process with the operator's HOME: what it reads does not depend on the host name. */
    read(args: string[], cwd: string): Promise<CliResult> {
      return oneoffInProcess(args, { cwd, env });
    },
    /** oneoff in a UTS namespace of its own, whose host name is `host` (the tests run as root). */
    run(args: string[], cwd: string): Promise<CliResult> {
      const childEnv: Record<string, string> = {};
      for (const [key, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) childEnv[key] = value;
      const child = spawn("unshare", ["--uts", "sh", "-c", 'hostname "$0" && exec "$@"', host, process.execPath, "--", BIN, ...args], {
        cwd,
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const stdout: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      return new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr }));
      });
    },
  };
}

const entriesOf = (result: CliResult) => documentOf<{ entries: Entry[] }>("history", result.stdout).entries;

// oneoff runs in this process (oneoffInProcess) unless the test needs a process of its own: a
// run by an operator on a host of its own (a UTS namespace), a oneoff SIGKILLed for its
// watchdog to end its record, or an engine reached over ssh (oneoff looks ssh up on its own
// process's PATH: engine/docker/ssh-dial.ts). A Node started per call, the history polled
// until the watchdog has written, was CPU the engine's work waited on (issue 30).

describe("oneoff history: the team's one-offs, from the engine", () => {
  it("shows each of two operators (own HOME, own host name) both runs, newest first, each marked where it was found", async () => {
    const { dir, name } = appDir();
    try {
      const alice = operator("alice-laptop");
      const bob = operator("bob-ci");
      expect((await alice.run(["run", "-q", "--", "true"], dir)).code).toBe(0);
      expect((await bob.run(["run", "-q", "--", "sh", "-c", "exit 3"], dir)).code).toBe(3);
      // Each machine's own log holds its own run only.
      expect(readFileSync(alice.auditLog, "utf8")).not.toContain("bob-ci");
      for (const [who, other] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        const history = await who.read(["history", "--json"], dir);
        expect(history.stderr).toBe("");
        expect(entriesOf(history)).toEqual([
          expect.objectContaining({ by: bob.by, app: name, exitCode: 3, outcome: "exited", source: who === bob ? "both" : "engine" }),
          expect.objectContaining({ by: alice.by, app: name, exitCode: 0, outcome: "exited", source: who === alice ? "both" : "engine" }),
        ]);
        // --local: this machine's log only.
        expect(entriesOf(await who.read(["history", "--local", "--json"], dir)).map((entry) => entry.by)).toEqual([who.by]);
        // --user, by user@host.
        expect(entriesOf(await who.read(["history", "--user", other.by, "--json"], dir)).map((entry) => entry.by)).toEqual([other.by]);
      }
      const failed = await alice.read(["history", "--failed"], dir);
      expect(failed.stdout.toString().trim().split("\n")).toEqual([
        expect.stringMatching(/^STARTED/),
        expect.stringMatching(/bob-ci .* 3 .* exited$/),
      ]);
    } finally {
      removeRunRecords(name);
    }
  });

  it("keeps the start of a run whose oneoff is SIGKILLed, and its watchdog ends it as owner-gone", async () => {
    const { dir, name } = appDir();
    const log = path.join(dir, "audit.jsonl");
    const env = { ONEOFF_AUDIT_LOG: log };
    try {
      let started: string[] = [];
      const killed = await oneoff(["run", "-q", "--", "sh", "-c", "echo ready; sleep 60"], {
        cwd: dir,
        env,
        onSpawn: (child) =>
          void waitForOutput(child, (text) => text.includes("ready")).then(() => {
            // The start record is on the engine before the command runs.
            started = docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${name}`).split("\n");
            child.kill("SIGKILL");
          }),
      });
      expect(killed.signal).toBe("SIGKILL");
      const runId = (JSON.parse(readFileSync(log, "utf8").split("\n")[0] as string) as { runId: string }).runId;
      expect(started).toEqual([`oneoff-record-${runId}-start`]);
      const ended = await until(async () => {
        const [entry] = entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env }));
        return entry?.outcome === "owner-gone" ? entry : undefined;
      });
      expect(ended).toMatchObject({ runId, command: ["sh", "-c", "echo ready; sleep 60"], source: "both" });
      expect(ended.exitCode).toBeUndefined();
      // One volume per run once it has ended.
      expect(docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${name}`)).toBe(`oneoff-record-${runId}`);
    } finally {
      removeRunRecords(name);
    }
  });

  it("records the exit code of a one-off that had exited before its oneoff was SIGKILLed: the watchdog reads it before removal", async () => {
    const { dir, name } = appDir();
    const log = path.join(dir, "audit.jsonl");
    const env = { ONEOFF_AUDIT_LOG: log };
    try {
      const killed = await oneoff(["run", "-q", "--", "sh", "-c", "echo ready; sleep 1; exit 7"], {
        cwd: dir,
        env,
        onSpawn: (child) =>
          void waitForOutput(child, (text) => text.includes("ready")).then(async () => {
            // Stopped, oneoff cannot see the exit and write the end itself; killed once the one-off has exited.
            child.kill("SIGSTOP");
            await until(
              async () => docker("ps", "-aq", "--filter", `label=io.oneoff.app=${name}`, "--filter", "status=exited") || undefined,
            );
            child.kill("SIGKILL");
          }),
      });
      expect(killed.signal).toBe("SIGKILL");
      const ended = await until(async () => {
        const [entry] = entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env }));
        return entry?.outcome === "owner-gone" ? entry : undefined;
      });
      expect(ended).toMatchObject({ exitCode: 7, command: ["sh", "-c", "echo ready; sleep 1; exit 7"], source: "both" });
      expect(docker("ps", "-aq", "--filter", `label=io.oneoff.app=${name}`)).toBe("");
    } finally {
      removeRunRecords(name);
    }
  });

  it("records a detached run's end, with its exit code, when oneoff wait sees it", async () => {
    const { dir, name } = appDir();
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
    try {
      const started = await oneoffInProcess(["run", "-q", "-d", "--", "sh", "-c", "sleep 1; exit 5"], { cwd: dir, env });
      const id = started.stdout.toString().trim();
      try {
        const other = { ONEOFF_AUDIT_LOG: path.join(dir, "other.jsonl") };
        expect(entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: other }))).toEqual([
          expect.objectContaining({ outcome: "no end recorded", source: "engine" }),
        ]);
        expect((await oneoffInProcess(["wait", id], { cwd: dir, env })).stdout.toString()).toBe("5\n");
        expect(entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: other }))).toEqual([
          expect.objectContaining({ outcome: "exited", exitCode: 5, source: "engine" }),
        ]);
        // The machine that started it logged "detached"; the engine's end says more.
        expect(entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env }))).toEqual([
          expect.objectContaining({ outcome: "exited", exitCode: 5, source: "both" }),
        ]);
      } finally {
        docker("rm", "-f", id);
      }
    } finally {
      removeRunRecords(name);
    }
  });

  it("records a detached run stopped by oneoff stop as stopped, and one that needed SIGKILL as killed", async () => {
    const { dir, name } = appDir();
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
    try {
      // sh as PID 1 ignores SIGTERM unless it traps it: the first stops on it, the second is killed.
      const polite = (
        await oneoffInProcess(["run", "-q", "-d", "--", "sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"], { cwd: dir, env })
      ).stdout
        .toString()
        .trim();
      const deaf = (await oneoffInProcess(["run", "-q", "-d", "--", "sleep", "300"], { cwd: dir, env })).stdout.toString().trim();
      try {
        expect((await oneoffInProcess(["stop", "-t", "20", polite], { cwd: dir, env })).code).toBe(0);
        expect((await oneoffInProcess(["stop", "-t", "1", deaf], { cwd: dir, env })).code).toBe(0);
        const other = { ONEOFF_AUDIT_LOG: path.join(dir, "other.jsonl") };
        const entries = entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: other }));
        expect(entries).toEqual([
          expect.objectContaining({ outcome: "killed", exitCode: 137, command: ["sleep", "300"] }),
          expect.objectContaining({ outcome: "stopped", exitCode: 0 }),
        ]);
      } finally {
        docker("rm", "-f", polite, deaf);
      }
    } finally {
      removeRunRecords(name);
    }
  });

  it("shows this machine's log, and says so in one line, when the engine cannot be reached", async () => {
    const { dir, name } = appDir();
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
    try {
      expect((await oneoffInProcess(["run", "-q", "--", "true"], { cwd: dir, env })).code).toBe(0);
      const closed = path.join(dir, "closed.sock");
      const history = await oneoffInProcess(["history", "--json"], {
        cwd: dir,
        env: { ...env, DOCKER_HOST: `unix://${closed}`, DOCKER_CONTEXT: undefined },
      });
      expect(history.code).toBe(0);
      expect(history.stderr).toMatch(
        new RegExp(`^oneoff: the engine at unix://${closed} could not be reached \\(.*\\); showing only this machine's log\\n$`),
      );
      expect(entriesOf(history)).toEqual([expect.objectContaining({ app: name, outcome: "exited", source: "local" })]);
    } finally {
      removeRunRecords(name);
    }
  });

  it("reads the records over the TLS engine", async () => {
    const { dir, name } = appDir();
    const certs = "/tmp/oneoff-remote-engines/client";
    const tls = { DOCKER_HOST: "tcp://127.0.0.1:23760", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs, DOCKER_CONTEXT: undefined };
    try {
      expect(
        (await oneoffInProcess(["run", "-q", "--", "true"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: path.join(dir, "a.jsonl") } })).code,
      ).toBe(0);
      const history = await oneoffInProcess(["history", "--json"], {
        cwd: dir,
        env: { ...tls, ONEOFF_AUDIT_LOG: path.join(dir, "b.jsonl") },
      });
      expect(history.stderr).toBe("");
      expect(entriesOf(history)).toEqual([expect.objectContaining({ app: name, outcome: "exited", exitCode: 0, source: "engine" })]);
    } finally {
      removeRunRecords(name);
    }
  });

  it("writes and reads the records over the ssh engine", async () => {
    const { dir, name } = appDir();
    // The ssh oneoff finds on PATH is the test engines' (their config, keys and known_hosts).
    const ssh = {
      DOCKER_HOST: "ssh://root@127.0.0.1:2222",
      PATH: `/tmp/oneoff-remote-engines/ssh/bin:${process.env.PATH}`,
      DOCKER_CONTEXT: undefined,
      DOCKER_TLS_VERIFY: undefined,
      DOCKER_CERT_PATH: undefined,
    };
    try {
      // One run through ssh, one through the local socket: each side sees both.
      expect(
        (
          await oneoff(["run", "-q", "--", "sh", "-c", "exit 4"], {
            cwd: dir,
            env: { ...ssh, ONEOFF_AUDIT_LOG: path.join(dir, "a.jsonl") },
          })
        ).code,
      ).toBe(4);
      expect(
        (await oneoffInProcess(["run", "-q", "--", "true"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: path.join(dir, "b.jsonl") } })).code,
      ).toBe(0);
      const overSsh = await oneoff(["history", "--json"], { cwd: dir, env: { ...ssh, ONEOFF_AUDIT_LOG: path.join(dir, "c.jsonl") } });
      expect(overSsh.stderr).toBe("");
      const both = [
        expect.objectContaining({ app: name, outcome: "exited", exitCode: 0, source: "engine" }),
        expect.objectContaining({ app: name, outcome: "exited", exitCode: 4, source: "engine" }),
      ];
      expect(entriesOf(overSsh)).toEqual(both);
      expect(
        entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: path.join(dir, "c.jsonl") } })),
      ).toEqual(both);
    } finally {
      removeRunRecords(name);
    }
  });

  it("masks a secret's value typed into the command in the record", async () => {
    const secret = `tok-${Math.random().toString(16).slice(2)}`;
    const { dir, name } = appDir(`secrets:\n  API: {env: HISTORY_TEST_SECRET}\n`);
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl"), HISTORY_TEST_SECRET: secret };
    try {
      expect((await oneoffInProcess(["run", "-q", "--", "echo", secret], { cwd: dir, env })).code).toBe(0);
      const labels = docker("volume", "ls", "--filter", `label=io.oneoff.record.app=${name}`, "--format", "{{.Labels}}");
      expect(labels).toContain("io.oneoff.record.command=");
      expect(labels).not.toContain(secret);
      expect(
        entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: path.join(dir, "b.jsonl") } })),
      ).toEqual([expect.objectContaining({ command: ["echo", "<redacted>"], source: "engine" })]);
    } finally {
      removeRunRecords(name);
    }
  });

  it("records the end of a run that failed after its start was written: a command not in the image", async () => {
    const { dir, name } = appDir();
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
    try {
      expect((await oneoffInProcess(["run", "-q", "--", "no-such-command"], { cwd: dir, env })).code).toBe(127);
      expect(
        entriesOf(await oneoffInProcess(["history", "--json"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: path.join(dir, "b.jsonl") } })),
      ).toEqual([expect.objectContaining({ outcome: "not-found", exitCode: 127, source: "engine" })]);
      expect(docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${name}`).split("\n")).toHaveLength(1);
    } finally {
      removeRunRecords(name);
    }
  });
});
