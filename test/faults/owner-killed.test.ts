/**
 * Promise: an attached one-off never outlives oneoff, even when oneoff gets no chance to
 * clean up (SIGKILL). The watchdog removes it; this measures how fast.
 */
import { describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers, ownerLabel, waitForOutput } from "../integration/helpers.js";

expectNoLeftovers();

/** Bound stated in the README: gone within 5 s of SIGKILL on a local engine. */
const REMOVED_WITHIN_MS = 5_000;

async function killDuringRun(args: string[]): Promise<{ elapsedMs: number; signal: NodeJS.Signals | null }> {
  let killedAt = 0;
  const result = await oneoff(args, {
    onSpawn: (child) => {
      void waitForOutput(child, (text) => text.includes("ready")).then(() => {
        expect(oneOffContainers()).toHaveLength(1);
        killedAt = Date.now();
        child.kill("SIGKILL");
      });
    },
  });
  await eventually(() => (oneOffContainers().length === 0 ? true : undefined), REMOVED_WITHIN_MS);
  return { elapsedMs: Date.now() - killedAt, signal: result.signal };
}

describe("oneoff killed with SIGKILL", () => {
  it("has its running one-off removed by the watchdog within the stated bound", async () => {
    const { elapsedMs, signal } = await killDuringRun(["run", "-q", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 60"]);
    expect(signal).toBe("SIGKILL");
    expect(elapsedMs).toBeLessThan(REMOVED_WITHIN_MS);
  });

  it("has an interactive (-i) one-off whose stdin is still open removed too", async () => {
    const { signal } = await killDuringRun(["run", "-q", "-i", "--release", IMAGE, "--", "sh", "-c", "echo ready; cat >/dev/null; sleep 60"]);
    expect(signal).toBe("SIGKILL");
  });
});

describe("orphans of dead owners", () => {
  it("are reaped by oneoff cleanup, which leaves live owners' and unlabelled containers alone", async () => {
    // An orphan: an owner PID on this host that no longer runs (PID 2^22 is above pid_max's default).
    const orphan = docker("create", "--label", "io.oneoff.managed=true", "--label", `io.oneoff.owner=${ownerLabel(4194303)}`, IMAGE, "true");
    // A live owner: this test process.
    const live = docker("create", "--label", "io.oneoff.managed=true", "--label", `io.oneoff.owner=${ownerLabel(process.pid)}`, IMAGE, "true");
    // Another host's one-off: nothing here can tell whether its owner lives.
    const remote = docker("create", "--label", "io.oneoff.managed=true", "--label", "io.oneoff.owner=elsewhere.example:1:1", IMAGE, "true");
    // Not oneoff's at all.
    const stranger = docker("create", "--label", `io.oneoff.owner=${ownerLabel(4194303)}`, IMAGE, "true");
    try {
      const result = await oneoff(["cleanup"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(orphan.slice(0, 12));
      const present = (id: string) => docker("ps", "-aq", "--no-trunc", "--filter", `id=${id}`) !== "";
      expect(present(orphan)).toBe(false);
      expect(present(live)).toBe(true);
      expect(present(remote)).toBe(true);
      expect(present(stranger)).toBe(true);
    } finally {
      docker("rm", "-f", live, remote, stranger);
      try {
        docker("rm", "-f", orphan);
      } catch {
        // removed by the cleanup, as expected
      }
    }
  });
});
