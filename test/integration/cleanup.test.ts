/**
 * What `oneoff cleanup` removes, asserted to the container: a file of the serial project
 * (vitest.config.ts), since any other run's watchdog reaps what is due on the engine, and a
 * file running beside this one could reap these one-offs before cleanup names them.
 */
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, oneoff, until } from "./helpers.js";

expectNoLeftovers();

describe("a detached one-off", () => {
  it("is removed by cleanup once its keep time after ending has passed, not before", async () => {
    const kept = (await oneoff(["run", "-d", "--keep-for", "1h", "--release", IMAGE, "--", "true"])).stdout.toString().trim();
    const short = (await oneoff(["run", "-d", "--keep-for", "1s", "--release", IMAGE, "--", "true"])).stdout.toString().trim();
    try {
      await oneoff(["wait", short]);
      // Its keep time runs from when it ended: cleanup's dry run names it once that has passed.
      await until(async () => ((await oneoff(["cleanup", "--dry-run"])).stderr.includes(short.slice(0, 12)) ? true : undefined));
      const cleanup = await oneoff(["cleanup"]);
      expect(cleanup.stderr).toContain(`(${short.slice(0, 12)}), kept past its time`);
      expect(docker("ps", "-aq", "--no-trunc", "--filter", `id=${short}`)).toBe("");
      expect(docker("ps", "-aq", "--no-trunc", "--filter", `id=${kept}`)).toBe(kept);
    } finally {
      docker("rm", "-f", kept);
      if (docker("ps", "-aq", "--filter", `id=${short}`)) docker("rm", "-f", short);
    }
  });
});
