import { describe, expect, it } from "vitest";
import type { ContainerDetails } from "../../src/engine/types.js";
import { auditableCommand } from "../../src/output/redact.js";
import { lastSuccess, recordFromLabels, recordLabels, type LedgerRecord } from "../../src/lifecycle/ledger.js";
import { describeHolder, holdsLock } from "../../src/backends/container/lock.js";
import type { Liveness } from "../../src/lifecycle/owner.js";
import { holdLock, LockHeld } from "../../src/lifecycle/lock.js";
import { NameInUse } from "../../src/engine/types.js";
import { viewOf } from "../../src/backends/container/oneoffs.js";
import { findExpired, findOrphans } from "../../src/lifecycle/reaper.js";
import { findFinishedJobContainers } from "../../src/backends/swarm-job/reaper.js";
import { runDocument } from "../../src/output/run-document.js";

function details(overrides: Partial<ContainerDetails> & { labels?: Record<string, string> }): ContainerDetails {
  return {
    id: "a".repeat(64),
    name: "shop-run-abc",
    state: "running",
    exitCode: 0,
    oomKilled: false,
    tty: false,
    imageId: "sha256:img",
    ...overrides,
    labels: { "io.oneoff.managed": "true", ...overrides.labels },
  };
}

describe("holdsLock", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const alive = (): Liveness => "alive";
  const dead = (): Liveness => "dead";
  const unknown = (): Liveness => "unknown";
  const owned = { "io.oneoff.owner": "h:1:1" };
  const ended = (minutesAgo: number, labels: Record<string, string> = owned, name = "shop-lock-l1") =>
    details({ name, state: "exited", finishedAt: new Date(now.getTime() - minutesAgo * 60_000), labels });
  it.each([
    ["a running holder", details({ state: "running" }), dead, true],
    ["a paused holder", details({ state: "paused" }), dead, true],
    ["a created holder whose owner lives (between create and start)", details({ state: "created", labels: owned }), alive, true],
    ["a created holder whose owner died", details({ state: "created", labels: owned }), dead, false],
    ["an exited holder whose owner lives (still copying out, writing the ledger)", ended(1), alive, true],
    ["an exited holder whose owner died", ended(1), dead, false],
    ["an exited holder whose owner is elsewhere, ended 5 minutes ago", ended(5), unknown, true],
    ["an exited holder whose owner is elsewhere, ended 20 minutes ago", ended(20), unknown, false],
    ["a finished detached one-off, kept (its owner lives)", ended(1, { ...owned, "io.oneoff.detached": "true" }), alive, false],
    ["a terminal session detached with the keys, then ended", ended(1, owned, "shop-lock-l1-detached"), alive, false],
    ["an exited holder without an owner label", ended(1, {}), alive, false],
    ["a dead holder whose owner died", details({ state: "dead", labels: owned }), dead, false],
  ] as Array<[string, ContainerDetails, () => Liveness, boolean]>)("%s", (_, holder, livenessOf, held) => {
    expect(holdsLock(holder, livenessOf, now)).toBe(held);
  });

  it("names who holds it, since when, and the container", () => {
    expect(
      describeHolder(
        details({
          labels: { "io.oneoff.task": "migrate", "io.oneoff.started-by": "ann@ci", "io.oneoff.started-at": "2026-01-02T03:04:05.000Z" },
        }),
      ),
    ).toBe("task migrate started by ann@ci at 2026-01-02T03:04:05.000Z, container aaaaaaaaaaaa");
  });
});

describe("findFinishedJobContainers", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  // A Swarm job's task container: its job's name, no one-off marker.
  const jobContainer = (state: string, finishedAt: string, keepFor?: string) =>
    ({
      ...details({ state, finishedAt: new Date(finishedAt) }),
      labels: { "io.oneoff.job": "shop-run-abc123", ...(keepFor ? { "io.oneoff.keep-for": keepFor } : {}) },
    }) as ContainerDetails;
  it("picks job containers that ended more than 10 s ago (a detached job's: its keep-for), nothing running, nothing else", () => {
    const ended = jobContainer("exited", "2026-11-25T11:59:49Z");
    const justEnded = jobContainer("exited", "2026-11-25T11:59:55Z");
    const running = jobContainer("running", "2026-11-25T11:00:00Z");
    const keptDetached = jobContainer("exited", "2026-11-25T11:00:00Z", "86400");
    const expiredDetached = jobContainer("dead", "2026-11-24T11:00:00Z", "3600");
    const oneOffContainer = details({ state: "exited", finishedAt: new Date("2026-11-24T00:00:00Z") });
    expect(findFinishedJobContainers([ended, justEnded, running, keptDetached, expiredDetached, oneOffContainer], now)).toEqual([
      ended,
      expiredDetached,
    ]);
  });
});

