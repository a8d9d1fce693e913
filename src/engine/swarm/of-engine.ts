/** The Swarm side of an engine, for a job one-off; refused in one line where there is none. */
import { OneoffError } from "../../output/errors.js";
import type { ContainerEngine } from "../types.js";
import type { SwarmJobs } from "./types.js";

/** The engine's Swarm side; an engine adapter without one cannot run jobs. */
export function swarmOf(engine: ContainerEngine): SwarmJobs {
  if (!engine.swarm) throw new OneoffError(`the engine at ${engine.endpoint} cannot run Swarm jobs`, { hint: "use --engine docker" });
  return engine.swarm();
}
