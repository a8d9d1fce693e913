/** The Swarm side of an engine, for a job one-off; refused in one line where there is none. */
import { OneoffError } from "../../output/errors.js";
import type { ContainerEngine } from "../types.js";
import type { SwarmJobs } from "./types.js";

/** The engine's Swarm side; an engine adapter without one cannot run jobs. */
export function swarmOf(client: ContainerEngine): SwarmJobs {
  if (!client.swarm) throw new OneoffError(`the engine at ${client.endpoint} cannot run Swarm jobs`, { hint: "use --engine docker" });
  return client.swarm();
}
