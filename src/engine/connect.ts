/**
 * Builds the engine adapter for a command: which engine (locate.ts, from the flags, the
 * environment, DOCKER_* and the docker CLI's contexts), then the adapter for it. The adapter
 * module (and dockerode with it) is imported only here, on demand, so commands that never talk
 * to an engine start fast.
 */
import type { Connection } from "./docker/connection.js";
import { dockerConfigAt, dockerConfigDir } from "./docker/contexts.js";
import { describeEngine, locateEngine, type EngineChoice, type LocatedEngine } from "./docker/locate.js";
import type { ContainerEngine } from "./types.js";

export { describeEngine };
export type { Connection, EngineChoice, LocatedEngine };

type Env = Readonly<Record<string, string | undefined>>;

/** Which engine `choice` and the environment name, without connecting (reads docker's config folder). */
export function locate(env: Env, choice: EngineChoice = {}): LocatedEngine {
  return locateEngine(choice, env, dockerConfigAt(dockerConfigDir(env)));
}

export async function connectEngine(env: Env, choice: EngineChoice = {}): Promise<ContainerEngine> {
  return connectTo(locate(env, choice).connection);
}

export interface ConnectOptions {
  /** Fail any request that takes longer (for processes that must end, like the watchdog); default none. */
  requestTimeoutMs?: number;
}

export async function connectTo(connection: Connection, options: ConnectOptions = {}): Promise<ContainerEngine> {
  const { DockerEngine } = await import("./docker/engine.js");
  return new DockerEngine(connection, options.requestTimeoutMs);
}
