/**
 * What a run gives back. Plain data at the bottom of the house: it imports only types.
 */
import type { RunKind } from "./plan.js";

/** How a one-off ended, for reports and the audit log. */
export type Ending = "exited" | "timeout" | "interrupted" | "output-lost" | "output-failed" | "detached" | "skipped";

export interface RunResult {
  /** The command's exit code (124 timed out; 128+n when oneoff killed it after an interrupt). */
  exitCode: number;
  /**
   * The one-off's ID on the engine: the container's, or for a job its Swarm service's (what
   * `oneoff logs`, `stop` and `wait` take). Empty when nothing was created: --dry-run, a
   * release task already done.
   */
  id: string;
  /** What it ran as: a container, or a Swarm job. */
  kind: RunKind;
  /** Its name on the engine: the container's, or for a job its Swarm service's. */
  name: string;
  imageId: string;
  releaseReference: string;
  app: string;
  task?: string;
  command: string[];
  /** How it ended; "detached" when it was started and left running. */
  ending: Ending | "detached" | "dry-run";
  signal?: string;
  /** When ending is "output-failed": which stream could not be written, and why. */
  outputFailure?: string;
  startedAt: Date;
  endedAt: Date;
  /** For a Swarm job: its service, the node its task ran on, ms from create to the exit code seen. */
  job?: { serviceId: string; nodeId?: string; createToExitMs?: number };
  /** What oneoff warned of before it ran (one line each, without `oneoff: `): see RunPlan.warnings. */
  warnings?: string[];
  /** The command's output, with `capture` (and --json --capture). */
  output?: { stdout: Buffer; stderr: Buffer; truncated: boolean };
}
