/**
 * What `run` says before it runs a one-off --from a process that oneoff.yaml disagrees with.
 */
import type { ContainerEngine } from "../engine/types.js";
import { disagreementLine } from "../plan/from-process.js";
import { namesImage } from "../release/resolve.js";
import type { RunPlan } from "../types/plan.js";

/**
 * With --from, the line saying where oneoff.yaml and the running process disagree, as a warning
 * on the plan (said even with --quiet, and kept for --json). oneoff.yaml's release counts only
 * when the engine knows it as another image than the process runs.
 */
export async function withDisagreement(plan: RunPlan, client: ContainerEngine | undefined): Promise<RunPlan> {
  const { disagreement } = plan;
  if (!disagreement) return plan;
  const sameImage =
    disagreement.release && client ? await namesImage(client, disagreement.release.reference, plan.releaseReference) : false;
  const line = disagreementLine(disagreement, !sameImage, plan.releaseReference);
  return line ? { ...plan, warnings: [...(plan.warnings ?? []), line] } : plan;
}
