/**
 * The client of the engine a command talks to, as the library's calls find it
 * (pipeline/client-of.ts), from the command's working directory and environment. Loaded when a
 * command needs an engine.
 */
import type { EngineFlags } from "../config/environments.js";
import type { ContainerEngine } from "../engine/types.js";
import type { CliProcess } from "./command.js";

export async function clientFor(where: Pick<CliProcess, "cwd" | "env">, flags: EngineFlags, configPath?: string): Promise<ContainerEngine> {
  // Loaded by the commands that talk to an engine, when they do: --help and the rest never pay for it.
  const { clientOf } = await import("../pipeline/client-of.js");
  return clientOf({ ...flags, ...(configPath ? { config: configPath } : {}) }, { cwd: where.cwd, env: where.env });
}
