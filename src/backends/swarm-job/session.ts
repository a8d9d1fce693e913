/**
 * One one-off as a Swarm job, from create to removal:
 *   create service (replicated-job, restart none) -> its task is scheduled -> output while it
 *   runs -> exit code from the task's status -> remove the service
 * Where the task lands on the engine oneoff talks to (always, on one node), its container is
 * at hand: output comes from the container's log (complete, stdout and stderr apart, ending
 * when it exits), signals go to the container, and a terminal session attaches to it. On
 * another node the service's log and the service's removal are all Swarm offers.
 * Removal is in the `finally` of the whole life, as for a container one-off.
 */
import type { SessionEngine } from "../../engine/types.js";
import { TERMINAL_TASK_STATES, type SessionJobs, type SwarmNode } from "../../engine/swarm/types.js";
import { OneoffError } from "../../output/errors.js";
import { onWriteFailure, WriteFailed } from "../../output/write-failures.js";
import type { Reporter } from "../../output/reporter.js";
import type { ServiceSpec } from "../../requests/service-spec.js";
import { removeJob } from "./oneoffs.js";
import { DEFAULT_DETACH_KEYS } from "../../config/value-rules.js";
import type { SessionIO } from "../../types/context.js";
import type { Ending } from "../../types/result.js";
import { exitCodeForSignal, type InterruptSignal, type InterruptSource } from "../../session/interrupts.js";
import { ByteCounter, ByteSkipper, forwardOutput } from "../../session/output.js";
import { DetachKeys, pumpStdin, TypedInterrupts } from "../../session/stdin.js";
import { followServiceLogs, taskExitCode, untilTask } from "./tasks.js";
import { StopControl } from "../../session/stop-control.js";
import { cancelledEnding, SessionTeardown, type WatchdogHandle } from "../../session/teardown.js";
import { enterRawMode, followWindowSize } from "../../session/terminal.js";
import { stopGraceSeconds } from "../../settings/stop-timeout-row.js";
import type { SessionPlan } from "../../types/plan.js";

export interface SwarmJobOptions {
  /** The client of the engine oneoff talks to: the task's container when it lands here. */
  client: SessionEngine;
  jobs: SessionJobs;
  /** The manager oneoff talks to, when the run has read it already (else read here). */
  node?: SwarmNode;
  spec: ServiceSpec;
  /**
   * How it is attached, how long it may run (timeoutMs: then stopped, exit 124), how long a
   * stop waits; and its command, which its exit code is read against.
   */
  plan: SessionPlan & { command: readonly string[] };
  io: SessionIO;
  interrupts: InterruptSource;
  report: Reporter;
  watchdog: WatchdogHandle;
  /** Creates the service (default jobs.createService); locks swap in one that waits or refuses. */
  create?: (cancelled: () => boolean) => Promise<string>;
  /** Called once the service exists (and its lock is held): false skips the run. */
  beforeStart?: () => Promise<boolean>;
  /** Called when a terminal session is about to attach (for its banner). */
  onAttach?: () => void;
  /** Called once the job has ended (not skipped), before its service is removed: while it exists, its lock is held. */
  beforeRemoval?: (ended: SwarmJobResult) => Promise<void>;
}

export interface SwarmJobResult {
  exitCode: number;
  serviceId: string;
  ending: Ending;
  signal?: InterruptSignal;
  /** When ending is "output-failed": which stream could not be written, and why. */
  outputFailure?: string;
  /** The node the task ran on, and ms from create to the exit code seen. */
  nodeId?: string;
  createToExitMs?: number;
}

const STARTED_STATES = new Set(["running", ...TERMINAL_TASK_STATES]);
/** How often the task's status is read. */
const TASK_POLL_MS = 100;

