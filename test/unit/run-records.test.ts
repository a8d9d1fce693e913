import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
import { filterHistory, mergeHistory } from "../../src/lifecycle/history.js";
import type { AuditRecord } from "../../src/lifecycle/audit.js";
import {
  latestPerRun,
  prunedVolumes,
  recordedCommand,
  recordFromLabels,
  recordLabels,
  type RunRecord,
  type StoredRecord,
} from "../../src/lifecycle/run-records.js";
import { OneoffError } from "../../src/output/errors.js";
import { rememberSecretValue } from "../../src/output/redact.js";
import { engineRecorder } from "../../src/lifecycle/audit-and-ledger.js";
import { resolveRunPlan } from "../../src/plan/resolve.js";
import { NameInUse, type ContainerEngine } from "../../src/engine/types.js";
import { settleAndPruneRecords } from "../../src/lifecycle/run-records-engine.js";
import type { RunOptions } from "../../src/types/options.js";
import type { RunResult } from "../../src/types/result.js";

const START: RunRecord = {
  runId: "0123456789abcdef",
  app: "shop",
  environment: "production",
  task: "migrate",
  command: ["rake", "db:migrate"],
  kind: "container",
  releaseReference: "shop:v42",
  imageId: "sha256:abc",
  by: "alice@laptop",
  version: "0.1.0",
  startedAt: "2026-12-07T10:00:00.000Z",
  keep: { count: 1000, ageMs: 30 * 86_400_000 },
};
const ENDED: RunRecord = { ...START, end: { endedAt: "2026-12-07T10:00:05.000Z", ending: "interrupted", exitCode: 130, signal: "SIGINT" } };

describe("run records as volume labels", () => {
  it("reads back what it wrote: a start, and an end with every field", () => {
    expect(recordFromLabels(recordLabels(START))).toEqual(START);
    expect(recordFromLabels(recordLabels(ENDED))).toEqual(ENDED);
    expect(recordLabels(START)["io.oneoff.record"]).toBe("start");
    expect(recordLabels(ENDED)["io.oneoff.record"]).toBe("end");
  });

  it("keeps the run's own labels beside its own, and leaves out what a run did not have", () => {
    const { environment: _environment, task: _task, ...bare } = START;
    const labels = recordLabels({ ...bare, keep: { count: 5 } }, { "ci.job": "4711" });
    expect(labels["ci.job"]).toBe("4711");
    expect(Object.keys(labels).filter((key) => /environment|task|keep-age|ended|exit/.test(key))).toEqual([]);
    expect(recordFromLabels(labels)).toEqual({ ...bare, keep: { count: 5 } });
  });

  it("refuses labels that are not a record (they come from the engine: untrusted)", () => {
    expect(recordFromLabels({})).toBeUndefined();
    expect(recordFromLabels({ ...recordLabels(START), "io.oneoff.record": "maybe" })).toBeUndefined();
    const { "io.oneoff.record.run": _run, ...noRun } = recordLabels(START);
    expect(recordFromLabels(noRun)).toBeUndefined();
    // A number that is not one is left out, not NaN.
    expect(recordFromLabels({ ...recordLabels(ENDED), "io.oneoff.record.exit-code": "x" })?.end).not.toHaveProperty("exitCode");
  });

  it("cuts a long command where a reader sees it was cut", () => {
    const labels = recordLabels({ ...START, command: ["echo", "x".repeat(10_000)] });
    expect(labels["io.oneoff.record.command"]).toHaveLength(4096 + "...(cut)".length);
    expect(labels["io.oneoff.record.command"]).toMatch(/\.\.\.\(cut\)$/);
    expect(recordFromLabels(labels)?.command).toEqual([labels["io.oneoff.record.command"]]);
  });
});

describe("the command a record holds", () => {
  it("masks a known secret's value, a URL password and a secret-named argument, as the audit log does", () => {
    rememberSecretValue("hunter2-secret-value");
    expect(recordedCommand(["psql", "-c", "select 'hunter2-secret-value'", "--password=pw1", "postgres://u:pw2@db/x"])).toEqual([
      "psql",
      "-c",
      "select '<redacted>'",
      "--password=<redacted>",
      "postgres://u:<redacted>@db/x",
    ]);
  });
});

const stored = (volume: string, record: RunRecord): StoredRecord => ({ volume, record });

