/**
 * Both session state machines, the container one-off and the Swarm job, against the in-memory
 * engine: each way a session ends (its command exits, a signal, --timeout, detach, the engine
 * gone, a write that fails) gives the exit code oneoff reports, stops what it must, and ends
 * in the product's order: the release ledger while the one-off exists, then its removal, then
 * the watchdog stands down (or, when the engine is gone, the watchdog takes over and nothing
 * is removed). Timers are fake: a 1 s grace period or a detach's wait take no real time.
 * test/integration/{signals,streams,tty,broken-output,exit-codes,swarm,engine-edges}.test.ts
 * show the real engine behaving as this one does.
 */
import { PassThrough, Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runContainerSession, type ContainerSessionResult } from "../../src/backends/container/session.js";
import { runSwarmJob, type SwarmJobResult } from "../../src/backends/swarm-job/session.js";
import { attachToOneOff } from "../../src/backends/container/attach.js";
import { SessionHoldings } from "../../src/session/teardown.js";
import type { Reporter } from "../../src/output/reporter.js";
import type { InterruptSignal, InterruptSource } from "../../src/session/interrupts.js";
import type { ContainerSpec, CreateBody } from "../../src/requests/create-body.js";
import type { ServiceSpec } from "../../src/requests/service-spec.js";
import { InMemoryEngine } from "./in-memory-engine.js";

const NAME = "shop-migrate-run-ab12cd";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the session's I/O happen and its timers fire (10 ms of fake time a turn) until `promise` settles. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => {});
  for (let turn = 0; !settled && turn < 5_000; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    vi.advanceTimersByTime(10);
  }
  return watched;
}

function interrupts(): InterruptSource & { send(signal: InterruptSignal): void } {
  const handlers = new Set<(signal: InterruptSignal) => void>();
  return {
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    send: (signal) => handlers.forEach((handler) => handler(signal)),
  };
}

function reporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, interactive: false, info: (m) => lines.push(m), warn: (m) => lines.push(m), status() {}, endStatus() {} };
}

function collector(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString() });
}

/** An output whose every write fails as a closed pipe (EPIPE) or a full disk (ENOSPC) does. */
function failingOutput(code: "EPIPE" | "ENOSPC"): Writable {
  const message = code === "EPIPE" ? "write EPIPE" : "ENOSPC: no space left on device, write";
  return new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error(message), { code })) });
}

interface Session {
  engine: InMemoryEngine;
  interrupts: ReturnType<typeof interrupts>;
  report: ReturnType<typeof reporter>;
  stdin: PassThrough;
  stdout: Writable & { text?: () => string };
}

function session(overrides: { stdout?: Writable } = {}): Session {
  const engine = new InMemoryEngine();
  return { engine, interrupts: interrupts(), report: reporter(), stdin: new PassThrough(), stdout: overrides.stdout ?? collector() };
}

const DETACH_KEYS = Buffer.from([0x10, 0x11]);

function runContainer(s: Session, options: { tty?: boolean; timeoutMs?: number } = {}): Promise<ContainerSessionResult> {
  const tty = options.tty ?? false;
  const spec: ContainerSpec = {
    name: NAME,
    body: { Image: "sha256:memory", Cmd: ["migrate"], Env: [], Tty: tty, HostConfig: {} } as unknown as CreateBody,
    extraNetworks: [],
    volume: [],
  };
  return runContainerSession({
    client: s.engine,
    spec,
    // The session reads its timeout from the plan, where it sets the timer.
    plan: { interactive: tty, tty, settings: { stopTimeout: 1 }, timeoutMs: options.timeoutMs },
    io: { stdin: s.stdin, stdout: s.stdout, stderr: collector() },
    interrupts: s.interrupts,
    report: s.report,
    watchdog: s.engine.watchdog,
    beforeRemoval: async (ended) => void s.engine.events.push(`ledger ${ended.ending} ${ended.exitCode}`),
  });
}