export async function runSwarmJob(options: SwarmJobOptions): Promise<SwarmJobResult> {
  const { client, jobs, spec, io, report, plan } = options;
  let serviceId: string | undefined;
  let taskContainerId: string | undefined;
  let node: SwarmNode | undefined;
  let removeService = async () => {};
  // Signals go to the task's container when it is here; elsewhere Swarm's way to stop a job
  // is to ask for no completions (SIGTERM, then SIGKILL after the grace period); its output
  // up to the end still comes through the service's log.
  const killer = {
    kill: async (id: string, signal: string) => {
      if (id === taskContainerId) await client.kill(id, signal);
      else if (signal === "SIGKILL") await removeService();
      else await jobs.stopJob(id);
    },
  };
  const stop = new StopControl(killer, stopGraceSeconds(plan.settings), report, spec.TaskTemplate.ContainerSpec.StopSignal);
  const teardown = new SessionTeardown<SwarmJobResult>(options.watchdog);
  const { holdings } = teardown;
  holdings.stopControl = stop;
  holdings.unsubscribeInterrupts = options.interrupts.subscribe((signal) => stop.onInterrupt(signal));
  // A write to the caller's stdout or stderr that fails stops the job as an interrupt would.
  holdings.stopWatchingWrites = [io.stdout, io.stderr].map((stream, i) =>
    onWriteFailure(stream, i === 0 ? "stdout" : "stderr", (failure) => stop.outputFailed(failure)),
  );
  const failed = (serviceId: string) => {
    const failure = stop.outputFailure as WriteFailed;
    return { exitCode: failure.exitCode, serviceId, ending: "output-failed" as const, outputFailure: failure.message };
  };
  const createdAt = Date.now();
  try {
    serviceId = await (options.create ? options.create(() => stop.cancelledBy !== undefined) : jobs.createService(spec));
    const id = serviceId;
    removeService = () => jobs.removeService(id);
    if (options.beforeStart && !(await options.beforeStart())) return teardown.end({ exitCode: 0, serviceId, ending: "skipped" });
    node = options.node ?? (await jobs.node());
    const started = await untilTask(jobs, serviceId, TASK_POLL_MS, (current) => STARTED_STATES.has(current.state), {
      cancelled: () => stop.cancelledBy !== undefined,
    });
    if (!started || !STARTED_STATES.has(started.state)) return teardown.end({ ...cancelledEnding(stop), serviceId });
    let task = started;
    let taskOver = false;
    let sessionDetached = false;
    const here = task.nodeId === node?.id && task.containerId !== undefined;
    if (here) taskContainerId = task.containerId;
    if (plan.tty && !here) {
      const name = await jobs.nodeName(task.nodeId);
      throw new OneoffError(
        `the job's task landed on node ${name}, not on the engine oneoff talks to (${client.endpoint}): a terminal session needs its container here`,
        {
          hint: `point DOCKER_HOST at ${name}'s engine, or add --constraint node.hostname==HOST`,
        },
      );
    }
    stop.started(taskContainerId ?? serviceId);
    if (plan.timeoutMs !== undefined) stop.startTimeout(plan.timeoutMs);

    let output: Promise<Error | undefined>;
    let followed: { stdout: ByteCounter; stderr: ByteCounter } | undefined;
    if (taskContainerId && plan.tty) {
      // A terminal session: attached after the task started, so what it printed before is
      // not shown; a resize makes most shells and REPLs draw their prompt again.
      const containerId = taskContainerId;
      options.onAttach?.();
      const keysToDetach = plan.detachKeys ?? DEFAULT_DETACH_KEYS;
      const stream = await client.attach(containerId, {
        stdin: plan.interactive,
        detachKeys: plan.interactive ? keysToDetach : undefined,
      });
      holdings.stream = stream;
      output = forwardOutput(stream, io, { tty: true, report });
      if (plan.interactive) {
        holdings.restoreTerminal = enterRawMode(io.stdin);
        holdings.stopStdin = pumpStdin(io.stdin, stream, new DetachKeys(keysToDetach), new TypedInterrupts(() => stop.stopAsTyped()));
      }
      holdings.stopResizing = followWindowSize([io.stdout, io.stderr], (size) => client.resize(containerId, size));
      // The stream also ends when the detach keys are typed. A job's session cannot be left
      // running (its service is oneoff's to remove), so the job is stopped instead.
      void output.then(() =>
        setTimeout(() => {
          if (taskOver) return;
          sessionDetached = true;
          void removeService().catch(() => {});
        }, 1000),
      );
    } else if (taskContainerId) {
      followed = { stdout: new ByteCounter(io.stdout), stderr: new ByteCounter(io.stderr) };
      output = forwardOutput(await client.logs(taskContainerId, { follow: true, timestamps: false }), followed, { tty: false, report });
    } else {
      const logs = followServiceLogs(jobs, serviceId, io, report, () => taskOver);
      holdings.stopServiceLogs = logs.stop;
      output = logs.done;
    }
    const taskEnded = await untilTask(
      jobs,
      serviceId,
      TASK_POLL_MS,
      (current) => TERMINAL_TASK_STATES.has(current.state),
      taskContainerId ? { soon: output } : {},
    );
    taskOver = true;
    const createToExitMs = Date.now() - createdAt;
    let outputError = await output;
    // The engine (20.10) can end a followed log when the container stops, before its last
    // lines: read the log once more and pass on what the followed one did not carry.
    if (followed && taskContainerId && !outputError) {
      const rest = { stdout: new ByteSkipper(io.stdout, followed.stdout.bytes), stderr: new ByteSkipper(io.stderr, followed.stderr.bytes) };
      outputError = await forwardOutput(await client.logs(taskContainerId, { follow: false, timestamps: false }), rest, {
        tty: false,
        report,
      });
    }
    if (outputError && !(outputError instanceof WriteFailed)) report.warn(`the job's output stream broke: ${outputError.message}`);
    const signal = stop.interruptedBy;
    const stoppedBy = signal ?? (stop.hasTimedOut || stop.outputFailure ? "SIGTERM" : undefined);
    if (!taskEnded && sessionDetached) {
      throw new OneoffError(
        `the terminal session was detached, and a Swarm job cannot be left running detached: job ${spec.Name} was stopped`,
        {
          hint: "leave the session with exit; for a job that runs on without you, use --detach without -t",
        },
      );
    }
    if (!taskEnded && !stoppedBy)
      throw new OneoffError(`job ${spec.Name} was removed while it ran`, { hint: "someone removed its service (docker service rm)" });
    const exitCode = taskEnded
      ? taskExitCode(taskEnded, plan.command, client.endpoint, stoppedBy)
      : exitCodeForSignal(stoppedBy ?? "SIGTERM");
    task = taskEnded ?? task;
    if (stop.outputFailure)
      return teardown.end({ ...failed(serviceId), exitCode: stop.exitCode(exitCode), nodeId: task.nodeId, createToExitMs });
    return teardown.end({
      exitCode: stop.exitCode(exitCode),
      serviceId,
      ending: stop.hasTimedOut ? "timeout" : signal ? "interrupted" : "exited",
      signal,
      nodeId: task.nodeId,
      createToExitMs,
    });
  } catch (error) {
    if (stop.cancelledBy && serviceId === undefined) return teardown.end({ ...cancelledEnding(stop), serviceId: "" });
    throw teardown.engineGone(error, { created: serviceId !== undefined, removes: `job ${spec.Name}` });
  } finally {
    const id = serviceId;
    await teardown.finish({
      beforeRemoval: options.beforeRemoval,
      remove: async () => {
        const removed = id ? await removeJobOrReport(client, id, spec.Name, report, node) : true;
        // Also when the service went first (removed to stop a job): its container here stays.
        if (taskContainerId) await client.remove(taskContainerId).catch(() => {});
        return removed;
      },
    });
  }
}

async function removeJobOrReport(
  client: SessionEngine,
  serviceId: string,
  name: string,
  report: Reporter,
  node: SwarmNode | undefined,
): Promise<boolean> {
  try {
    await removeJob(client, serviceId, node);
    return true;
  } catch (error) {
    report.warn(
      `could not remove the one-off's job service ${name} (${serviceId.slice(0, 12)}): ${(error as Error).message}; the watchdog keeps trying for 2 minutes, or remove it with: docker service rm ${serviceId.slice(0, 12)}`,
    );
    return false;
  }
}