describe("findExpired", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const detached = (finishedAt: string, keepFor: string, state = "exited") =>
    details({ state, finishedAt: new Date(finishedAt), labels: { "io.oneoff.detached": "true", "io.oneoff.keep-for": keepFor } });
  it("picks detached one-offs that ended longer ago than kept for, and nothing else", () => {
    const expired = detached("2026-11-24T11:00:00Z", "86400");
    const fresh = detached("2026-11-25T11:00:00Z", "86400");
    const running = detached("2026-11-24T11:00:00Z", "86400", "running");
    const attached = details({ state: "exited", finishedAt: new Date("2026-01-01T00:00:00Z") });
    // Without a keep-for label (a session detached with the keys), the default day applies.
    const defaultKeep = details({ name: "shop-run-abc-detached", state: "exited", finishedAt: new Date("2026-11-24T11:59:00Z") });
    const defaultFresh = details({ name: "shop-run-def-detached", state: "exited", finishedAt: new Date("2026-11-24T12:01:00Z") });
    expect(findExpired([expired, fresh, running, attached, defaultKeep, defaultFresh], now)).toEqual([expired, defaultKeep]);
  });

  it("leaves a detached one-off that ran to orphan rules alone, but reaps one that never started", () => {
    const ran = details({ state: "exited", labels: { "io.oneoff.detached": "true", "io.oneoff.owner": "h:1:1" } });
    const neverStarted = details({ state: "created", labels: { "io.oneoff.detached": "true", "io.oneoff.owner": "h:1:1" } });
    expect(findOrphans([ran, neverStarted], () => false)).toEqual([neverStarted]);
  });
});

describe("viewOf", () => {
  it("reads a finished one-off's labels and state into what ps shows", () => {
    const view = viewOf(
      details({
        state: "exited",
        exitCode: 3,
        startedAt: new Date("2026-11-25T10:00:00Z"),
        finishedAt: new Date("2026-11-25T10:00:42Z"),
        labels: {
          "io.oneoff.app": "shop",
          "io.oneoff.task": "migrate",
          "io.oneoff.command": '["rake","db:migrate"]',
          "io.oneoff.release.image-id": "sha256:abc",
          "io.oneoff.detached": "true",
          "io.oneoff.lock": "release",
        },
      }),
    );
    expect(view).toMatchObject({
      app: "shop",
      task: "migrate",
      command: ["rake", "db:migrate"],
      imageId: "sha256:abc",
      exitCode: 3,
      durationMs: 42_000,
      detached: true,
      lock: "release",
    });
  });

  it("has no exit code or duration while running", () => {
    const view = viewOf(details({ state: "running" }));
    expect(view.exitCode).toBeUndefined();
    expect(view.durationMs).toBeUndefined();
  });
});

describe("auditableCommand", () => {
  it.each([
    [
      ["psql", "postgres://app:hunter2@db/shop"],
      ["psql", "postgres://app:<redacted>@db/shop"],
    ],
    [
      ["tool", "--password=hunter2", "--user=ann"],
      ["tool", "--password=<redacted>", "--user=ann"],
    ],
    [
      ["env", "API_TOKEN=abc", "PLAIN=1"],
      ["env", "API_TOKEN=<redacted>", "PLAIN=1"],
    ],
    [
      ["echo", "hunter2"],
      ["echo", "hunter2"],
    ],
  ])("%j -> %j", (command, shown) => {
    expect(auditableCommand(command)).toEqual(shown);
  });
});

