/**
 * A small engine in memory, of the part sessions use (SessionEngine, SessionJobs): containers
 * whose command the test plays (prints, exits), that die of a signal as a shell does, attach
 * streams framed as the Engine API frames them, and Swarm jobs whose one task runs as a
 * container of this engine. What the session does to it lands in one list, `events`, which
 * the test's ledger and watchdog write to as well: the order of a session's ending is then one
 * assertion. `goAway()` is the engine gone mid-run: every call after it fails as an unreachable
 * engine does, and what was waiting is cut off.
 */
import { constants } from "node:os";
import { Duplex, PassThrough, Readable } from "node:stream";
import { EngineUnreachable, type ContainerDetails, type SessionEngine } from "../../src/engine/types.js";
import type { SessionJobs, SwarmNode, TaskStatus } from "../../src/engine/swarm/types.js";
import type { WatchdogHandle } from "../../src/session/teardown.js";

/** One frame of the Engine API's multiplexed stream: type 1 stdout, 2 stderr. */
const frame = (type: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const NODE: SwarmNode = { id: "node-here", managers: 1, nodes: 1 };

/** A container's command, as the test plays it. */
export class FakeProcess {
  state: "created" | "running" | "exited" = "created";
  exitCode: number | undefined;
  removed = false;
  /** Every chunk printed so far, framed (or raw for a TTY), for attach and logs. */
  readonly printed: Buffer[] = [];
  private readonly listeners = new Set<() => void>();
  /** Signals it takes without dying (as a PID 1 with no handler ignores SIGTERM). */
  ignores = new Set<string>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly tty: boolean,
  ) {}

  print(text: string, type: 1 | 2 = 1): void {
    this.printed.push(this.tty ? Buffer.from(text) : frame(type, text));
    this.changed();
  }

  exit(code: number): void {
    if (this.state === "exited") return;
    this.state = "exited";
    this.exitCode = code;
    this.changed();
  }

  /** Called on each print and at the exit; returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

interface FakeService {
  id: string;
  name: string;
  task: TaskStatus;
  process: FakeProcess;
}

export class InMemoryEngine implements SessionEngine {
  readonly endpoint = "memory://engine";
  readonly events: string[] = [];
  readonly processes = new Map<string, FakeProcess>();
  readonly services = new Map<string, FakeService>();
  private gone = false;
  /** Removal fails (the engine refuses it) while this is set. */
  refuseRemoval = false;
  private readonly cutOff = new Set<(error: Error) => void>();
  private nextId = 1;
  private waitingForStart: Array<(process: FakeProcess) => void> = [];
  private startedUnseen: FakeProcess[] = [];

  /** The watchdog of a run against this engine: what it is told lands in `events`. */
  readonly watchdog: WatchdogHandle = {
    release: () => this.events.push("watchdog release"),
    abandon: (seen) => this.events.push(seen ? `watchdog abandon, seen ${seen.ending} ${seen.exitCode}` : "watchdog abandon"),
  };

  /** The next process to start (a container started, or a job's task running), or one that started unseen. */
  nextStart(): Promise<FakeProcess> {
    const unseen = this.startedUnseen.shift();
    if (unseen) return Promise.resolve(unseen);
    return new Promise((resolve) => this.waitingForStart.push(resolve));
  }

  goAway(): void {
    this.gone = true;
    for (const cut of [...this.cutOff]) cut(this.unreachable());
  }

  private unreachable(): EngineUnreachable {
    return new EngineUnreachable(`cannot reach the engine at ${this.endpoint}`, { hint: "start the engine" });
  }

  private reachable(): void {
    if (this.gone) throw this.unreachable();
  }

  private process(id: string): FakeProcess {
    const process = this.processes.get(id);
    if (!process || process.removed) throw new Error(`no such container: ${id}`);
    return process;
  }

  private newProcess(name: string, tty: boolean): FakeProcess {
    const process = new FakeProcess(`c${String(this.nextId++).padStart(11, "0")}`, name, tty);
    this.processes.set(process.id, process);
    return process;
  }

  private run(process: FakeProcess): void {
    process.state = "running";
    const waiting = this.waitingForStart.shift();
    if (waiting) waiting(process);
    else this.startedUnseen.push(process);
  }

  async createContainer(name: string, body: { Tty?: boolean }): Promise<string> {
    this.reachable();
    const process = this.newProcess(name, body.Tty === true);
    this.events.push(`create ${name}`);
    return process.id;
  }

  async connectNetwork(): Promise<void> {
    this.reachable();
  }

  /** Output as it is printed, ending when the command exits or the engine goes. */
  async attach(containerId: string, options: { stdin: boolean; detachKeys?: string }): Promise<Duplex> {
    this.reachable();
    const process = this.process(containerId);
    this.events.push(`attach ${containerId}`);
    const output = this.follow(process);
    const stream = new Duplex({
      read() {},
      write(_chunk, _encoding, done) {
        done();
      },
      final: (done) => {
        // A terminal session's stdin half-closed (its detach keys typed): the engine ends the
        // attach; the command runs on.
        if (options.detachKeys) output.end();
        done();
      },
    });
    output.on("data", (chunk: Buffer) => stream.push(chunk));
    output.on("end", () => stream.push(null));
    output.on("error", (error) => stream.destroy(error));
    return stream;
  }

  private follow(process: FakeProcess, until: "exit" | "now" = "exit"): PassThrough {
    const output = new PassThrough();
    let sent = 0;
    const send = () => {
      while (sent < process.printed.length) output.write(process.printed[sent++]);
      if (process.state === "exited" || until === "now") finish();
    };
    const cut = () => finish();
    const unwatch = process.watch(send);
    this.cutOff.add(cut);
    const finish = () => {
      unwatch();
      this.cutOff.delete(cut);
      if (!output.writableEnded) output.end();
    };
    queueMicrotask(send);
    return output;
  }

  async resize(): Promise<void> {
    this.reachable();
  }

  async start(containerId: string): Promise<void> {
    this.reachable();
    this.events.push(`start ${containerId}`);
    this.run(this.process(containerId));
  }

  waitForExit(containerId: string, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      this.reachable();
      const process = this.process(containerId);
      const done = (outcome: () => void) => {
        unwatch();
        this.cutOff.delete(cut);
        outcome();
      };
      const check = () => {
        if (process.state === "exited") done(() => resolve(process.exitCode as number));
      };
      const cut = (error: Error) => done(() => reject(error));
      const unwatch = process.watch(check);
      this.cutOff.add(cut);
      signal?.addEventListener("abort", () => done(() => reject(new Error("aborted"))), { once: true });
      check();
    });
  }

  /** A signal kills it as a shell's default handler does (128 + n), unless it ignores it. */
  async kill(containerId: string, signal: string): Promise<void> {
    this.reachable();
    this.events.push(`kill ${signal}`);
    const process = this.processes.get(containerId);
    if (!process || process.state !== "running" || process.ignores.has(signal)) return;
    process.exit(128 + (constants.signals[signal as NodeJS.Signals] ?? 0));
  }

  async logs(containerId: string, options: { follow: boolean }): Promise<NodeJS.ReadableStream> {
    this.reachable();
    return this.follow(this.process(containerId), options.follow ? "exit" : "now");
  }

  async inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined> {
    this.reachable();
    const process = this.processes.get(nameOrId);
    if (!process || process.removed) return undefined;
    return {
      id: process.id,
      name: process.name,
      labels: {},
      state: process.state,
      exitCode: process.exitCode ?? 0,
      oomKilled: false,
      tty: process.tty,
      imageId: "sha256:memory",
    };
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    this.reachable();
    this.events.push(`rename ${newName}`);
  }

  async remove(containerId: string): Promise<void> {
    this.reachable();
    if (this.refuseRemoval) throw new Error("removal of container is already in progress");
    const process = this.processes.get(containerId);
    if (!process || process.removed) return;
    process.exit(137);
    process.removed = true;
    this.events.push(`remove ${containerId}`);
  }

  swarm(): SessionJobs {
    return this.jobs;
  }

  /**
   * Swarm jobs: createService schedules the one task at once, on this engine's node, as a
   * container of this engine; its state follows the container's (complete, or failed with the
   * exit code), and removing the service stops the task and takes it away.
   */
  readonly jobs: SessionJobs = {
    node: async () => {
      this.reachable();
      return NODE;
    },
    nodeName: async () => "here",
    createService: async (spec) => {
      this.reachable();
      const tty = spec.TaskTemplate.ContainerSpec.TTY === true;
      const process = this.newProcess(`${spec.Name}.1`, tty);
      const id = `s${String(this.nextId++).padStart(11, "0")}`;
      const at = new Date(0);
      const task: TaskStatus = {
        id: `t-${id}`,
        nodeId: NODE.id,
        state: "running",
        desiredState: "complete",
        containerId: process.id,
        message: "started",
        createdAt: at,
        statusAt: at,
      };
      process.watch(() => {
        if (process.state !== "exited" || task.state !== "running") return;
        task.state = process.exitCode === 0 ? "complete" : "failed";
        task.exitCode = process.exitCode;
      });
      this.services.set(id, { id, name: spec.Name, task, process });
      this.events.push(`create service ${spec.Name}`);
      this.run(process);
      return id;
    },
    listTasks: async (serviceId) => {
      this.reachable();
      const service = this.services.get(serviceId);
      return service ? [{ ...service.task }] : [];
    },
    serviceLogs: async () => {
      this.reachable();
      return Readable.from([]);
    },
    stopJob: async (nameOrId) => {
      this.reachable();
      this.events.push(`stop job ${nameOrId}`);
      const service = this.services.get(nameOrId);
      if (service?.process.state === "running") service.process.exit(143);
    },
    inspectService: async (nameOrId) => {
      this.reachable();
      const service = this.services.get(nameOrId);
      return service ? { id: service.id, name: service.name, spec: { Name: service.name } as never } : undefined;
    },
    removeService: async (nameOrId) => {
      this.reachable();
      if (this.refuseRemoval) throw new Error("rpc error: service is being removed");
      const service = this.services.get(nameOrId);
      if (!service) return;
      this.services.delete(nameOrId);
      this.events.push(`remove service ${nameOrId}`);
      // Swarm stops the task's container as it takes the service away.
      if (service.process.state === "running") service.process.exit(143);
    },
  };
}
