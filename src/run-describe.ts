/**
 * The parts of a run's result that say what ran, shared by container and Swarm-job runs.
 */
import type { RunPlan } from "./types/plan.js";
import type { OneOffIdentity } from "./spec/labels.js";

/** Who started a one-off, when, with which oneoff: the same for all of its labels and records. */
export interface Identity extends Omit<OneOffIdentity, "app" | "releaseReference" | "task" | "command" | "imageId" | "lock"> {}

export function describe(plan: RunPlan, identity: Identity, spec: { name: string }, imageId: string) {
  return {
    containerName: spec.name,
    imageId,
    releaseReference: plan.releaseReference,
    app: plan.app,
    ...(plan.task ? { task: plan.task } : {}),
    command: plan.command,
    startedAt: identity.startedAt,
  };
}
