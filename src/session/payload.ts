/**
 * What a one-off carries besides its settings: files copied in before start (--copy-in and
 * secrets delivered as files) and files copied out after exit (--copy-out). One place that
 * turns the plan into the session's prepare/collect hooks, so run.ts only wires them.
 */
import type { RunPlan } from "../config/resolve.js";
import type { ContainerEngine } from "../engine/types.js";
import type { Reporter } from "../output/reporter.js";
import { copyIntoOneOff, copyOutOfOneOff } from "./files.js";
import type { Ending } from "./attached-run.js";

export interface PayloadHooks {
  prepare?: (containerId: string) => Promise<void>;
  collect?: (containerId: string, exitCode: number) => Promise<number>;
}

export function payloadHooks(plan: RunPlan, engine: ContainerEngine, report: Reporter): PayloadHooks {
  const { copyIn, copyOut } = plan.files;
  return {
    ...(copyIn.length ? { prepare: (containerId: string) => copyIntoOneOff(engine, containerId, copyIn) } : {}),
    ...(copyOut.length ? { collect: (containerId: string, exitCode: number) => copyOutOfOneOff(engine, containerId, copyOut, exitCode, report) } : {}),
  };
}

/** Copy-out happens only for a command that exited by itself: say so when it did not. */
export function reportSkippedCopyOut(plan: RunPlan, ending: Ending | "detached", report: Reporter): void {
  if (!plan.files.copyOut.length || ending === "exited" || ending === "skipped") return;
  const why = ending === "timeout" ? "it timed out" : ending === "interrupted" ? "it was interrupted" : ending === "detached" ? "the session detached" : "its output stream was lost";
  report.warn(`--copy-out skipped: the one-off did not finish by itself (${why}), so its files may be partial`);
}

/** For --dry-run and the audit log: paths only. */
export function describePayload(plan: RunPlan): Record<string, string[]> {
  const pairs = (copies: RunPlan["files"]["copyIn"], direction: "in" | "out") =>
    copies.map((copy) => (direction === "in" ? `${copy.local} -> ${copy.container}` : `${copy.container} -> ${copy.local}`));
  return {
    ...(plan.files.copyIn.length ? { copyIn: pairs(plan.files.copyIn, "in") } : {}),
    ...(plan.files.copyOut.length ? { copyOut: pairs(plan.files.copyOut, "out") } : {}),
  };
}