function runJob(s: Session, options: { tty?: boolean; timeoutMs?: number } = {}): Promise<SwarmJobResult> {
  const tty = options.tty ?? false;
  const spec = { Name: NAME, TaskTemplate: { ContainerSpec: { Image: "sha256:memory", TTY: tty } }, Mode: {} } as unknown as ServiceSpec;
  return runSwarmJob({
    client: s.engine,
    jobs: s.engine.jobs,
    spec,
    plan: { command: ["migrate"], interactive: tty, tty, settings: { stopTimeout: 1 }, timeoutMs: options.timeoutMs },
    io: { stdin: s.stdin, stdout: s.stdout, stderr: collector() },
    interrupts: s.interrupts,
    report: s.report,
    watchdog: s.engine.watchdog,
    pollMs: 10,
    beforeRemoval: async (ended) => void s.engine.events.push(`ledger ${ended.ending} ${ended.exitCode}`),
  });
}

describe("a container one-off's session", () => {
  it("passes the command's exit code through, writing the ledger before removal and releasing the watchdog last", async () => {
    const s = session();
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    oneOff.print("migrated 3 tables\n");
    oneOff.exit(3);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 3, ending: "exited", containerId: oneOff.id });
    expect(s.stdout.text?.()).toBe("migrated 3 tables\n");
    expect(s.engine.events).toEqual([
      `create ${NAME}`,
      `attach ${oneOff.id}`,
      `start ${oneOff.id}`,
      "ledger exited 3",
      `remove ${oneOff.id}`,
      "watchdog release",
    ]);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("forwards %s to the one-off and exits as it died of it (%i)", async (signal, code) => {
    const s = session();
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    s.interrupts.send(signal);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: code, ending: "interrupted", signal });
    expect(s.engine.events.slice(3)).toEqual([`kill ${signal}`, `ledger interrupted ${code}`, `remove ${oneOff.id}`, "watchdog release"]);
  });

  it("kills a one-off that ignores SIGTERM after the stop timeout, and reports the SIGTERM (143)", async () => {
    const s = session();
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    oneOff.ignores.add("SIGTERM");
    s.interrupts.send("SIGTERM");
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 143, ending: "interrupted" });
    expect(s.engine.events.slice(3)).toEqual([
      "kill SIGTERM",
      "kill SIGKILL",
      "ledger interrupted 143",
      `remove ${oneOff.id}`,
      "watchdog release",
    ]);
  });

  it("stops the one-off when --timeout runs out and exits 124", async () => {
    const s = session();
    const run = runContainer(s, { timeoutMs: 1_000 });
    const oneOff = await settle(s.engine.nextStart());
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 124, ending: "timeout" });
    expect(s.report.lines.some((line) => line.startsWith("timed out after 1s"))).toBe(true);
    expect(s.engine.events.slice(3)).toEqual(["kill SIGTERM", "ledger timeout 124", `remove ${oneOff.id}`, "watchdog release"]);
  });

  it("keeps a detached terminal session's one-off running, marked detached, with no ledger and no removal", async () => {
    const s = session();
    const run = runContainer(s, { tty: true });
    const oneOff = await settle(s.engine.nextStart());
    s.stdin.write(DETACH_KEYS);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 0, ending: "detached" });
    expect(oneOff.state).toBe("running");
    expect(s.engine.events.slice(3)).toEqual([`rename ${NAME}-detached`, "watchdog release"]);
  });

  it("hands the one-off to the watchdog when the engine goes away mid-run, saying so in one error", async () => {
    const s = session();
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    s.engine.goAway();
    const error = (await settle(run).catch((e: unknown) => e)) as Error & { hint?: string };
    expect(error.message).toContain("cannot reach the engine");
    expect(error.hint).toBe(`start the engine; the watchdog removes one-off ${NAME} (${oneOff.id.slice(0, 12)}) once it answers`);
    expect(s.engine.events.slice(3)).toEqual(["watchdog abandon"]);
  });

  it.each([
    ["EPIPE", 141, "could not write to stdout: its reader went away (EPIPE)"],
    ["ENOSPC", 125, "could not write to stdout: no space left on device (ENOSPC)"],
  ] as const)("stops the one-off when its output cannot be written (%s) and exits %i", async (code, exitCode, message) => {
    const s = session({ stdout: failingOutput(code) });
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    oneOff.print("a line nobody can read\n");
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode, ending: "output-failed", outputFailure: message });
    expect(s.engine.events.slice(3)).toEqual([
      "kill SIGTERM",
      `ledger output-failed ${exitCode}`,
      `remove ${oneOff.id}`,
      "watchdog release",
    ]);
  });

  it("leaves a one-off it could not remove to the watchdog, after writing the ledger, telling it how the one-off ended, and says how to remove it", async () => {
    const s = session();
    const run = runContainer(s);
    const oneOff = await settle(s.engine.nextStart());
    s.engine.refuseRemoval = true;
    oneOff.exit(0);
    expect(await settle(run)).toMatchObject({ exitCode: 0, ending: "exited" });
    expect(s.engine.events.slice(3)).toEqual(["ledger exited 0", "watchdog abandon, seen exited 0"]);
    expect(s.report.lines.at(-1)).toMatch(
      /^could not remove the one-off container .*: removal of container is already in progress; .*docker rm -f c0+1$/,
    );
  });
});

