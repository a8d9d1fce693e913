/**
 * Promise: an attached one-off never outlives oneoff, even when oneoff gets no chance to
 * clean up (SIGKILL). The watchdog removes it; this measures how fast. And `oneoff cleanup`
 * (or a later run's watchdog) removes exactly the orphans whose owner is surely gone.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { currentPlace, parseOwner } from "../../src/lifecycle/owner.js";
import {
  BIN,
  docker,
  eventually,
  expectNoLeftovers,
  FILE_RUN_LABEL,
  IMAGE,
  oneoff,
  oneOffContainers,
  waitForOutput,
  containerExists,
  createdOneOff,
  processesWithEnvironment,
} from "../integration/helpers.js";
import { PrivatePidNamespace } from "./private-pid-namespace.js";

expectNoLeftovers();

/**
 * A deadline for "never", not a speed claim: how fast the watchdog acts is measured where
 * speed belongs (npm run bench, docs/benchmarks.md); here it only has to happen.
 */
const REMOVED_WITHIN_MS = 30_000;

// The owners of this file's one-offs and orphans live in a PID namespace of its own, which only
// a oneoff run inside it can judge: the reaps of the files running beside this one (their
// watchdogs, their cleanups) leave them alone, so what removes them here is what the test says
// (private-pid-namespace.ts). Its cleanups are scoped to this file's one-offs (--filter), so
// they leave those files' alone in turn.
let space: PrivatePidNamespace;
beforeAll(async () => {
  space = await PrivatePidNamespace.open();
});
afterAll(() => space?.close());

async function killDuringRun(args: string[]): Promise<{ signal: NodeJS.Signals | null }> {
  // In the environment of oneoff and so of its watchdog, to wait for the watchdog's end too:
  // after removing the one-off it may reap orphans, which would race the tests below that
  // make orphans for oneoff cleanup to find.
  const token = `owner-killed-${randomBytes(6).toString("hex")}`;
  const result = await space.oneoff(args, {
    env: { ONEOFF_TEST_TOKEN: token },
    onSpawn: (child) => {
      void waitForOutput(child, (text) => text.includes("ready")).then(() => {
        expect(oneOffContainers()).toHaveLength(1);
        // oneoff itself, nsenter's child: nsenter dies of the signal its child died of.
        process.kill(space.childOf(child), "SIGKILL");
      });
    },
  });
  await eventually(() => (oneOffContainers().length === 0 ? true : undefined), REMOVED_WITHIN_MS);
  await eventually(() => (processesWithEnvironment(token).length === 0 ? true : undefined), REMOVED_WITHIN_MS);
  return { signal: result.signal };
}

