import { describe, expect, it } from "vitest";
import { PullTally } from "../../src/release/pull-tally.js";

describe("a pull's progress, added up from the engine's events", () => {
  it("counts layers done and bytes fetched of the bytes known", () => {
    const tally = new PullTally();
    tally.add({ status: "Pulling from oneoff-test/pullme", id: "v1" });
    tally.add({ id: "aaaaaaaaaaaa", status: "Already exists" });
    tally.add({ id: "bbbbbbbbbbbb", status: "Pulling fs layer" });
    tally.add({ id: "cccccccccccc", status: "Pulling fs layer" });
    tally.add({ id: "bbbbbbbbbbbb", status: "Downloading", current: 2 * 2 ** 20, total: 8 * 2 ** 20 });
    tally.add({ id: "cccccccccccc", status: "Downloading", current: 2 ** 20, total: 4 * 2 ** 20 });
    expect(tally.summary()).toBe("1/3 layers, 3.0 MiB of 12.0 MiB");
    tally.add({ id: "bbbbbbbbbbbb", status: "Download complete" });
    tally.add({ id: "bbbbbbbbbbbb", status: "Extracting", current: 2 ** 20, total: 8 * 2 ** 20 });
    expect(tally.summary()).toBe("1/3 layers, 9.0 MiB of 12.0 MiB");
    tally.add({ id: "bbbbbbbbbbbb", status: "Pull complete" });
    tally.add({ id: "cccccccccccc", status: "Downloading", current: 4 * 2 ** 20, total: 4 * 2 ** 20 });
    tally.add({ id: "cccccccccccc", status: "Pull complete" });
    expect(tally.summary()).toBe("3/3 layers, 12.0 MiB of 12.0 MiB");
    expect(tally.bytes()).toBe(12 * 2 ** 20);
  });

  it("says only the layers when no sizes are known", () => {
    const tally = new PullTally();
    tally.add({ id: "aaaaaaaaaaaa", status: "Already exists" });
    expect(tally.summary()).toBe("1/1 layers");
  });
});

describe("a pull's lines per layer", () => {
  it("shows each layer's latest status and the engine's bar, in the order the layers came", () => {
    const tally = new PullTally();
    tally.add({ status: "Pulling from oneoff-test/pullme", id: "v1" });
    tally.add({ id: "aaaaaaaaaaaa", status: "Pulling fs layer" });
    tally.add({ id: "bbbbbbbbbbbb", status: "Already exists" });
    tally.add({ id: "aaaaaaaaaaaa", status: "Downloading", progress: "[==>     ]  1.2MB/4.5MB", current: 1_200_000, total: 4_500_000 });
    expect(tally.layerLines()).toEqual(["aaaaaaaaaaaa: Downloading [==>     ]  1.2MB/4.5MB", "bbbbbbbbbbbb: Already exists"]);
    tally.add({ id: "aaaaaaaaaaaa", status: "Pull complete" });
    expect(tally.layerLines()).toEqual(["aaaaaaaaaaaa: Pull complete", "bbbbbbbbbbbb: Already exists"]);
  });
});