describe("a Swarm job's session", () => {
  it("passes the task's exit code through, writing the ledger before the job's removal and releasing the watchdog last", async () => {
    const s = session();
    const run = runJob(s);
    const task = await settle(s.engine.nextStart());
    task.print("migrated 3 tables\n");
    task.exit(3);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 3, ending: "exited", nodeId: "node-here" });
    expect(s.stdout.text?.()).toBe("migrated 3 tables\n");
    expect(s.engine.events).toEqual([
      `create service ${NAME}`,
      "ledger exited 3",
      `remove service ${result.serviceId}`,
      `remove ${task.id}`,
      "watchdog release",
    ]);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("forwards %s to the task's container and exits as it died of it (%i)", async (signal, code) => {
    const s = session();
    const run = runJob(s);
    const task = await settle(s.engine.nextStart());
    s.interrupts.send(signal);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: code, ending: "interrupted", signal });
    expect(s.engine.events.slice(1)).toEqual([
      `kill ${signal}`,
      `ledger interrupted ${code}`,
      `remove service ${result.serviceId}`,
      `remove ${task.id}`,
      "watchdog release",
    ]);
  });

  it("stops the job when --timeout runs out and exits 124", async () => {
    const s = session();
    const run = runJob(s, { timeoutMs: 1_000 });
    const task = await settle(s.engine.nextStart());
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 124, ending: "timeout" });
    expect(s.engine.events.slice(1)).toEqual([
      "kill SIGTERM",
      "ledger timeout 124",
      `remove service ${result.serviceId}`,
      `remove ${task.id}`,
      "watchdog release",
    ]);
  });

  it("stops a job whose terminal session was detached (it cannot run on), and says why", async () => {
    const s = session();
    const run = runJob(s, { tty: true });
    const task = await settle(s.engine.nextStart());
    s.stdin.write(DETACH_KEYS);
    const error = (await settle(run).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `the terminal session was detached, and a Swarm job cannot be left running detached: job ${NAME} was stopped`,
    );
    expect(task.state).toBe("exited");
    expect(s.engine.events.slice(1)).toEqual([
      `attach ${task.id}`,
      expect.stringMatching(/^remove service /),
      `remove ${task.id}`,
      "watchdog release",
    ]);
  });

  it("hands the job to the watchdog when the engine goes away mid-run, saying so in one error", async () => {
    const s = session();
    const run = runJob(s);
    await settle(s.engine.nextStart());
    s.engine.goAway();
    const error = (await settle(run).catch((e: unknown) => e)) as Error & { hint?: string };
    expect(error.message).toContain("cannot reach the engine");
    expect(error.hint).toBe(`start the engine; the watchdog removes job ${NAME} once it answers`);
    expect(s.engine.events.slice(1)).toEqual(["watchdog abandon"]);
  });

  it("leaves a job it could not remove to the watchdog, after writing the ledger, telling it how the job ended, and says how to remove it", async () => {
    const s = session();
    const run = runJob(s);
    const task = await settle(s.engine.nextStart());
    s.engine.refuseRemoval = true;
    task.exit(0);
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode: 0, ending: "exited" });
    expect(s.engine.events.slice(1)).toEqual(["ledger exited 0", "watchdog abandon, seen exited 0"]);
    expect(s.report.lines.at(-1)).toMatch(/^could not remove the one-off's job service .*; .*docker service rm s0+2$/);
  });

  it.each([
    ["EPIPE", 141, "could not write to stdout: its reader went away (EPIPE)"],
    ["ENOSPC", 125, "could not write to stdout: no space left on device (ENOSPC)"],
  ] as const)("stops the job when its output cannot be written (%s) and exits %i", async (code, exitCode, message) => {
    const s = session({ stdout: failingOutput(code) });
    const run = runJob(s);
    const task = await settle(s.engine.nextStart());
    task.print("a line nobody can read\n");
    const result = await settle(run);
    expect(result).toMatchObject({ exitCode, ending: "output-failed", outputFailure: message });
    expect(s.engine.events.slice(1)).toEqual([
      "kill SIGTERM",
      `ledger output-failed ${exitCode}`,
      `remove service ${result.serviceId}`,
      `remove ${task.id}`,
      "watchdog release",
    ]);
  });
});

