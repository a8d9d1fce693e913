/**
 * `oneoff check`: the pre-flight checks for a one-off, as `run` would resolve it.
 */
import { resolveSources, type Sources } from "../config/sources.js";
import { checkOneOff, type Check } from "../lifecycle/checks.js";
import { currentOwner, formatOwner } from "../lifecycle/owner.js";
import { OneoffError } from "../output/errors.js";
import { registryLogins } from "../release/credentials.js";
import type { RunContext } from "../types/context.js";
import type { RunOptions } from "../types/options.js";
import type { RunPlan } from "../types/plan.js";
import { backendFor } from "../backends/choose.js";
import { planRun } from "./run.js";

function loginsFor(plan: RunPlan, env: Readonly<Record<string, string | undefined>>) {
  return registryLogins({ env, registryAuth: plan.registryAuth });
}

/** The checks, and what they read and planned: a run that follows them (release, run --check) reuses it. */
export interface CheckedRun {
  checks: Check[];
  /** oneoff.yaml, the sources and the engine, as resolved once; absent when config failed. */
  sources?: Sources;
  /** The run's plan, made as the run makes it (its --env-file read once); absent when the checks planned a stand-in command. */
  plan?: RunPlan;
}

/**
 * The pre-flight checks for a one-off, as `run` would resolve it. Config problems (which
 * stop resolution) come back as a failed "config" check rather than an exception.
 */
export async function checkRun(
  options: RunOptions,
  context: Pick<RunContext, "cwd" | "env" | "client" | "stdinIsTTY">,
): Promise<CheckedRun> {
  const { cwd, env } = context;
  // Nothing named to run (`oneoff check` alone): the checks plan `true`, a plan no run takes.
  const standIn = !(options.command || options.task || options.releaseTask);
  let plan: RunPlan;
  let sources: Sources;
  try {
    sources = await resolveSources(options, cwd, env, context.client);
    // The engine's address is read with the config: a bad context or DOCKER_HOST is a config problem.
    if (!context.client) sources.locate();
    // Planned as the run that follows plans (its terminal included), so that run takes this plan.
    plan = await planRun(standIn ? { ...options, command: ["true"] } : options, cwd, env, context.stdinIsTTY ?? false, sources);
  } catch (error) {
    if (!(error instanceof OneoffError)) throw error;
    return { checks: [{ name: "config", ok: false, detail: error.message, ...(error.hint ? { hint: error.hint } : {}) }] };
  }
  const client = await sources.connect();
  const checks = await checkOneOff(client, plan, backendFor(plan).preflight, formatOwner(currentOwner()), loginsFor(plan, env));
  return { checks, sources, plan: standIn ? undefined : plan };
}
