/**
 * A job's one task, as the session and `oneoff wait` follow it: polled until it reaches a
 * state, its exit code read from its status, its output from the service's log when its
 * container is on another node.
 */
import type { ContainerEngine } from "../../engine/types.js";
import { TERMINAL_TASK_STATES, type ServiceDefinition, type SwarmJobs, type TaskStatus } from "../../engine/swarm/types.js";
import { translateStartError } from "../../engine/docker/errors.js";
import { ExitCode, OneoffError } from "../../output/errors.js";
import type { Reporter } from "../../output/reporter.js";
import type { SessionIO } from "../../types/context.js";
import { exitCodeForSignal, type InterruptSignal } from "../../session/interrupts.js";
import { forwardOutput } from "../../session/output.js";

/**
 * Polls the service's newest task until `done` says so, or until `cancelled` does. Once `soon`
 * settles (the task's container has stopped: its output ended), the manager is about to say so
 * too, and is asked at once and then four times as often.
 */
export async function untilTask(
  jobs: Pick<SwarmJobs, "listTasks">,
  serviceId: string,
  pollMs: number,
  done: (task: TaskStatus) => boolean,
  { cancelled = () => false, soon }: { cancelled?: () => boolean; soon?: Promise<unknown> } = {},
): Promise<TaskStatus | undefined> {
  let seen = false;
  let interval = pollMs;
  let wake = () => {};
  void soon?.finally(() => {
    interval = Math.ceil(pollMs / 4);
    wake();
  });
  for (;;) {
    const [newest] = await jobs.listTasks(serviceId);
    if (newest && done(newest)) return newest;
    // Its task is gone with the service: removed to stop it (or by someone else).
    if (!newest && seen) return undefined;
    seen ||= newest !== undefined;
    if (cancelled()) return newest;
    // A task no node can take waits forever: say why now instead.
    if (newest?.state === "pending" && newest.error && /no suitable node/i.test(newest.error)) {
      throw new OneoffError(`no swarm node can run the job: ${newest.error}`, {
        hint: "check --constraint / constraints: and the service's placement against docker node ls",
      });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = () => {};
  }
}

/** `oneoff wait` for a job: its task's exit code, once the task has ended. */
export async function waitForJob(client: ContainerEngine, service: ServiceDefinition): Promise<number> {
  const jobs = client.swarm?.();
  const task = jobs ? await untilTask(jobs, service.id, 250, (current) => TERMINAL_TASK_STATES.has(current.state)) : undefined;
  if (!task) throw new OneoffError(`job ${service.name} was removed before it ended`, { hint: "its exit code went with it" });
  return taskExitCode(task, service.spec.TaskTemplate.ContainerSpec.Args ?? [], client.endpoint);
}

/**
 * The exit code, from the task's status. A task that failed while starting is a command that
 * could not start (126/127/125, as docker run); a rejected one never got a container.
 */
export function taskExitCode(task: TaskStatus, command: readonly string[], endpoint: string, stoppedBy?: InterruptSignal): number {
  if (task.state === "complete") return task.exitCode ?? 0;
  if (task.state === "failed" && task.message !== "starting" && task.exitCode !== undefined) return task.exitCode;
  if (task.state === "failed" && task.message === "starting")
    throw translateStartError(new Error(task.error ?? "the task failed to start"), endpoint, command);
  if (task.state === "shutdown" && stoppedBy) return task.exitCode ?? exitCodeForSignal(stoppedBy);
  throw new OneoffError(
    `the swarm ${task.state === "rejected" ? "rejected" : `ended (${task.state})`} the job's task: ${task.error ?? task.message}`,
    {
      hint: task.error?.startsWith("No such image")
        ? "push the release to a registry every node can pull from"
        : "docker service ps --no-trunc shows the task's history",
      exitCode: ExitCode.runnerFailed,
    },
  );
}

/**
 * Output from a task on another node: the service's log, followed. Swarm does not end it
 * when the task ends, so once `over` says the task has ended it is read until quiet for
 * half a second, then closed. `stop` closes it at once (an error, an interrupt).
 */
export function followServiceLogs(
  jobs: Pick<SwarmJobs, "serviceLogs">,
  serviceId: string,
  io: SessionIO,
  report: Reporter,
  over: () => boolean,
): { done: Promise<Error | undefined>; stop: () => void } {
  let stream: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  let stopped = false;
  let quiet: NodeJS.Timeout | undefined;
  const done = (async () => {
    stream = (await jobs.serviceLogs(serviceId, { follow: true })) as NodeJS.ReadableStream & { destroy(): void };
    if (stopped) stream.destroy();
    let lastData = Date.now();
    stream.on("data", () => (lastData = Date.now()));
    const forwarding = forwardOutput(stream, io, { tty: false, report });
    quiet = setInterval(() => {
      if (over() && Date.now() - lastData > 500) stream?.destroy();
    }, 100);
    const error = await forwarding;
    return error && !/premature close|aborted/i.test(error.message) ? error : undefined;
  })().finally(() => clearInterval(quiet));
  return {
    done,
    stop: () => {
      stopped = true;
      stream?.destroy();
    },
  };
}