describe("one record per run", () => {
  it("lets an end win over a start, and names the start left behind", () => {
    const { records, leftovers } = latestPerRun([stored("s", START), stored("e", ENDED), stored("o", { ...START, runId: "other" })]);
    expect(records.map((entry) => entry.volume)).toEqual(["e", "o"]);
    expect(leftovers).toEqual(["s"]);
    expect(latestPerRun([stored("e", ENDED), stored("s", START)]).leftovers).toEqual(["s"]);
  });
});

describe("pruning by history_keep", () => {
  const at = (app: string, minutes: number, keep: RunRecord["keep"]) =>
    stored(`${app}-${minutes}`, {
      ...START,
      app,
      runId: `${app}${minutes}`,
      startedAt: new Date(Date.UTC(2026, 11, 7, 10, minutes)).toISOString(),
      keep,
    });
  const now = new Date(Date.UTC(2026, 11, 7, 11, 0));

  it("keeps the newest `count` of each app, by the policy of the app's newest record", () => {
    const records = [
      at("a", 1, { count: 9 }),
      at("a", 3, { count: 2 }),
      at("a", 2, { count: 9 }),
      at("b", 1, { count: 1 }),
      at("b", 2, { count: 1 }),
    ];
    expect(prunedVolumes(records, now).sort()).toEqual(["a-1", "b-1"]);
  });

  it("removes those older than `age`, whatever the count", () => {
    const records = [at("a", 10, { count: 100, ageMs: 40 * 60_000 }), at("a", 30, { count: 100, ageMs: 40 * 60_000 })];
    expect(prunedVolumes(records, now)).toEqual(["a-10"]);
  });
});

describe("history_keep in oneoff.yaml", () => {
  const parse = (text: string) => parseConfigFile(text, { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env: {} }).config;
  const refused = (text: string) => {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(OneoffError);
      return (error as OneoffError).message;
    }
    throw new Error("accepted");
  };

  it("takes a count, or a count and/or an age", () => {
    expect(parse("history_keep: 500\n").historyKeep).toEqual({ count: 500 });
    expect(parse("history_keep: {count: 50, age: 30d}\n").historyKeep).toEqual({ count: 50, ageMs: 30 * 86_400_000 });
    expect(parse("history_keep: {age: 2w}\n").historyKeep).toEqual({ count: 1000, ageMs: 14 * 86_400_000 });
    expect(parse("history_keep:\n  age: 1d12h\n").historyKeep).toEqual({ count: 1000, ageMs: 36 * 3_600_000 });
  });

  it("refuses, naming the line and the fix", () => {
    expect(refused("history_keep: 0\n")).toBe("oneoff.yaml:1:15: history_keep: must be a whole number of at least 1");
    expect(refused("history_keep: {count: 2.5}\n")).toBe("oneoff.yaml:1:23: history_keep.count: must be a whole number of at least 1");
    expect(refused("history_keep: {age: soon}\n")).toBe('oneoff.yaml:1:21: history_keep.age: "soon" is not an age');
    expect(refused("history_keep: {cuont: 3}\n")).toMatch(/^oneoff\.yaml:1:16: history_keep\.cuont: unknown key/);
  });
});

