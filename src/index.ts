/**
 * oneoff as a library: `import { run } from "oneoff"` does what `oneoff run` does.
 */
export { run, planRun, type RunContext, type RunResult } from "./pipeline/run.js";
export type { RunOptions } from "./types/options.js";
export type { RunPlan } from "./types/plan.js";
export type { AppConfig, ProcessSettings, PullPolicy, SettingsLayer, TaskDefinition } from "./config/types.js";
export { OneoffError, ExitCode } from "./output/errors.js";
export { buildContainerSpec, type ContainerSpec, type CreateBody } from "./spec/create-body.js";
export { dockerRunLine } from "./spec/docker-run-line.js";
export { Labels } from "./spec/labels.js";
export { abortInterrupts, processInterrupts, type InterruptSource } from "./session/interrupts.js";
export { VERSION } from "./version.js";
