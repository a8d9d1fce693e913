/**
 * Which kind of one-off the flags, the environment and oneoff.yaml choose: --engine, then
 * ONEOFF_ENGINE, then `engine:` (published as docker or swarm), else a container. Decided here
 * alone: config/sources.ts asks before there is a plan (a job --from copies a Swarm service, a
 * container a running container), plan/run-kind.ts when it makes the plan. Pure.
 */
import { OneoffError } from "../output/errors.js";
import type { Environment } from "./interpolate.js";
import type { RunOptions } from "../types/options.js";
import { RUN_KIND_NAMES, type AppConfig, type RunKindName } from "../types/config.js";
import type { RunKind } from "../types/plan.js";

export function chosenKind(options: Pick<RunOptions, "engine">, config: Pick<AppConfig, "engine"> | undefined, env: Environment): RunKind {
  const fromEnv = env.ONEOFF_ENGINE?.trim() || undefined;
  if (fromEnv && !RUN_KIND_NAMES.includes(fromEnv as RunKindName)) {
    throw new OneoffError(`ONEOFF_ENGINE="${fromEnv}" is not an engine`, { hint: `use one of ${RUN_KIND_NAMES.join(", ")}` });
  }
  const name = options.engine ?? (fromEnv as RunKindName | undefined) ?? config?.engine ?? "docker";
  return name === "swarm" ? "job" : "container";
}
