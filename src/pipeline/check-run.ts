/**
 * `oneoff check`: the pre-flight checks for a one-off, as `run` would resolve it.
 */
import { resolveSources } from "../config/sources.js";
import { connectTo, type LocatedEngine } from "../engine/connect.js";
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

/**
 * The pre-flight checks for a one-off, as `run` would resolve it. Config problems (which
 * stop resolution) come back as a failed "config" check rather than an exception.
 */
export async function checkRun(options: RunOptions, context: Pick<RunContext, "cwd" | "env" | "client">): Promise<Check[]> {
  const { cwd, env } = context;
  let plan: RunPlan;
  let client = context.client;
  let located: LocatedEngine | undefined;
  try {
    const sources = await resolveSources(options, cwd, env, client);
    client = sources.client;
    located = client ? undefined : sources.locate();
    plan = await planRun(
      { ...options, ...(options.command || options.task || options.releaseTask ? {} : { command: ["true"] }) },
      cwd,
      env,
      false,
      sources,
    );
  } catch (error) {
    if (!(error instanceof OneoffError)) throw error;
    return [{ name: "config", ok: false, detail: error.message, ...(error.hint ? { hint: error.hint } : {}) }];
  }
  client ??= await connectTo((located as LocatedEngine).connection);
  return checkOneOff(client, plan, backendFor(plan).preflight, formatOwner(currentOwner()), loginsFor(plan, env));
}
