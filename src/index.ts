/**
 * oneoff as a library: `import { run } from "oneoff"` does what `oneoff run` does.
 */
import { run as runPipeline } from "./pipeline/run.js";
import type { RunContext } from "./types/context.js";
import type { RunOptions } from "./types/options.js";
import type { RunResult } from "./types/result.js";

export { planRun } from "./pipeline/run.js";
export type { RunContext, RunResult };

/**
 * Runs a one-off as `oneoff run` does. Its IO is this process's unless `context` says
 * otherwise: pass `stdout`/`stderr` streams to capture or silence it, `cwd` and `env` to plan
 * as from elsewhere, `signal` to stop it.
 */
export function run(options: RunOptions, context: Partial<RunContext> = {}): Promise<RunResult> {
  return runPipeline(options, {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    ...context,
  });
}
export type { RunOptions } from "./types/options.js";
export type { RunPlan } from "./types/plan.js";
export type { AppConfig, ProcessSettings, PullPolicy, SettingsLayer, TaskDefinition } from "./types/config.js";
export { OneoffError, ExitCode } from "./output/errors.js";
export { buildContainerSpec, type ContainerSpec, type CreateBody } from "./spec/create-body.js";
export { dockerRunLine } from "./spec/docker-run-line.js";
export { Labels } from "./spec/labels.js";
export { abortInterrupts, processInterrupts, type InterruptSource } from "./session/interrupts.js";
export { VERSION } from "./version.js";
