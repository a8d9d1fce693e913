/**
 * The engine a command talks to: the global --host, --context and --env-name flags, then
 * DOCKER_HOST, DOCKER_CONTEXT and the docker CLI's current context (engine/docker/locate.ts).
 * oneoff.yaml is read only when an environment is named (--env-name or ONEOFF_ENV).
 */
import type { EngineFlags } from "../config/environments.js";
import type { ContainerEngine } from "../engine/types.js";

export async function engineFor(flags: EngineFlags, configPath?: string): Promise<ContainerEngine> {
  const [{ connectEngine }, { engineChoice }, { loadAppConfig }] = await Promise.all([
    import("../engine/connect.js"),
    import("../config/environments.js"),
    import("../config/load.js"),
  ]);
  const named = flags.envName ?? process.env.ONEOFF_ENV;
  const config = named ? loadAppConfig(configPath, process.cwd(), process.env) : undefined;
  return connectEngine(process.env, engineChoice(flags, config, process.env));
}
