import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { kindOf } from "../../src/plan/run-kind.js";
import { resolveSources } from "../../src/config/sources.js";
import type { ContainerEngine } from "../../src/engine/types.js";
import { isConstraint } from "../../src/config/value-rules.js";
import type { ServiceDefinition, ServiceSummary, TaskStatus } from "../../src/engine/swarm/types.js";
import { jobView } from "../../src/backends/swarm-job/oneoffs.js";
import { formatOwner, type Liveness, type Owner } from "../../src/lifecycle/owner.js";
import { jobsToReap, type JobState } from "../../src/backends/swarm-job/reaper.js";
import { describeJobHolder, jobHoldsLock } from "../../src/backends/swarm-job/lock.js";
import { OneoffError } from "../../src/output/errors.js";
import { ByteCounter, ByteSkipper } from "../../src/session/output.js";
import { taskExitCode } from "../../src/backends/swarm-job/tasks.js";

function refusal(run: () => unknown): { message: string; hint: string | undefined; exitCode: number } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof OneoffError)) throw error;
    return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  }
  throw new Error("expected a OneoffError");
}

describe("kindOf", () => {
  it.each<[string, Parameters<typeof kindOf>[0], Parameters<typeof kindOf>[1], Record<string, string>, string]>([
    ["a container when nothing says otherwise", {}, undefined, {}, "container"],
    ["the config's engine", {}, { engine: "swarm" }, {}, "job"],
    ["ONEOFF_ENGINE over the config", {}, { engine: "docker" }, { ONEOFF_ENGINE: "swarm" }, "job"],
    ["ONEOFF_ENGINE with spaces around it", {}, undefined, { ONEOFF_ENGINE: " swarm " }, "job"],
    ["the config when ONEOFF_ENGINE is empty (unset)", {}, { engine: "swarm" }, { ONEOFF_ENGINE: "" }, "job"],
    ["--engine over ONEOFF_ENGINE and the config", { engine: "docker" }, { engine: "swarm" }, { ONEOFF_ENGINE: "swarm" }, "container"],
  ])("picks %s", (_, options, config, hostEnv, kind) => {
    expect(kindOf(options, config, hostEnv, { interactive: false, tty: false }).kind).toBe(kind);
  });

  it("takes the config's constraints, then the flags'", () => {
    expect(
      kindOf(
        { engine: "swarm", constraint: ["node.hostname==db1"] },
        { constraints: ["node.role==worker"] },
        {},
        { interactive: false, tty: false },
      ),
    ).toEqual({
      kind: "job",
      constraints: ["node.role==worker", "node.hostname==db1"],
    });
  });

  it.each(["node.hostname==", "role manager", "node.hostname=db1"])(
    "tells a malformed constraint %s apart (config constraints are checked where they are read)",
    (constraint) => {
      expect(isConstraint(constraint)).toBe(false);
    },
  );

  it("drops the config's constraints for a container one-off", () => {
    expect(kindOf({}, { constraints: ["node.role==worker"] }, {}, { interactive: false, tty: false })).toEqual({
      kind: "container",
      constraints: [],
    });
  });

  it.each(["node.hostname==db1", "node.labels.region != eu-west", "engine.labels.com.example.gpu==true", "node.role==manager"])(
    "accepts the constraint %s",
    (constraint) => {
      expect(kindOf({ engine: "swarm", constraint: [constraint] }, undefined, {}, { interactive: false, tty: false }).constraints).toEqual([
        constraint,
      ]);
    },
  );

  it.each<[string, () => unknown, string, string]>([
    [
      "an ONEOFF_ENGINE that is not an engine",
      () => kindOf({}, undefined, { ONEOFF_ENGINE: "kubernetes" }, { interactive: false, tty: false }),
      'ONEOFF_ENGINE="kubernetes" is not an engine',
      "use one of docker, swarm",
    ],
    [
      "--constraint without swarm",
      () => kindOf({ constraint: ["node.role==worker"] }, undefined, {}, { interactive: false, tty: false }),
      "--constraint places Swarm jobs",
      "add --engine swarm, or drop --constraint",
    ],
    [
      "a constraint with a single =",
      () => kindOf({ engine: "swarm", constraint: ["node.hostname=db1"] }, undefined, {}, { interactive: false, tty: false }),
      '--constraint "node.hostname=db1": not a placement constraint (KEY==VALUE or KEY!=VALUE)',
      "e.g. node.hostname==db1 or node.role==manager",
    ],
    [
      "-i without -t on swarm",
      () => kindOf({ engine: "swarm" }, undefined, {}, { interactive: true, tty: false }),
      "-i without -t cannot run as a Swarm job: Swarm cannot close a job's stdin, so the command would never see EOF",
      "use --engine docker for piped input, or copy the input in as a file",
    ],
    [
      "-t with --detach on swarm",
      () => kindOf({ engine: "swarm", detach: true }, undefined, {}, { interactive: false, tty: true }),
      "a detached Swarm job cannot have a terminal",
      "drop -t, or drop --detach",
    ],
  ])("refuses %s", (_, run, message, hint) => {
    expect(refusal(run)).toEqual({ message, hint, exitCode: 125 });
  });

  it("allows a terminal session (-it) and -i on docker", () => {
    expect(kindOf({ engine: "swarm" }, undefined, {}, { interactive: true, tty: true }).kind).toBe("job");
    expect(kindOf({}, undefined, {}, { interactive: true, tty: false }).kind).toBe("container");
  });

  // A nested key pattern once backtracked exponentially on long dotted keys (30 segments: ~20s).
  it("refuses a long malformed dotted constraint at once", () => {
    const started = performance.now();
    expect(() =>
      kindOf({ engine: "swarm", constraint: [`${"a.".repeat(24)}a=b`] }, undefined, {}, { interactive: false, tty: false }),
    ).toThrow(OneoffError);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe("--from before there is a plan: the same kind as the plan's", () => {
  /** An engine that refuses every question, noting whether a container or a Swarm service was looked for. */
  function refusingEngine(asked: string[]): ContainerEngine {
    const refuse = (what: string) => () => {
      asked.push(what);
      return Promise.reject(new Error(`no ${what} here`));
    };
    return {
      endpoint: "memory://engine",
      listContainers: refuse("containers"),
      swarm: () => ({ inspectService: refuse("services") }),
    } as unknown as ContainerEngine;
  }

  it.each<[string, { engine?: "docker" | "swarm" }, Record<string, string>]>([
    ["nothing said", {}, {}],
    ["ONEOFF_ENGINE with spaces around it", {}, { ONEOFF_ENGINE: " swarm " }],
    ["an empty ONEOFF_ENGINE", {}, { ONEOFF_ENGINE: "" }],
    ["--engine over ONEOFF_ENGINE", { engine: "docker" }, { ONEOFF_ENGINE: "swarm" }],
    ["--engine swarm", { engine: "swarm" }, {}],
  ])("looks for what the plan's kind runs from, with %s", async (_, options, env) => {
    const asked: string[] = [];
    const cwd = mkdtempSync(path.join(os.tmpdir(), "oneoff-kind-choice-"));
    await expect(resolveSources({ ...options, from: "web" }, cwd, env, refusingEngine(asked))).rejects.toThrow(/^no /);
    const { kind } = kindOf(options, undefined, env, { interactive: false, tty: false });
    expect(asked[0]).toBe(kind === "job" ? "services" : "containers");
  });

  it("refuses an ONEOFF_ENGINE that is not an engine before asking the engine anything", async () => {
    const asked: string[] = [];
    const cwd = mkdtempSync(path.join(os.tmpdir(), "oneoff-kind-choice-"));
    await expect(resolveSources({ from: "web" }, cwd, { ONEOFF_ENGINE: "k8s" }, refusingEngine(asked))).rejects.toThrow(
      'ONEOFF_ENGINE="k8s" is not an engine',
    );
    expect(asked).toEqual([]);
  });
});

const now = new Date("2026-11-25T12:00:00Z");
const deadOwner: Owner = { host: "laptop", pid: 111, start: 5 };
const liveOwner: Owner = { host: "laptop", pid: 222, start: 6 };
const isAlive = (owner: Owner) => owner.pid === liveOwner.pid;

function task(state: string, overrides: Partial<TaskStatus> = {}): TaskStatus {
  return {
    id: "t1",
    nodeId: "n1",
    state,
    desiredState: "shutdown",
    message: state,
    createdAt: new Date("2026-11-24T00:00:00Z"),
    statusAt: new Date("2026-11-24T11:00:00Z"),
    ...overrides,
  };
}

function summary(name: string, labels: Record<string, string>): ServiceSummary {
  return { id: `${name}-id`, name, labels, createdAt: new Date("2026-11-24T00:00:00Z") };
}

function service(labels: Record<string, string>): ServiceDefinition {
  return {
    id: "svc1",
    name: "shop-lock-migrate",
    spec: { Name: "shop-lock-migrate", Labels: labels, TaskTemplate: { ContainerSpec: { Image: "shop" } }, Mode: {} },
  };
}

describe("jobsToReap", () => {
  const managed = { "io.oneoff.managed": "true" };
  const detached = (keepFor?: string) => ({
    ...managed,
    "io.oneoff.detached": "true",
    ...(keepFor ? { "io.oneoff.keep-for": keepFor } : {}),
  });
  it.each<[string, JobState, boolean]>([
    [
      "reaps an attached job whose owner on this host died",
      { service: summary("a", { ...managed, "io.oneoff.owner": formatOwner(deadOwner) }), task: task("running") },
      true,
    ],
    [
      "reaps an attached job whose owner died before its task appeared",
      { service: summary("b", { ...managed, "io.oneoff.owner": formatOwner(deadOwner) }) },
      true,
    ],
    [
      "keeps an attached job whose owner lives",
      { service: summary("c", { ...managed, "io.oneoff.owner": formatOwner(liveOwner) }), task: task("running") },
      false,
    ],
    ["keeps an attached job without an owner label", { service: summary("d", managed), task: task("complete") }, false],
    [
      "keeps a service without oneoff's marker, owner dead",
      { service: summary("e", { "io.oneoff.owner": formatOwner(deadOwner) }), task: task("complete") },
      false,
    ],
    ["reaps a detached job ended longer ago than its keep-for", { service: summary("f", detached("3600")), task: task("complete") }, true],
    [
      "keeps a detached job ended within its keep-for",
      { service: summary("g", detached("86400")), task: task("failed", { statusAt: new Date("2026-11-25T11:00:00Z") }) },
      false,
    ],
    [
      "reaps a detached job ended a day and a minute ago, kept the default day",
      { service: summary("h", detached()), task: task("complete", { statusAt: new Date("2026-11-24T11:59:00Z") }) },
      true,
    ],
    [
      "keeps a detached job ended under a day ago, kept the default day",
      { service: summary("i", detached()), task: task("complete", { statusAt: new Date("2026-11-24T12:01:00Z") }) },
      false,
    ],
    [
      "keeps a detached job still running long after",
      { service: summary("j", { ...detached("1"), "io.oneoff.owner": formatOwner(deadOwner) }), task: task("running") },
      false,
    ],
    ["keeps a detached job without a task yet", { service: summary("k", detached("1")) }, false],
    [
      "keeps a detached job with a keep-for that is not a number",
      { service: summary("l", detached("soon")), task: task("complete") },
      false,
    ],
  ])("%s", (_, job, reaped) => {
    expect(jobsToReap([job], isAlive, now)).toEqual(reaped ? [job] : []);
  });
});

describe("jobHoldsLock", () => {
  const owned = (owner: Owner) => ({ "io.oneoff.managed": "true", "io.oneoff.owner": formatOwner(owner) });
  const remoteOwner: Owner = { host: "elsewhere", pid: 333, start: 7 };
  const livenessOf = (owner: Owner): Liveness =>
    owner.pid === liveOwner.pid ? "alive" : owner.pid === remoteOwner.pid ? "unknown" : "dead";
  const endedAt = (minutesAgo: number) => ({ statusAt: new Date(now.getTime() - minutesAgo * 60_000) });
  it.each<[string, Record<string, string>, TaskStatus | undefined, boolean]>([
    ["is held by a running job whose owner lives", owned(liveOwner), task("running"), true],
    ["is held by a job whose owner lives, before its task appears", owned(liveOwner), undefined, true],
    ["is not held by a running job whose owner died", owned(deadOwner), task("running"), false],
    ["is held by a job whose task ended while its owner lives (it is still writing the ledger)", owned(liveOwner), task("complete"), true],
    ["is not held by a job whose task ended and whose owner died", owned(deadOwner), task("complete"), false],
    ["is held by an ended job of an owner elsewhere, for a while", owned(remoteOwner), task("complete", endedAt(5)), true],
    ["is not held by an ended job of an owner elsewhere, long after", owned(remoteOwner), task("complete", endedAt(16)), false],
    ["is not held by a job whose task was rejected, owner dead", owned(deadOwner), task("rejected"), false],
    ["is held by a detached running job, owner dead", { ...owned(deadOwner), "io.oneoff.detached": "true" }, task("running"), true],
    [
      "is not held by a detached job that ended, owner alive",
      { ...owned(liveOwner), "io.oneoff.detached": "true" },
      task("complete"),
      false,
    ],
    ["is held by a job with no owner label", { "io.oneoff.managed": "true" }, task("pending"), true],
    ["is not held by an ended job with no owner label", { "io.oneoff.managed": "true" }, task("complete"), false],
  ])("the lock %s", (_, labels, current, held) => {
    expect(jobHoldsLock({ service: service(labels), ...(current ? { task: current } : {}) }, livenessOf, now)).toBe(held);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "names the task, who started it and when",
      { "io.oneoff.task": "migrate", "io.oneoff.started-by": "ann@ci", "io.oneoff.started-at": "2026-01-02T03:04:05.000Z" },
      "task migrate started by ann@ci at 2026-01-02T03:04:05.000Z, job service shop-lock-migrate",
    ],
    ["says so when the labels do not tell", {}, "a one-off started by someone at an unknown time, job service shop-lock-migrate"],
  ])("describes the holder: %s", (_, labels, description) => {
    expect(describeJobHolder({ service: service(labels) })).toBe(description);
  });
});

describe("jobView", () => {
  const labels = {
    "io.oneoff.managed": "true",
    "io.oneoff.app": "shop",
    "io.oneoff.task": "migrate",
    "io.oneoff.command": '["rake","db:migrate"]',
    "io.oneoff.release.image-id": "sha256:img",
    "io.oneoff.release.reference": "shop:v42",
    "io.oneoff.started-by": "ann",
    "io.oneoff.started-at": "2026-11-24T10:59:00.000Z",
    "io.oneoff.lock": "migrate",
  };
  it("shows an ended job with its exit code and duration", () => {
    expect(jobView({ service: service(labels), task: task("failed", { exitCode: 3 }) })).toEqual({
      id: "svc1",
      name: "shop-lock-migrate",
      app: "shop",
      task: "migrate",
      command: ["rake", "db:migrate"],
      imageId: "sha256:img",
      releaseReference: "shop:v42",
      startedBy: "ann",
      startedAt: "2026-11-24T10:59:00.000Z",
      state: "job failed",
      detached: false,
      lock: "migrate",
      exitCode: 3,
      durationMs: 60_000,
    });
  });

  it.each<[string, TaskStatus | undefined, string]>([
    ["a job without a task yet as new", undefined, "job new"],
    ["a running job without exit code or duration", task("running", { exitCode: 0 }), "job running"],
  ])("shows %s", (_, current, state) => {
    const view = jobView({ service: service({ ...labels, "io.oneoff.detached": "true" }), ...(current ? { task: current } : {}) });
    expect(view).toMatchObject({ state, detached: true });
    expect(view).not.toHaveProperty("exitCode");
    expect(view).not.toHaveProperty("durationMs");
  });

  it("shows a command label that is not JSON as one word", () => {
    expect(jobView({ service: service({ "io.oneoff.command": "rake db:migrate..." }) }).command).toEqual(["rake db:migrate..."]);
  });
});

describe("taskExitCode", () => {
  const command = ["nope", "--flag"];
  it.each<[string, TaskStatus, number]>([
    ["a complete task's exit code", task("complete", { exitCode: 0 }), 0],
    ["0 for a complete task without one", task("complete"), 0],
    ["a failed task's exit code once started", task("failed", { exitCode: 3, message: "started", error: "task: non-zero exit (3)" }), 3],
    ["the exit code of a task shut down by a stop", task("shutdown", { exitCode: 137 }), 137],
  ])("passes through %s", (_, ended, code) => {
    expect(taskExitCode(ended, command, "unix:///var/run/docker.sock", "SIGTERM")).toBe(code);
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("gives the signal's exit code to a task shut down by %s without one", (signal, code) => {
    expect(taskExitCode(task("shutdown"), command, "unix:///var/run/docker.sock", signal)).toBe(code);
  });

  const starting = (error: string) => task("failed", { message: "starting", error });
  it.each<[string, TaskStatus, string, number]>([
    [
      "a command not in the image",
      starting('failed to create task for container: exec: "nope": executable file not found in $PATH: unknown'),
      'command "nope" not found in the image',
      127,
    ],
    [
      "a command it may not run",
      starting('exec: "/app/run.sh": permission denied: unknown'),
      'command "/app/run.sh" cannot be invoked: permission denied',
      126,
    ],
    [
      "an unknown user",
      starting("unable to find user ghost: no matching entries in passwd file"),
      'user "ghost" does not exist in the image',
      125,
    ],
    [
      "a rejected task",
      task("rejected", { message: "preparing", error: "No such image: registry.example.com/shop:v42" }),
      "the swarm rejected the job's task: No such image: registry.example.com/shop:v42",
      125,
    ],
    [
      "a task shut down by someone else",
      task("shutdown", { message: "shutdown" }),
      "the swarm ended (shutdown) the job's task: shutdown",
      125,
    ],
    [
      "an orphaned task",
      task("orphaned", { message: "orphaned", error: "node down" }),
      "the swarm ended (orphaned) the job's task: node down",
      125,
    ],
  ])("refuses %s", (_, ended, message, exitCode) => {
    expect(refusal(() => taskExitCode(ended, command, "unix:///var/run/docker.sock"))).toMatchObject({ message, exitCode });
  });

  it.each<[string, TaskStatus, string]>([
    [
      "a missing image to a registry",
      task("rejected", { error: "No such image: shop:v42" }),
      "push the release to a registry every node can pull from",
    ],
    [
      "anything else to the task's history",
      task("orphaned", { error: "node down" }),
      "docker service ps --no-trunc shows the task's history",
    ],
  ])("points %s", (_, ended, hint) => {
    expect(refusal(() => taskExitCode(ended, command, "unix:///var/run/docker.sock")).hint).toBe(hint);
  });
});

/** A target that takes `limit` bytes, then asks for backpressure until release() is called. */
function slowTarget(limit: number): { target: Writable; received: () => string; release: () => void } {
  const chunks: Buffer[] = [];
  const pending: Array<() => void> = [];
  const target = new Writable({
    highWaterMark: limit,
    write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), pending.push(done)),
  });
  return { target, received: () => Buffer.concat(chunks).toString(), release: () => pending.splice(0).forEach((done) => done()) };
}

function collector(): { target: Writable; received: () => string } {
  const chunks: Buffer[] = [];
  return {
    target: new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) }),
    received: () => Buffer.concat(chunks).toString(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ByteCounter and ByteSkipper", () => {
  it("counts what it passes on", async () => {
    const { target, received } = collector();
    const counter = new ByteCounter(target);
    for (const chunk of ["héllo", " ", "wörld"]) counter.write(Buffer.from(chunk));
    await new Promise((resolve) => counter.end(resolve));
    expect([counter.bytes, received()]).toEqual([13, "héllo wörld"]);
  });

  const output = "line one\nline two\n";
  const cases = Array.from({ length: output.length + 2 }, (_, skip) =>
    Array.from({ length: output.length + 1 }, (_, split) => [skip, split] as const),
  ).flat();
  it("skips exactly the bytes already passed on, wherever the chunks split", async () => {
    for (const [skip, split] of cases) {
      const { target, received } = collector();
      const skipper = new ByteSkipper(target, skip);
      skipper.write(Buffer.from(output.slice(0, split)));
      skipper.write(Buffer.from(output.slice(split)));
      await new Promise((resolve) => skipper.end(resolve));
      expect(received(), `skip ${skip}, split at ${split}`).toBe(output.slice(skip));
    }
  });

  it.each([
    ["ByteCounter", (target: Writable) => new ByteCounter(target)],
    ["ByteSkipper", (target: Writable) => new ByteSkipper(target, 2)],
  ])("%s waits for the target to drain before taking more", async (_, wrap) => {
    const { target, received, release } = slowTarget(4);
    const stream = wrap(target);
    let written = false;
    stream.write(Buffer.from("0123456789"), () => (written = true));
    await tick();
    expect([written, received()]).toEqual([false, _ === "ByteCounter" ? "0123456789" : "23456789"]);
    release();
    await tick();
    expect(written).toBe(true);
  });

  // A target destroyed while it is waited on (stdout closed by `| head`) never drains: the
  // write must complete anyway, or the job's output would never end.
  it("lets the write complete when the target is destroyed while it waits", async () => {
    const { target } = slowTarget(1);
    target.on("error", () => {});
    const counter = new ByteCounter(target);
    let written = false;
    counter.write(Buffer.from("abc"), () => (written = true));
    await tick();
    target.destroy();
    await tick();
    await tick();
    expect(written).toBe(true);
  });
});
