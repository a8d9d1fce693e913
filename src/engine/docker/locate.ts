/**
 * Which engine a command talks to, with the docker CLI's precedence and one step of oneoff's
 * own (an environment of oneoff.yaml, picked by name, between the flags and the variables):
 *
 *   --host > --context > the environment's host/context > DOCKER_HOST > DOCKER_CONTEXT
 *   > currentContext in $DOCKER_CONFIG/config.json > unix:///var/run/docker.sock
 *
 * Pure: the docker config folder comes in as a DockerContexts (contexts.ts reads it).
 */
import { OneoffError } from "../../output/errors.js";
import { connectionFromAddress, connectionFromEnv, tlsFromEnv, type Connection } from "./connection.js";
import type { DockerContexts } from "./contexts.js";

/** What the user chose for this command. */
export interface EngineChoice {
  /** --host / -H */
  host?: string;
  /** --context */
  context?: string;
  /** The environment named by --env-name or ONEOFF_ENV, as oneoff.yaml defines it. */
  environment?: { name: string; host?: string; context?: string };
}

export interface LocatedEngine {
  connection: Connection;
  /** Why this engine, for --dry-run and messages: "--context prod", "DOCKER_HOST", ... */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function locateEngine(choice: EngineChoice, env: Env, config: DockerContexts): LocatedEngine {
  if (choice.host && choice.context) {
    throw new OneoffError("--host and --context both name the engine", { hint: "keep one of them, as with docker" });
  }
  if (choice.host) return { connection: connectionFromAddress(choice.host, "--host", tlsFromEnv(env)), source: "--host" };
  if (choice.context) return fromContext(choice.context, `--context ${choice.context}`, env, config);
  const environment = choice.environment;
  if (environment?.host) {
    return {
      connection: connectionFromAddress(environment.host, `environment ${environment.name}`, tlsFromEnv(env)),
      source: `environment ${environment.name}`,
    };
  }
  if (environment?.context)
    return fromContext(environment.context, `environment ${environment.name} (context ${environment.context})`, env, config);
  if (env.DOCKER_HOST?.trim()) return { connection: connectionFromEnv(env), source: "DOCKER_HOST" };
  if (env.DOCKER_CONTEXT?.trim()) return fromContext(env.DOCKER_CONTEXT.trim(), `DOCKER_CONTEXT ${env.DOCKER_CONTEXT.trim()}`, env, config);
  const current = config.currentContext();
  if (current) return fromContext(current, `context ${current} (currentContext in ${config.dir}/config.json)`, env, config);
  return { connection: connectionFromEnv(env), source: "the default socket" };
}

function fromContext(name: string, source: string, env: Env, config: DockerContexts): LocatedEngine {
  // As with docker: the context named "default" is DOCKER_HOST, or the local socket.
  if (name === "default") return { connection: connectionFromEnv(env), source };
  const context = config.context(name);
  if (!context) {
    throw new OneoffError(`context "${name}" not found in ${config.dir}/contexts`, {
      hint: "docker context ls lists the contexts; DOCKER_CONFIG chooses the folder",
    });
  }
  const tls =
    context.skipTlsVerify || Object.keys(context.tls).length > 0 ? { ...context.tls, skipVerify: context.skipTlsVerify } : undefined;
  return { connection: connectionFromAddress(context.host, `context ${name}`, tls), source };
}

/** The engine as --dry-run shows it: where, and why; certificate paths, never their contents. */
export function describeEngine(located: LocatedEngine): { endpoint: string; source: string; tls?: "verified" | "unverified" } {
  const { connection } = located;
  const tls = connection.kind === "tcp" && connection.tls ? (connection.tls.skipVerify ? "unverified" : "verified") : undefined;
  return { endpoint: connection.endpoint, source: located.source, ...(tls ? { tls } : {}) };
}
