/**
 * `environments:` in oneoff.yaml: named engines (and, optionally, a release and env of their
 * own) picked with --env-name or ONEOFF_ENV:
 *
 *   environments:
 *     staging:    { context: staging }
 *     production: { host: ssh://deploy@prod.example.com, release: v42, env: { RAILS_ENV: production } }
 *
 * An environment's host/context sits between the --host/--context flags and DOCKER_HOST /
 * DOCKER_CONTEXT (engine/docker/locate.ts); its release/env sit over the app's settings and
 * under ONEOFF_RELEASE, the task's and the flags'.
 *
 * Picking one is on every run's path; reading them from oneoff.yaml is environments-yaml.ts's,
 * so a run without oneoff.yaml never loads the YAML library.
 */
import type { EngineChoice } from "../engine/docker/locate.js";
import { OneoffError } from "../output/errors.js";
import type { AppConfig, EnvironmentDefinition } from "../types/config.js";
import { closest } from "../formats/words.js";

/** The flags that choose the engine (the CLI's global --host, --context, --env-name). */
export interface EngineFlags {
  host?: string;
  dockerContext?: string;
  envName?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The environment --env-name (or else ONEOFF_ENV) names; undefined when neither names one. */
export function pickEnvironment(config: AppConfig | undefined, envName: string | undefined, env: Env): EnvironmentDefinition | undefined {
  const name = (envName ?? env.ONEOFF_ENV)?.trim();
  if (!name) return undefined;
  const from = envName !== undefined ? `--env-name ${name}` : `ONEOFF_ENV=${name}`;
  if (!config?.path) {
    throw new OneoffError(`${from}: no oneoff.yaml here or in any parent directory to define it`, {
      hint: "run it in the app's directory, or pass --config FILE",
    });
  }
  const environment = config.environments?.[name];
  if (environment) return environment;
  const known = Object.keys(config.environments ?? {}).sort();
  const suggestion = closest(name, known);
  throw new OneoffError(
    `${from}: no such environment in ${config.path} (${known.length ? `it has ${known.join(", ")}` : "it defines none"})`,
    {
      hint: suggestion ? `did you mean ${suggestion}?` : "define it under environments:",
    },
  );
}

/**
 * The engine the flags and the environment pickEnvironment picked choose (DOCKER_* and contexts
 * are locate.ts's).
 */
export function engineChoice(flags: EngineFlags, environment: EnvironmentDefinition | undefined): EngineChoice {
  return {
    host: flags.host,
    context: flags.dockerContext,
    environment: environment ? { name: environment.name, host: environment.host, context: environment.context } : undefined,
  };
}