describe("oneoff attach (a kept one-off: nothing removed)", () => {
  async function attach(s: Session) {
    const id = await s.engine.createContainer(NAME, { Tty: true });
    await s.engine.start(id);
    const oneOff = await s.engine.nextStart();
    const details = await s.engine.inspectContainer(id);
    const stdin = Object.assign(s.stdin, { isTTY: true });
    const attached = attachToOneOff(s.engine, details!, { stdin, stdout: s.stdout, stderr: collector() }, "ctrl-p,ctrl-q", s.report);
    return { oneOff, attached };
  }

  it("passes the one-off's exit code through", async () => {
    const s = session();
    const { oneOff, attached } = await attach(s);
    await settle(new Promise((resolve) => setImmediate(resolve)));
    oneOff.print("bye\r\n");
    oneOff.exit(4);
    expect(await settle(attached)).toEqual({ exitCode: 4, detached: false });
    expect(s.stdout.text?.()).toBe("bye\r\n");
    expect(s.engine.events.filter((event) => event.startsWith("remove"))).toEqual([]);
  });

  it("detaches again with the detach keys, leaving it running", async () => {
    const s = session();
    const { oneOff, attached } = await attach(s);
    await settle(new Promise((resolve) => setImmediate(resolve)));
    s.stdin.write(DETACH_KEYS);
    expect(await settle(attached)).toEqual({ exitCode: 0, detached: true });
    expect(oneOff.state).toBe("running");
    expect(s.report.lines.at(-1)).toMatch(/^detached from shop-migrate-run-ab12cd \(c0+1\); it keeps running/);
  });
});

describe("SessionHoldings", () => {
  it("lets go in one order however they were taken: interrupts, write watches, timers, resizes, stdin, logs, terminal, stream", () => {
    const order: string[] = [];
    const holdings = new SessionHoldings();
    holdings.stream = { destroy: () => order.push("stream") };
    holdings.restoreTerminal = () => order.push("terminal");
    holdings.stopStdin = () => order.push("stdin");
    holdings.stopResizing = () => order.push("resize");
    holdings.stopServiceLogs = () => order.push("logs");
    holdings.stopControl = { dispose: () => order.push("timers") };
    holdings.stopWatchingWrites = [() => order.push("stdout watch"), () => order.push("stderr watch")];
    holdings.unsubscribeInterrupts = () => order.push("interrupts");
    holdings.letGo();
    expect(order).toEqual(["interrupts", "stdout watch", "stderr watch", "timers", "resize", "stdin", "logs", "terminal", "stream"]);
  });
});
