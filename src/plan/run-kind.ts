/**
 * What kind of one-off runs (--engine, named for the CLI's sake): a container on the Docker
 * engine, or a job on the Swarm that engine manages, as config/kind-choice.ts decides it, with
 * what the plan then asks of a job. (Which engine is talked to, --host and --context, is
 * environments.ts and engine/docker/locate.ts.) Pure; used by resolve.ts.
 */
import { OneoffError } from "../output/errors.js";
import type { Environment } from "../config/interpolate.js";
import { chosenKind } from "../config/kind-choice.js";
import type { RunOptions } from "../types/options.js";
import type { AppConfig } from "../types/config.js";
import type { RunKind } from "../types/plan.js";
import { CONSTRAINT_FIX, CONSTRAINT_PROBLEM, isConstraint } from "../config/value-rules.js";

export function kindOf(
  options: Pick<RunOptions, "engine" | "constraint" | "detach">,
  config: Pick<AppConfig, "engine" | "constraints"> | undefined,
  hostEnv: Environment,
  { interactive, tty }: { interactive: boolean; tty: boolean },
): { kind: RunKind; constraints: string[] } {
  const kind = chosenKind(options, config, hostEnv);
  const constraints = [...(config?.constraints ?? []), ...(options.constraint ?? [])];
  if (kind === "container") {
    if (options.constraint?.length)
      throw new OneoffError("--constraint places Swarm jobs", { hint: "add --engine swarm, or drop --constraint" });
    return { kind: "container", constraints: [] };
  }
  const malformed = options.constraint?.find((constraint) => !isConstraint(constraint));
  if (malformed !== undefined) throw new OneoffError(`--constraint "${malformed}": ${CONSTRAINT_PROBLEM}`, { hint: CONSTRAINT_FIX });
  // A job's container gets no stdin close from Swarm (no StdinOnce), so piped input would
  // never reach EOF; a terminal session ends when its user exits, so it needs no EOF.
  if (interactive && !tty) {
    throw new OneoffError("-i without -t cannot run as a Swarm job: Swarm cannot close a job's stdin, so the command would never see EOF", {
      hint: "use --engine docker for piped input, or copy the input in as a file",
    });
  }
  if (tty && options.detach) throw new OneoffError("a detached Swarm job cannot have a terminal", { hint: "drop -t, or drop --detach" });
  return { kind, constraints };
}
