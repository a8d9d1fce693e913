/**
 * Promise: whatever the command does (runs out of memory, is killed, closes stdout early,
 * writes faster than anyone reads), oneoff reports it truly, loses nothing and stays small.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers, waitForOutput } from "../integration/helpers.js";

expectNoLeftovers();

const MiB = 1024 * 1024;

describe("command faults", () => {
  it("reports an OOM kill as such, with exit 137", async () => {
    // Holding 64 MB in a shell variable under an 8 MiB limit: the kernel's OOM killer ends it.
    const result = await oneoff([
      "run",
      "-m",
      "8m",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "a=$(head -c 64000000 /dev/zero | tr '\\000' x); echo survived",
    ]);
    expect(result.code).toBe(137);
    expect(result.stdout.toString()).toBe("");
    expect(result.stderr).toMatch(
      /^oneoff: the one-off was killed for running out of memory \(its limit is 8 MiB\): raise --memory \/ memory:/m,
    );
  });

  it("passes 137 through, without blaming memory, when something else kills the command", async () => {
    const result = await oneoff(["run", "-l", "test.case=killed", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 60"], {
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("ready")).then(async () => {
          const id = await eventually(() => docker("ps", "-q", "--filter", "label=test.case=killed") || undefined);
          docker("kill", id);
        }),
    });
    expect(result.code).toBe(137);
    expect(result.stderr).not.toMatch(/memory/);
  });

  it("keeps stderr and the exit code when the command closes stdout early", async () => {
    const result = await oneoff([
      "run",
      "-q",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "echo before; exec >&-; sleep 0.5; echo after-close >&2; exit 4",
    ]);
    expect(result.code).toBe(4);
    expect(result.stdout.toString()).toBe("before\n");
    expect(result.stderr).toBe("after-close\n");
  });

  it("loses nothing and stays small when output comes far faster than it is read", async () => {
    const size = 256 * MiB;
    let peakRssKiB = 0;
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "head", "-c", String(size), "/dev/zero"], {
      onSpawn: (child) => {
        // VmHWM is the kernel's own peak: sampling it often enough to see the peak is not needed,
        // only reading it once more before the process is gone.
        const sample = setInterval(() => {
          try {
            const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
            peakRssKiB = Math.max(peakRssKiB, peak);
          } catch {
            clearInterval(sample);
          }
        }, 200);
        // Read nothing for 3 s (the container could write all 256 MiB meanwhile), then all of it.
        child.stdout?.pause();
        setTimeout(() => child.stdout?.resume(), 3000);
        child.once("close", () => clearInterval(sample));
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(size);
    // Node alone is ~50 MiB; buffering the output would take 256 MiB more.
    expect(peakRssKiB).toBeGreaterThan(0);
    expect(peakRssKiB / 1024).toBeLessThan(120);
  });
});
