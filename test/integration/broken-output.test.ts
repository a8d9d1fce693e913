/**
 * Output that cannot be written (a full disk, a reader gone away) is an outcome: the one-off is
 * stopped and removed, oneoff says so in one line and exits non-zero (125; 141 for EPIPE), and
 * the audit line and the release ledger record it. oneoff's own output into a closed pipe ends
 * quietly.
 */
import { spawn, type StdioOptions } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, docker, expectNoLeftovers, IMAGE, jobServices, ROOT } from "./helpers.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

const work = mkdtempSync(path.join(os.tmpdir(), "oneoff-broken-output-"));
const auditLog = path.join(work, "audit.jsonl");

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with stdout (or stderr) on /dev/full, or on a pipe whose read end this process
 * closes: at once ("gone"), or after the first chunk ("closes after the first chunk").
 */
function spawnOneoff(
  args: string[],
  streams: { stdout?: "full" | "gone" | "after-first-chunk"; stderr?: "full" },
  options: { cwd?: string } = {},
): Promise<Ended> {
  const full = openSync("/dev/full", "w");
  const stdio: StdioOptions = ["ignore", streams.stdout === "full" ? full : "pipe", streams.stderr === "full" ? full : "pipe"];
  const child = spawn(process.execPath, ["--", BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ONEOFF_AUDIT_LOG: auditLog },
    stdio,
  });
  closeSync(full);
  let stdout = "";
  let stderr = "";
  if (streams.stdout === "gone") child.stdout?.destroy();
  else if (streams.stdout === "after-first-chunk") {
    child.stdout?.once("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      child.stdout?.destroy();
    });
  } else child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last audit line: how the last run ended. */
function lastAuditEnd(): { outcome: string; exitCode: number; runId: string; error?: string } {
  const lines = readFileSync(auditLog, "utf8").trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as { outcome: string; exitCode: number; runId: string; error?: string };
}

/** No container of that run left, by its run label. */
function expectRunGone(runId: string): void {
  expect(docker("ps", "-aq", "--filter", `label=io.oneoff.run=${runId}`)).toBe("");
}

/** A container labelled as one of app `app`'s one-offs, running `script` detached: what logs reads. */
function startOneOffContainer(app: string, script: string): string {
  return docker("run", "-d", "--label", "io.oneoff.managed=true", "--label", `io.oneoff.app=${app}`, IMAGE, "sh", "-c", script);
}

/** 30 s of output, 1000 lines every 0.1 s, unless it is stopped. */
// Lines for as long as it runs: a one-off that is not stopped outlives the test's own timeout,
// which is the failure (no bound on the clock, which a loaded machine would overrun).
const LINES_UNTIL_STOPPED = "while true; do seq 1 1000; sleep 0.1; done";
// The same, stopping at once on SIGTERM.
const CHATTY = ["sh", "-c", `trap 'exit 143' TERM; ${LINES_UNTIL_STOPPED}`];
const CHATTY_ON_STDERR = ["sh", "-c", "trap 'exit 143' TERM; while true; do seq 1 1000 >&2; sleep 0.1; done"];

describe("a write error on the command's output", () => {
  it("stops the one-off, removes it, says which stream failed and why, and exits 125 (stdout on a full disk)", async () => {
    const result = await spawnOneoff(["run", "-q", "--release", IMAGE, "--", ...CHATTY], { stdout: "full" });
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\); stopping the one-off/),
    ]);
    const ended = lastAuditEnd();
    expect(ended).toMatchObject({ outcome: "output-failed", exitCode: 125, error: expect.stringMatching(/stdout.*ENOSPC/) });
    expectRunGone(ended.runId);
  });

  it("exits 125 when the command's output is short and it has already exited (seq 1 200000 > /dev/full)", async () => {
    const result = await spawnOneoff(["run", "-q", "--release", IMAGE, "--", "seq", "1", "200000"], { stdout: "full" });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\)/);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(lastAuditEnd()).toMatchObject({ outcome: "output-failed", exitCode: 125 });
    expectRunGone(lastAuditEnd().runId);
  });

  it("does the same for stderr on a full disk", async () => {
    const result = await spawnOneoff(["run", "-q", "--release", IMAGE, "--", ...CHATTY_ON_STDERR], { stderr: "full" });
    expect(result.code).toBe(125);
    const ended = lastAuditEnd();
    expect(ended).toMatchObject({ outcome: "output-failed", exitCode: 125, error: expect.stringMatching(/stderr.*ENOSPC/) });
    expectRunGone(ended.runId);
  });

  it("exits 125 with one line when the --json document cannot be written", async () => {
    const result = await spawnOneoff(["run", "-q", "--json", "--release", IMAGE, "--", "true"], { stdout: "full" });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\)\n$/);
  });

  describe("oneoff release", () => {
    const app = `brk${Math.random().toString(16).slice(2, 8)}`;
    afterAll(() => {
      for (const volume of docker("volume", "ls", "-q", "--filter", `label=io.oneoff.ledger.app=${app}`).split("\n").filter(Boolean))
        docker("volume", "rm", volume);
    });

    it("records a release whose output could not be written as failed, not done: the next release runs it again", async () => {
      const dir = mkdtempSync(path.join(work, "release-"));
      writeFileSync(
        path.join(dir, "oneoff.yaml"),
        `app: ${app}\nimage: ${IMAGE}\nrelease_task: migrate\ntasks:\n  migrate:\n    command: [seq, "1", "200000"]\n`,
      );
      const result = await spawnOneoff(["release", "-q", "--no-check"], { stdout: "full" }, { cwd: dir });
      expect(result.code).toBe(125);
      expect(result.stderr).toMatch(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\)/);
      expect(lastAuditEnd()).toMatchObject({ outcome: "output-failed", exitCode: 125 });
      const status = await spawnOneoff(["release", "--status", "--json"], {}, { cwd: dir });
      const { records } = documentOf<{ records: Array<{ outcome: string; exitCode: number }> }>("ledger", Buffer.from(status.stdout));
      expect(records).toEqual([expect.objectContaining({ outcome: "failed", exitCode: 125 })]);
    });
  });

  it("makes logs and logs -f exit 125 with one line", async () => {
    const id = startOneOffContainer("broken-output", "seq 1 100000; sleep 300");
    try {
      for (const follow of [[], ["-f"]]) {
        const result = await spawnOneoff(["logs", ...follow, id], { stdout: "full" });
        expect(result.code).toBe(125);
        expect(result.stderr).toMatch(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\)\n$/);
      }
    } finally {
      docker("rm", "-f", id);
    }
  });
});

