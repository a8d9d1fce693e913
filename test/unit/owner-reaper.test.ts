import { describe, expect, it } from "vitest";
import type { ContainerSummary } from "../../src/engine/types.js";
import { currentOwner, formatOwner, ownerAlive, parseOwner, processStartTime, type Owner } from "../../src/lifecycle/owner.js";
import { findOrphans } from "../../src/lifecycle/reaper.js";

describe("owner labels", () => {
  it.each([
    ["vm:123:456", { host: "vm", pid: 123, start: 456 }],
    ["build-7.example.com:99", { host: "build-7.example.com", pid: 99, start: undefined }],
  ])("parses %s", (text, owner) => {
    expect(parseOwner(text)).toEqual(owner);
    expect(formatOwner(owner as Owner)).toBe(text);
  });

  it.each(["", "vm", "vm:", "vm:abc", ":12", undefined])("refuses %s", (text) => {
    expect(parseOwner(text)).toBeUndefined();
  });

  it("describes this process with its start time, which tells it apart from a reused PID", () => {
    const owner = currentOwner();
    expect(owner.pid).toBe(process.pid);
    expect(owner.start).toBe(processStartTime(process.pid));
    expect(ownerAlive(owner)).toBe(true);
    expect(ownerAlive({ ...owner, start: (owner.start ?? 0) + 1 })).toBe(false);
  });

  it.each([
    ["a PID that does not exist", { host: "h", pid: 7, start: 1 }, () => false, () => 1, false],
    ["a PID reused by another process", { host: "h", pid: 7, start: 1 }, () => true, () => 2, false],
    ["the same process", { host: "h", pid: 7, start: 1 }, () => true, () => 1, true],
    ["an owner without a start time whose PID exists", { host: "h", pid: 7, start: undefined }, () => true, () => 1, true],
    ["an owner on another host", { host: "elsewhere", pid: 7, start: 1 }, () => false, () => undefined, true],
  ] as Array<[string, Owner, () => boolean, () => number | undefined, boolean]>)("%s", (_, owner, exists, startOf, alive) => {
    expect(ownerAlive(owner, "h", startOf, exists)).toBe(alive);
  });
});

describe("findOrphans", () => {
  const container = (labels: Record<string, string>): ContainerSummary => ({ id: Math.random().toString(16).slice(2), name: "c", labels, state: "running" });
  it("picks oneoff's containers whose owner is gone, and nothing else", () => {
    const dead = container({ "io.oneoff.managed": "true", "io.oneoff.owner": "h:1:1" });
    const live = container({ "io.oneoff.managed": "true", "io.oneoff.owner": "h:2:1" });
    const unmarked = container({ "io.oneoff.owner": "h:1:1" });
    const ownerless = container({ "io.oneoff.managed": "true" });
    const notTrue = container({ "io.oneoff.managed": "false", "io.oneoff.owner": "h:1:1" });
    expect(findOrphans([dead, live, unmarked, ownerless, notTrue], (owner) => owner.pid !== 1)).toEqual([dead]);
  });
});
