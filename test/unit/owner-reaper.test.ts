import { describe, expect, it } from "vitest";
import type { ContainerSummary } from "../../src/engine/types.js";
import {
  currentOwner,
  currentPlace,
  formatOwner,
  ownerAlive,
  ownerLiveness,
  parseOwner,
  processStartTime,
  type Liveness,
  type Owner,
  type Vantage,
} from "../../src/lifecycle/owner.js";
import { findOrphans } from "../../src/lifecycle/reaper.js";

describe("owner labels", () => {
  const place = { boot: "0123456789ab", pidNamespace: 4026531836, machine: "ba9876543210" };
  it.each([
    ["vm:123:456:0123456789ab.4026531836.ba9876543210", { host: "vm", pid: 123, start: 456, place }],
    [
      "vm:123:456:0123456789ab.4026532999.-",
      { host: "vm", pid: 123, start: 456, place: { ...place, pidNamespace: 4026532999, machine: undefined } },
    ],
    ["vm:123:456", { host: "vm", pid: 123, start: 456 }],
    ["build-7.example.com:99", { host: "build-7.example.com", pid: 99, start: undefined }],
  ])("parses %s", (text, owner) => {
    expect(parseOwner(text)).toEqual(owner);
    expect(formatOwner(owner as Owner)).toBe(text);
  });

  it.each(["", "vm", "vm:", "vm:abc", ":12", "vm:1:2:nothex.1.-", "vm:1:2:0123456789ab.x.-", undefined])("refuses %s", (text) => {
    expect(parseOwner(text)).toBeUndefined();
  });

  it("describes this process with its start time and its place (boot, PID namespace, machine)", () => {
    const owner = currentOwner();
    expect(owner.pid).toBe(process.pid);
    expect(owner.start).toBe(processStartTime(process.pid));
    expect(owner.place).toEqual(currentPlace());
    expect(owner.place?.boot).toMatch(/^[0-9a-f]{12}$/);
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
    expect(ownerLiveness(owner)).toBe("alive");
    expect(ownerLiveness({ ...owner, start: (owner.start ?? 0) + 1 })).toBe("dead");
  });

  const here = (overrides: Partial<Vantage> = {}): Vantage => ({ host: "h", place, startOf: () => 1, exists: () => true, ...overrides });
  it.each([
    ["a PID that does not exist", { host: "h", pid: 7, start: 1, place }, here({ exists: () => false }), "dead"],
    ["a PID reused by another process", { host: "h", pid: 7, start: 1, place }, here({ startOf: () => 2 }), "dead"],
    ["the same process", { host: "h", pid: 7, start: 1, place }, here(), "alive"],
    [
      "an owner in another PID namespace of this kernel (a container with the same host name)",
      { host: "h", pid: 7, start: 1, place: { ...place, pidNamespace: 4026532001 } },
      here({ exists: () => false }),
      "unknown",
    ],
    [
      "an owner on another machine with the same host name",
      { host: "h", pid: 7, start: 1, place: { boot: "fedcba987654", pidNamespace: 4026531836, machine: "0000aaaa1111" } },
      here({ exists: () => false }),
      "unknown",
    ],
    [
      "an owner of this machine before it restarted",
      { host: "h", pid: 7, start: 1, place: { ...place, boot: "fedcba987654" } },
      here(),
      "dead",
    ],
    [
      "an owner of an earlier boot in a container's namespace (clones share machine IDs)",
      { host: "h", pid: 7, start: 1, place: { ...place, boot: "fedcba987654", pidNamespace: 4026532001 } },
      here({ place: { ...place, pidNamespace: 4026532001 } }),
      "unknown",
    ],
    [
      "an earlier boot without a machine ID",
      { host: "h", pid: 7, start: 1, place: { ...place, boot: "fedcba987654", machine: undefined } },
      here({ place: { ...place, machine: undefined } }),
      "unknown",
    ],
    [
      "a label without a place (an older oneoff), judged where places are known",
      { host: "h", pid: 7, start: 1 },
      here({ exists: () => false }),
      "unknown",
    ],
    [
      "a label without a place where neither side knows one (no /proc)",
      { host: "h", pid: 7, start: undefined },
      here({ place: undefined, exists: () => false }),
      "dead",
    ],
    [
      "an owner on another host",
      { host: "elsewhere", pid: 7, start: 1, place: { ...place, boot: "fedcba987654" } },
      here({ exists: () => false }),
      "unknown",
    ],
  ] as Array<[string, Owner, Vantage, Liveness]>)("%s", (_, owner, vantage, liveness) => {
    expect(ownerLiveness(owner, vantage)).toBe(liveness);
    expect(ownerAlive(owner, vantage)).toBe(liveness !== "dead");
  });
});

describe("findOrphans", () => {
  const container = (labels: Record<string, string>): ContainerSummary => ({
    id: Math.random().toString(16).slice(2),
    name: "c",
    labels,
    state: "running",
  });
  it("picks oneoff's containers whose owner is gone, and nothing else", () => {
    const dead = container({ "io.oneoff.managed": "true", "io.oneoff.owner": "h:1:1" });
    const live = container({ "io.oneoff.managed": "true", "io.oneoff.owner": "h:2:1" });
    const unmarked = container({ "io.oneoff.owner": "h:1:1" });
    const ownerless = container({ "io.oneoff.managed": "true" });
    const notTrue = container({ "io.oneoff.managed": "false", "io.oneoff.owner": "h:1:1" });
    expect(findOrphans([dead, live, unmarked, ownerless, notTrue], (owner) => owner.pid !== 1)).toEqual([dead]);
  });
});