describe("runDocument", () => {
  it("says how long it took and encodes captured output by whether it is UTF-8", () => {
    const document = runDocument({
      exitCode: 0,
      id: "c",
      kind: "container",
      name: "n",
      imageId: "sha256:i",
      releaseReference: "r",
      app: "a",
      command: ["x", "--token=s"],
      ending: "exited",
      startedAt: new Date(1000),
      endedAt: new Date(3500),
      output: { stdout: Buffer.from("héllo"), stderr: Buffer.from([0xc3]), truncated: true },
    });
    expect(document).toMatchObject({
      durationMs: 2500,
      command: ["x", "--token=<redacted>"],
      output: { stdout: { encoding: "utf8", data: "héllo" }, stderr: { encoding: "base64", data: "ww==" }, truncated: true },
    });
  });
});

describe("the release ledger's records", () => {
  const record = (overrides: Partial<LedgerRecord> = {}): LedgerRecord => ({
    app: "shop",
    imageId: "sha256:aaa",
    task: "migrate",
    outcome: "succeeded",
    exitCode: 0,
    startedAt: "2026-11-25T10:00:00.000Z",
    endedAt: "2026-11-25T10:01:00.000Z",
    by: "ann@ci",
    forced: false,
    ...overrides,
  });

  it("survive the trip through volume labels", () => {
    const original = record({ forced: true, exitCode: 0 });
    expect(recordFromLabels("vol", recordLabels(original))).toEqual({ ...original, volume: "vol" });
    expect(recordFromLabels("vol", { "io.oneoff.ledger.app": "shop" })).toBeUndefined();
  });

  it("count only successes of the same task on the same image ID as done, the latest first", () => {
    const records = [
      record({ outcome: "failed", exitCode: 1, endedAt: "2026-11-25T12:00:00.000Z" }),
      record({ endedAt: "2026-11-25T10:01:00.000Z" }),
      record({ endedAt: "2026-11-25T11:01:00.000Z", forced: true }),
      record({ imageId: "sha256:bbb", endedAt: "2026-11-25T13:00:00.000Z" }),
      record({ task: "seed", endedAt: "2026-11-25T14:00:00.000Z" }),
    ];
    expect(lastSuccess(records, "sha256:aaa", "migrate")?.endedAt).toBe("2026-11-25T11:01:00.000Z");
    expect(lastSuccess(records, "sha256:ccc", "migrate")).toBeUndefined();
    expect(lastSuccess([record({ outcome: "failed", exitCode: 2 })], "sha256:aaa", "migrate")).toBeUndefined();
  });
});

describe("holdLock (the mechanism every backend's lock uses)", () => {
  /** A name the "engine" keeps unique: taken until `freedAfter` creates have been refused. */
  function target(freedAfter: number) {
    let refused = 0;
    return {
      creates: () => refused,
      lock: {
        create: async () => {
          if (refused < freedAfter) {
            refused++;
            throw new NameInUse("shop-lock-l1");
          }
          return "new-id";
        },
        holder: async () => ({ id: "holder" }),
        holds: () => true,
        describe: () => "a one-off started by ann",
        free: async () => {},
      },
    };
  }
  const quiet = { info() {}, warn() {}, status() {}, endStatus() {}, interactive: false };

  it("gives up after --wait-lock's time, saying how long it waited and who holds it", async () => {
    const held = target(Infinity);
    const error = await holdLock({ lock: "l1", waitMs: 300, pollMs: 50, report: quiet }, held.lock).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockHeld);
    expect((error as LockHeld).message).toBe("lock l1 is still held after waiting 300ms, by a one-off started by ann");
    expect(held.creates()).toBeGreaterThan(2);
  });

  it("waits without a limit (--wait-lock alone) until the holder is gone", async () => {
    const held = target(8);
    expect(await holdLock({ lock: "l1", waitMs: Infinity, pollMs: 10, report: quiet }, held.lock)).toBe("new-id");
    expect(held.creates()).toBe(8);
  });

  it("stops waiting when it is cancelled (an interrupt)", async () => {
    let cancelled = false;
    const waiting = holdLock(
      { lock: "l1", waitMs: Infinity, pollMs: 10, report: quiet, cancelled: () => cancelled },
      target(Infinity).lock,
    );
    setTimeout(() => (cancelled = true), 50);
    await expect(waiting).rejects.toThrow("stopped waiting for lock l1");
  });

  it("refuses at once without --wait-lock", async () => {
    await expect(holdLock({ lock: "l1", report: quiet }, target(1).lock)).rejects.toThrow("lock l1 is held by a one-off started by ann");
  });
});
