import { describe, expect, it } from "vitest";
import { toRunOptions } from "../../src/pipeline/library-options.js";
import { flagLayer } from "../../src/plan/flags.js";

describe("the library's options: values where the CLI takes strings", () => {
  it("take env and labels as maps, sizes as bytes, durations as milliseconds", () => {
    const options = toRunOptions({
      env: { RAILS_ENV: "production", EMPTY: "" },
      label: { team: "payments" },
      memory: 512 * 2 ** 20,
      cpus: 1.5,
      shmSize: 96 * 2 ** 20,
      timeout: 600_000,
      keepFor: "1h",
      waitLock: 30_000,
    });
    expect(options).toEqual({
      env: ["RAILS_ENV=production", "EMPTY="],
      label: ["team=payments"],
      memory: String(512 * 2 ** 20),
      cpus: "1.5",
      shmSize: String(96 * 2 ** 20),
      timeout: 600_000,
      keepFor: 3_600_000,
      waitLock: 30_000,
    });
    // What the pipeline reads from them is what was meant.
    expect(flagLayer(options, {}, "/").settings).toMatchObject({
      env: { RAILS_ENV: "production", EMPTY: "" },
      label: { team: "payments" },
      memory: 512 * 2 ** 20,
      cpus: 1_500_000_000,
      shmSize: 96 * 2 ** 20,
    });
  });

  it("still take the CLI's strings", () => {
    expect(toRunOptions({ env: ["A=1"], memory: "512m", timeout: "10m", waitLock: true })).toEqual({
      env: ["A=1"],
      memory: "512m",
      timeout: 600_000,
      waitLock: true,
    });
    // --timeout none (or 0) lifts the app's timeout: read once, here, as "none".
    expect(toRunOptions({ timeout: "none" }).timeout).toBe("none");
    expect(toRunOptions({ timeout: "0" }).timeout).toBe("none");
  });
});