describe("history: the engine's records merged with this machine's log", () => {
  const local = (runId: string | undefined, startedAt: string, outcome: string, extra: object = {}): AuditRecord =>
    ({
      ...(runId ? { runId } : {}),
      startedAt,
      by: "bob@ci",
      app: "shop",
      releaseReference: "shop:v42",
      command: ["true"],
      ...(outcome === "no end recorded"
        ? { outcome }
        : { outcome, endedAt: startedAt, durationMs: 10, exitCode: outcome === "exited" ? 0 : 1, imageId: "sha256:abc" }),
      ...extra,
    }) as AuditRecord;

  it("shows each run once, newest first, the log's end line winning over the engine's when it has one", () => {
    const merged = mergeHistory(
      [ENDED, { ...START, runId: "engineonly", startedAt: "2026-12-07T09:00:00.000Z" }],
      [
        local(START.runId, START.startedAt, "exited", { error: "said by oneoff" }),
        local("localonly", "2026-12-07T11:00:00.000Z", "exited"),
        local(undefined, "2026-12-07T08:00:00.000Z", "failed"),
      ],
    );
    expect(merged.map((entry) => [entry.runId, entry.source, entry.outcome])).toEqual([
      ["localonly", "local", "exited"],
      [START.runId, "both", "exited"],
      ["engineonly", "engine", "no end recorded"],
      [undefined, "local", "failed"],
    ]);
    // The engine's fields the log has not (environment, kind) stay.
    expect(merged[1]).toMatchObject({ environment: "production", kind: "container", error: "said by oneoff" });
  });

  it("takes the engine's end over a log that has none (killed) or says only detached", () => {
    const gone = { ...START, end: { endedAt: "2026-12-07T10:03:00.000Z", ending: "owner-gone" } };
    expect(mergeHistory([gone], [local(START.runId, START.startedAt, "no end recorded")])[0]).toMatchObject({
      outcome: "owner-gone",
      source: "both",
    });
    const waited = { ...START, end: { endedAt: "2026-12-07T10:03:00.000Z", ending: "exited", exitCode: 5 } };
    expect(mergeHistory([waited], [local(START.runId, START.startedAt, "detached")])[0]).toMatchObject({ outcome: "exited", exitCode: 5 });
  });

  it("filters by user or user@host, start time, task and failure", () => {
    const entries = mergeHistory(
      [
        { ...ENDED, runId: "r1", by: "alice@laptop", startedAt: "2026-12-07T10:00:00.000Z" },
        {
          ...START,
          runId: "r2",
          by: "alice@ci",
          task: "report",
          startedAt: "2026-12-07T12:00:00.000Z",
          end: { endedAt: "x", ending: "exited", exitCode: 0 },
        },
        { ...START, runId: "r3", by: "bob@ci", startedAt: "2026-12-07T13:00:00.000Z", end: { endedAt: "x", ending: "detached" } },
      ],
      [],
    );
    const ids = (filter: Parameters<typeof filterHistory>[1]) => filterHistory(entries, filter).map((entry) => entry.runId);
    expect(ids({ user: "alice" })).toEqual(["r2", "r1"]);
    expect(ids({ user: "alice@ci" })).toEqual(["r2"]);
    expect(ids({ user: "ali" })).toEqual([]);
    expect(ids({ since: new Date("2026-12-07T12:00:00.000Z") })).toEqual(["r3", "r2"]);
    expect(ids({ task: "migrate" })).toEqual(["r3", "r1"]);
    expect(ids({ failed: true })).toEqual(["r1"]);
    expect(ids({ app: "other" })).toEqual([]);
  });
});

