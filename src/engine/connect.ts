/**
 * Builds the engine adapter for the environment. The adapter module (and dockerode with it)
 * is imported only here, on demand, so commands that never talk to an engine start fast.
 */
import { connectionFromEnv } from "./docker/connection.js";
import type { ContainerEngine } from "./types.js";

export async function connectEngine(env: Readonly<Record<string, string | undefined>>): Promise<ContainerEngine> {
  const connection = connectionFromEnv(env);
  const { DockerEngine } = await import("./docker/engine.js");
  return new DockerEngine(connection);
}
