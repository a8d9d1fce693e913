/** Where backends are chosen: the plan's run kind (--engine, ONEOFF_ENGINE, engine:). */
import type { RunPlan } from "../types/plan.js";
import type { Backend } from "./backend.js";
import { containerBackend } from "./container/backend.js";
import { swarmJobBackend } from "./swarm-job/backend.js";

export function backendFor(plan: RunPlan): Backend {
  return plan.kind === "job" ? swarmJobBackend : containerBackend;
}

/** Every backend, for what spans them all: ps, logs, stop, wait, cleanup. Containers first. */
export const ALL_BACKENDS: readonly Backend[] = [containerBackend, swarmJobBackend];