describe("a run's records as the pipeline writes them", () => {
  const plan = resolveRunPlan({
    config: undefined,
    options: { command: ["sh", "-c", "exit 3"], release: "shop:v42", label: ["ci.job=4711"] } as RunOptions,
    hostEnv: {},
    cwdName: "shop",
  });
  const identity = {
    startedBy: "alice@laptop",
    startedAt: new Date("2026-12-07T10:00:00.000Z"),
    runId: "00000000000000aa",
    version: "0.1.0",
  };
  /** An engine that keeps volumes, or refuses to create them: only the calls the records make. */
  function volumes(refuse: boolean) {
    const made = new Map<string, Record<string, string>>();
    const engine = {
      createVolume: async (name: string, labels: Record<string, string>) => {
        if (refuse) throw new Error("no space left on device");
        made.set(name, labels);
      },
      removeVolume: async (name: string) => void made.delete(name),
    } as unknown as ContainerEngine;
    return { engine, made };
  }
  const reporter = () => {
    const warnings: string[] = [];
    return {
      warnings,
      report: { info() {}, warn: (line: string) => warnings.push(line), interactive: false, status() {}, endStatus() {} },
    };
  };
  const result = { exitCode: 3, ending: "exited", endedAt: new Date("2026-12-07T10:00:02.000Z") } as RunResult;

  it("writes the start, then one complete end in its place, with the run's own labels", async () => {
    const { engine, made } = volumes(false);
    const { report, warnings } = reporter();
    const recorder = engineRecorder(engine, plan, identity, report);
    await recorder.start("sha256:abc");
    expect([...made.keys()]).toEqual(["oneoff-record-00000000000000aa-start"]);
    await recorder.end(result, undefined);
    expect([...made.keys()]).toEqual(["oneoff-record-00000000000000aa"]);
    const labels = made.get("oneoff-record-00000000000000aa")!;
    expect(recordFromLabels(labels)).toMatchObject({ app: "shop", imageId: "sha256:abc", end: { ending: "exited", exitCode: 3 } });
    expect(labels["ci.job"]).toBe("4711");
    expect(warnings).toEqual([]);
  });

  it("warns in one line and goes on when the start cannot be written, and then writes no end", async () => {
    const { engine, made } = volumes(true);
    const { report, warnings } = reporter();
    const recorder = engineRecorder(engine, plan, identity, report);
    await expect(recorder.start("sha256:abc")).resolves.toBeUndefined();
    await recorder.end(result, undefined);
    expect(made.size).toBe(0);
    expect(warnings).toEqual([
      "could not write the run's start record on the engine: no space left on device (oneoff history elsewhere will not show it)",
    ]);
  });

  it("leaves a detached run's start open, and writes nothing when no start was issued", async () => {
    const { engine, made } = volumes(false);
    const recorder = engineRecorder(engine, plan, identity, reporter().report);
    await recorder.start("sha256:abc");
    await recorder.end({ ...result, ending: "detached", exitCode: 0 }, undefined);
    expect([...made.keys()]).toEqual(["oneoff-record-00000000000000aa-start"]);
    const never = volumes(false);
    await engineRecorder(never.engine, plan, identity, reporter().report).end(undefined, new Error("no such image"));
    expect(never.made.size).toBe(0);
  });

  it("says nothing of an end it could not write when the run failed (its own line says why) or when the end is there already", async () => {
    const { report, warnings } = reporter();
    const made = new Map<string, Record<string, string>>();
    let refuseEnd: Error | undefined;
    const engine = {
      createVolume: async (name: string, labels: Record<string, string>) => {
        if (!name.endsWith("-start") && refuseEnd) throw refuseEnd;
        made.set(name, labels);
      },
      removeVolume: async (name: string) => void made.delete(name),
    } as unknown as ContainerEngine;
    refuseEnd = new Error("connect ENOENT /var/run/docker.sock");
    let recorder = engineRecorder(engine, plan, identity, report);
    await recorder.start("sha256:abc");
    await recorder.end(undefined, new Error("the engine stopped answering"));
    refuseEnd = new NameInUse("oneoff-record-00000000000000aa", "a volume");
    recorder = engineRecorder(engine, plan, identity, report);
    await recorder.start("sha256:abc");
    await recorder.end(result, undefined);
    expect(warnings).toEqual([]);
    // A run that went well and could not write its end says so.
    refuseEnd = new Error("no space left on device");
    recorder = engineRecorder(engine, plan, identity, report);
    await recorder.start("sha256:abc");
    await recorder.end(result, undefined);
    expect(warnings).toEqual([
      "could not write the run's end record on the engine: no space left on device (oneoff history elsewhere will not show it)",
    ]);
  });

  it("marks a detached run's start, so only its end is the reap's to write", async () => {
    const { engine, made } = volumes(false);
    await engineRecorder(engine, plan, identity, reporter().report).start("sha256:abc", { detached: true });
    expect(recordFromLabels(made.get("oneoff-record-00000000000000aa-start")!)?.detached).toBe(true);
    const attached = volumes(false);
    await engineRecorder(attached.engine, plan, identity, reporter().report).start("sha256:abc");
    expect(recordFromLabels(attached.made.get("oneoff-record-00000000000000aa-start")!)).not.toHaveProperty("detached");
  });
});

describe("the reap's settling of open records", () => {
  /** An engine with record volumes and one exited container per run: the calls settling makes. */
  function engineWith(records: RunRecord[]) {
    const volumes = new Map(records.map((record) => [`oneoff-record-${record.runId}-start`, recordLabels(record)]));
    const engine = {
      listVolumes: async (label: string) => {
        const [key, value] = label.split("=");
        return [...volumes]
          .filter(([, labels]) => (value === undefined ? key! in labels : labels[key!] === value))
          .map(([name, labels]) => ({ name, labels }));
      },
      createVolume: async (name: string, labels: Record<string, string>) => void volumes.set(name, labels),
      removeVolume: async (name: string) => void volumes.delete(name),
      listContainers: async (label: string) => [{ id: label.split("=")[1] }],
      inspectContainer: async () => ({ state: "exited", exitCode: 3 }),
    } as unknown as ContainerEngine;
    return { engine, volumes };
  }

  it("ends an exited detached one-off's record with its exit code, and leaves an attached one's to its oneoff", async () => {
    const detached: RunRecord = { ...START, runId: "00000000000000dd", detached: true };
    const attached: RunRecord = { ...START, runId: "00000000000000ee" };
    const { engine, volumes } = engineWith([detached, attached]);
    await settleAndPruneRecords(engine, new Date("2026-12-07T10:00:10.000Z"), 160_000);
    expect(recordFromLabels(volumes.get("oneoff-record-00000000000000dd")!)?.end).toMatchObject({ ending: "exited", exitCode: 3 });
    expect(volumes.has("oneoff-record-00000000000000ee")).toBe(false);
    expect(recordFromLabels(volumes.get("oneoff-record-00000000000000ee-start")!)?.end).toBeUndefined();
  });
});