describe("a write error on a Swarm job's output", () => {
  it("stops the job, removes its service, and exits 125", async () => {
    const result = await spawnOneoff(
      ["run", "-q", "--engine", "swarm", "--constraint", "node.role==manager", "--release", IMAGE, "--", ...CHATTY],
      { stdout: "full" },
    );
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: could not write to stdout: no space left on device \(ENOSPC\); stopping the one-off/);
    const ended = lastAuditEnd();
    expect(ended).toMatchObject({ outcome: "output-failed", exitCode: 125 });
    expect(jobServices()).toEqual([]);
    expectRunGone(ended.runId);
  });
});

describe("a reader that goes away", () => {
  it("ends the one-off soon: stopped, removed, exit 141, at most one line and no stack trace", async () => {
    // PID 1 ignores SIGTERM here (no trap): SIGKILL follows after --stop-timeout.
    const command = ["sh", "-c", LINES_UNTIL_STOPPED];
    const result = await spawnOneoff(["run", "--stop-timeout", "2", "--release", IMAGE, "--", ...command], { stdout: "after-first-chunk" });
    expect(result.stdout).toMatch(/^1\n/);
    expect(result.code).toBe(141);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:|EPIPE.*\n.*EPIPE/);
    expect(
      result.stderr
        .trimEnd()
        .split("\n")
        .filter((line) => /EPIPE|reader/.test(line)),
    ).toHaveLength(1);
    const ended = lastAuditEnd();
    expect(ended).toMatchObject({ outcome: "output-failed", exitCode: 141 });
    expectRunGone(ended.runId);
  });

  it("ends logs -f soon, quietly, exit 141", async () => {
    const id = startOneOffContainer("broken-output", LINES_UNTIL_STOPPED);
    try {
      const result = await spawnOneoff(["logs", "-f", id], { stdout: "after-first-chunk" });
      expect(result.code).toBe(141);
      expect(result.stderr).toBe("");
    } finally {
      docker("rm", "-f", id);
    }
  });
});

describe("oneoff's own output into a pipe whose reader has gone", () => {
  const app = mkdtempSync(path.join(work, "app-"));
  writeFileSync(path.join(app, "oneoff.yaml"), `app: brokenpipe\nimage: ${IMAGE}\ntasks:\n  migrate:\n    command: [echo, hi]\n`);

  it.each([["--help"], ["run", "--help"], ["help", "run"], ["ps", "--help"], ["--version"]])(
    "%s exits 0 and says nothing",
    async (...args) => {
      const result = await spawnOneoff(args, { stdout: "gone" }, { cwd: app });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it.each([["ps", "-a"], ["history", "--all-apps"], ["tasks"], ["completion", "bash"], ["release", "--status"], ["ps", "--json"]])(
    "%s %s exits 141 and says nothing",
    async (...args) => {
      // Something to list, for ps, history and release --status.
      writeFileSync(
        auditLog,
        `${JSON.stringify({ startedAt: new Date().toISOString(), by: "a@b", app: "brokenpipe", releaseReference: IMAGE, command: ["x"], event: "start" })}\n`,
        { flag: "a" },
      );
      const result = await spawnOneoff(args, { stdout: "gone" }, { cwd: app });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(141);
    },
  );

  it("logs and diff --all exit 141 and say nothing", async () => {
    const id = startOneOffContainer("brokenpipe", "seq 1 10; sleep 30");
    try {
      for (const args of [
        ["logs", id],
        ["diff", "--all", "--release", IMAGE, `container:${id}`],
      ]) {
        const result = await spawnOneoff(args, { stdout: "gone" }, { cwd: app });
        // diff says on stderr whether they match; nothing of the pipe.
        expect(result.stderr).toEqual(args[0] === "diff" ? expect.stringMatching(/^oneoff: the one-off matches [^\n]+\n$/) : "");
        expect(result.code).toBe(141);
      }
    } finally {
      docker("rm", "-f", id);
    }
  });
});
