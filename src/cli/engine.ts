/**
 * The engine a command talks to, as the library's calls find it (pipeline/engine-of.ts), from
 * this process's working directory and environment. Loaded when a command needs an engine.
 */
import type { EngineFlags } from "../config/environments.js";
import type { ContainerEngine } from "../engine/types.js";

export async function engineFor(flags: EngineFlags, configPath?: string): Promise<ContainerEngine> {
  const { engineOf } = await import("../pipeline/engine-of.js");
  return engineOf({ ...flags, ...(configPath ? { config: configPath } : {}) }, { cwd: process.cwd(), env: process.env });
}