describe("oneoff killed with SIGKILL", () => {
  it("has its running one-off removed by the watchdog", async () => {
    const { signal } = await killDuringRun(["run", "-q", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 60"]);
    expect(signal).toBe("SIGKILL");
  });

  it("has an interactive (-i) one-off whose stdin is still open removed too", async () => {
    const { signal } = await killDuringRun([
      "run",
      "-q",
      "-i",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "echo ready; cat >/dev/null; sleep 60",
    ]);
    expect(signal).toBe("SIGKILL");
  });
});

describe("orphans of dead owners", () => {
  const cleanupInside = (...args: string[]) => space.oneoff(["cleanup", "--filter", `label=${FILE_RUN_LABEL}`, ...args]);
  /** Cleanup's lines about one-offs (it may add one about run records). */
  const oneOffLines = (stderr: string) => stderr.split("\n").filter((line) => / one-off /.test(line));

  it("are reaped by oneoff cleanup, which leaves live owners' and unlabelled containers alone", async () => {
    // An orphan: an owner PID that no longer runs (PID 2^22 is above pid_max's default).
    const orphan = createdOneOff(space.owner(4194303));
    // A live owner: the namespace's PID 1.
    const live = createdOneOff(space.owner(1));
    // Another host's one-off: nothing here can tell whether its owner lives.
    const remote = createdOneOff("elsewhere.example:1:1");
    // Not oneoff's at all.
    const stranger = docker("create", "--label", `io.oneoff.owner=${space.owner(4194303)}`, "--label", FILE_RUN_LABEL, IMAGE, "true");
    try {
      // What a reap by any other file sees: an owner it cannot judge, left alone.
      const outside = await oneoff(["cleanup", "--dry-run"]);
      expect(outside.code).toBe(0);
      expect(outside.stderr).not.toContain(orphan.slice(0, 12));
      const result = await cleanupInside();
      expect(result.code).toBe(0);
      expect(oneOffLines(result.stderr)).toEqual([expect.stringContaining(`(${orphan.slice(0, 12)}), owner `)]);
      expect(containerExists(orphan)).toBe(false);
      expect(containerExists(live)).toBe(true);
      expect(containerExists(remote)).toBe(true);
      expect(containerExists(stranger)).toBe(true);
    } finally {
      for (const id of [orphan, live, remote, stranger]) if (containerExists(id)) docker("rm", "-f", id);
    }
  });

  it("are reaped only where they carry the labels cleanup --filter names", async () => {
    const otherRun = `oneoff.test-run=another-${randomBytes(6).toString("hex")}`;
    const mine = createdOneOff(space.owner(4194303));
    const others = createdOneOff(space.owner(4194303), docker, otherRun);
    try {
      const dryRun = await cleanupInside("--dry-run");
      expect(oneOffLines(dryRun.stderr)).toEqual([expect.stringContaining(`would remove one-off`)]);
      expect(dryRun.stderr).toContain(`(${mine.slice(0, 12)})`);
      const result = await cleanupInside();
      expect(result.code).toBe(0);
      expect(oneOffLines(result.stderr)).toEqual([expect.stringContaining(`(${mine.slice(0, 12)}), owner `)]);
      expect(containerExists(mine)).toBe(false);
      expect(containerExists(others)).toBe(true);
      // Its own run's label, value and all, takes it.
      const theirs = await space.oneoff(["cleanup", "--filter", `label=${otherRun}`]);
      expect(oneOffLines(theirs.stderr)).toEqual([expect.stringContaining(`(${others.slice(0, 12)}), owner `)]);
      expect(containerExists(others)).toBe(false);
    } finally {
      for (const id of [mine, others]) if (containerExists(id)) docker("rm", "-f", id);
    }
  });

  it("reaps one whose owner's PID was reused: the PID runs, but a process started at another time holds it", async () => {
    const reused = createdOneOff(space.owner(1, { startOffset: 1 }));
    const live = createdOneOff(space.owner(1));
    try {
      const result = await cleanupInside();
      expect(result.code).toBe(0);
      expect(oneOffLines(result.stderr)).toEqual([expect.stringContaining(`(${reused.slice(0, 12)}), owner `)]);
      expect(containerExists(reused)).toBe(false);
      expect(containerExists(live)).toBe(true);
    } finally {
      for (const id of [reused, live]) if (containerExists(id)) docker("rm", "-f", id);
    }
  });

  it("leaves alone a live one-off whose owner runs in another PID namespace under the same host name", async () => {
    // oneoff as PID 1 of a PID namespace of its own (as in a container sharing the host's name):
    // its PID means nothing here, and host PID 1 (init) runs with another start time.
    const inside = spawn(
      "unshare",
      [
        "--pid",
        "--fork",
        "--mount-proc",
        process.execPath,
        BIN,
        "run",
        "-q",
        "-i",
        "--release",
        IMAGE,
        "--",
        "sh",
        "-c",
        "echo ready; read go; echo still-here",
      ],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    inside.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    inside.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => inside.once("exit", resolve));
    await eventually(() => (stdout.includes("ready") ? true : undefined), 20_000);
    const owner = docker(
      "ps",
      "--filter",
      "label=io.oneoff.managed=true",
      "--filter",
      `label=${FILE_RUN_LABEL}`,
      "--format",
      '{{.Label "io.oneoff.owner"}}',
    )
      .split("\n")
      .find((label) => /^[^:]+:1:/.test(label));
    expect(owner, "the one-off's owner is PID 1 of its namespace").toBeDefined();
    expect(parseOwner(owner)?.place?.pidNamespace).not.toBe(currentPlace()?.pidNamespace);
    // From outside that namespace, scoped to this file's one-offs: the owner is not one it can judge.
    const cleaned = await oneoff(["cleanup", "--filter", `label=${FILE_RUN_LABEL}`]);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stderr).toBe("oneoff: nothing to clean up\n");
    inside.stdin.end("go\n");
    expect(await exited).toBe(0);
    expect(stdout).toBe("ready\nstill-here\n");
    expect(stderr).toBe("");
  }, 60_000);

  it("are reaped by the watchdog of a later run, which leaves its stamp in the user's state folder", async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), "oneoff-reap-state-"));
    const orphan = createdOneOff(space.owner(4194303));
    try {
      // Run in the namespace: only its watchdog can judge the orphan's owner.
      const result = await space.oneoff(["run", "-q", "--release", IMAGE, "--", "true"], { env: { XDG_STATE_HOME: state } });
      expect(result.code).toBe(0);
      // The watchdog reaps after oneoff is done: wait for that, not for a time.
      await eventually(() => (containerExists(orphan) ? undefined : true), 30_000);
      // The stamp is written once the reap has run, a moment after the orphan is gone.
      const stamps = () => readdirSync(path.join(state, "oneoff")).filter((name) => name.startsWith("reaped-"));
      await eventually(() => (stamps().length > 0 ? true : undefined), 30_000);
      expect(stamps()).toHaveLength(1);
    } finally {
      if (containerExists(orphan)) docker("rm", "-f", orphan);
    }
  });
});
