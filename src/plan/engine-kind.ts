/**
 * What kind of one-off runs (--engine): a container on the Docker engine, or a job on the
 * Swarm that engine manages. (Which engine is talked to, --host/--context, is environments.ts
 * and engine/docker/locate.ts.) Pure; used by resolve.ts.
 */
import { OneoffError } from "../output/errors.js";
import type { Environment } from "../config/interpolate.js";
import type { RunOptions } from "../types/options.js";
import { ENGINE_KINDS, type AppConfig, type EngineKind } from "../types/config.js";
import { CONSTRAINT_FIX, CONSTRAINT_PROBLEM, isConstraint } from "../config/value-rules.js";

export function backendOf(
  options: Pick<RunOptions, "engine" | "constraint" | "detach">,
  config: Pick<AppConfig, "engine" | "constraints"> | undefined,
  hostEnv: Environment,
  { interactive, tty }: { interactive: boolean; tty: boolean },
): { backend: EngineKind; constraints: string[] } {
  const fromEnv = hostEnv.ONEOFF_ENGINE?.trim() || undefined;
  if (fromEnv && !ENGINE_KINDS.includes(fromEnv as EngineKind)) {
    throw new OneoffError(`ONEOFF_ENGINE="${fromEnv}" is not an engine`, { hint: `use one of ${ENGINE_KINDS.join(", ")}` });
  }
  const engine = options.engine ?? (fromEnv as EngineKind | undefined) ?? config?.engine ?? "docker";
  const constraints = [...(config?.constraints ?? []), ...(options.constraint ?? [])];
  if (engine !== "swarm") {
    if (options.constraint?.length)
      throw new OneoffError("--constraint places Swarm jobs", { hint: "add --engine swarm, or drop --constraint" });
    return { backend: engine, constraints: [] };
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
  return { backend: engine, constraints };
}
