/**
 * The client of the engine a command or library call talks to: a test's own when it passes one
 * (RunContext's `client`), else the engine --host, --context and --env-name (or their library
 * names) name, then DOCKER_HOST, DOCKER_CONTEXT and the docker CLI's current context
 * (engine/docker/locate.ts). oneoff.yaml is read only when an environment is named (envName or
 * ONEOFF_ENV), from the caller's working directory. The CLI reaches it through cli/client.ts,
 * which loads it when a command first needs an engine.
 */
import { engineChoice, pickEnvironment, type EngineFlags } from "../config/environments.js";
import { loadAppConfig } from "../config/load.js";
import { connectEngine } from "../engine/connect.js";
import type { ContainerEngine } from "../engine/types.js";
import type { RunContext } from "../types/context.js";

/** Which engine, as the CLI's -H, -c and --env-name say, and the config file an environment is read from. */
export interface EngineOptions extends EngineFlags {
  config?: string;
}

export async function clientOf(options: EngineOptions, where: Pick<RunContext, "cwd" | "env" | "client">): Promise<ContainerEngine> {
  if (where.client) return where.client;
  const named = options.envName ?? where.env.ONEOFF_ENV;
  const config = named ? await loadAppConfig(options.config, where.cwd, where.env) : undefined;
  return connectEngine(where.env, engineChoice(options, pickEnvironment(config, options.envName, where.env)));
}
