/**
 * -e/--env and --env-file: the environment, a row of settings/table.ts. Its parser reads the
 * caller's environment (a bare NAME takes its value, as the docker CLI does); a name unset
 * there is "unset here" (null), sent bare so the container does not get the image's NAME. Layers
 * merge it key by key, a value standing over a null. Pure.
 *
 * Two things write the plan's environment outside the row's layers, each for a reason:
 * plan/secret-env.ts puts env-delivered secrets in once they are read (after planning, which
 * reads no secret), and plan/resolve.ts gives a terminal session the local TERM under every
 * other layer (it depends on the terminal chosen, which the layers decide).
 */
import { keyValueFileLines } from "./key-value-file.js";
import { envNameProblem, envValueProblem, PER_CONTAINER_ENV } from "../formats/env-rules.js";
import { ownValue, userKeyed } from "../formats/user-keys.js";
import { splitEntry } from "../formats/runtime-values.js";
import { isSecretName, redactEnvList, redactEnvValue } from "../output/redact.js";
import type { EnvSetting } from "../types/config.js";
import { Problem, type EngineDefaults, type ParseContext, type SettingRow } from "./row.js";

const ENV_HINT = "use -e KEY=VALUE, or -e KEY to pass KEY from your environment";

/**
 * -e's entries in order: NAME=value, or a bare NAME that takes the caller's value, and is
 * "unset here" (null) when the caller has none. A later value wins; a null never replaces a
 * value (`-e A=1 -e A` keeps 1), and a value given after a null goes where a value alone would.
 */
export function parseEnvEntries(entries: readonly string[], context: ParseContext): EnvSetting | Problem {
  const env: EnvSetting = userKeyed<string | null>();
  for (const [index, entry] of entries.entries()) {
    const [name, given] = splitEntry(entry);
    const problem = envNameProblem(name);
    if (problem) {
      // Only the name is shown: the value may be a secret.
      const shown = given === undefined ? entry : `${name}=...`;
      return new Problem(problem, ENV_HINT, { entry: shown.length > 60 ? `${shown.slice(0, 60)}...` : shown, index });
    }
    const value = given ?? ownValue(context.env, name);
    if (value === undefined) {
      if (!Object.hasOwn(env, name)) env[name] = null;
      continue;
    }
    if (env[name] === null) delete env[name];
    env[name] = value;
  }
  return env;
}

/**
 * A --env-file's entries, as the docker CLI reads the file (docker/cli opts/file.go): a UTF-8
 * BOM dropped; each line's leading whitespace dropped; blank lines and lines starting with `#`
 * skipped; the rest `NAME=value` taken literally (quotes, a `#` after the start and trailing
 * spaces are part of the value), or a bare NAME that takes the caller's value, left out when it
 * has none. No `export`, no quoting, no interpolation: those are compose's env files'
 * (config/dotenv.ts, oneoff.yaml's and compose's env_file:). What is wrong is the line and why.
 */
export function dockerEnvFileEntries(text: string, context: ParseContext): string[] | { line: number; problem: string } {
  const entries: string[] = [];
  for (const { number, name, value: written } of keyValueFileLines(text)) {
    if (/[ \t]/.test(name)) return { line: number, problem: `variable "${name}" contains whitespace` };
    const nameProblem = envNameProblem(name);
    if (nameProblem) return { line: number, problem: nameProblem };
    const value = written ?? ownValue(context.env, name);
    if (value === undefined) continue;
    const valueProblem = envValueProblem(name, value);
    if (valueProblem) return { line: number, problem: valueProblem };
    entries.push(`${name}=${value}`);
  }
  return entries;
}

/** The Engine API's Env list: the values in order, then the names sent bare (unset here). */
function envList(env: EnvSetting): string[] {
  const entries = Object.entries(env);
  return [
    ...entries.flatMap(([name, value]) => (value === null ? [] : [`${name}=${value}`])),
    ...entries.flatMap(([name, value]) => (value === null ? [name] : [])),
  ];
}

/** An Env list (a create body's, a container's, a service's) as the setting, less what the engine sets itself. */
function envOfList(value: unknown, defaults: EngineDefaults): EnvSetting | undefined {
  if (!Array.isArray(value)) return undefined;
  const env: EnvSetting = userKeyed<string | null>();
  for (const entry of value as string[]) {
    const [name, value] = splitEntry(entry);
    if (!defaults.engineEnv?.has(name)) env[name] = value ?? null;
  }
  return env;
}

/** A variable's value as diff shows it: never a secret's (only whether it differs). */
function shownInDiff(name: string, value: string | undefined, same: boolean): string {
  if (value === undefined) return "(unset)";
  if (isSecretName(name)) return same ? "(secret)" : "(secret, differs)";
  return redactEnvValue(name, value);
}

/**
 * The environment: Config.Env of the create body (and a job's ContainerSpec.Env); the docker
 * run line's -e entries, secret values masked; diff's `env NAME` rows. oneoff.yaml's env: and
 * compose's environment: are read by config/ (interpolated, with env_file:).
 */
export function envRow(): SettingRow<"env"> {
  return {
    name: "env",
    shape: "map",
    flag: "--env",
    short: "-e",
    shownFlag: "-e",
    argument: "<KEY[=VALUE]>",
    repeatable: true,
    help: "set an environment variable; KEY alone passes your own value (repeatable)",
    example: "GREETING=hello",
    configKeys: { yaml: "env", compose: "environment" },
    byKey: true,
    file: {
      flag: "--env-file",
      help: "read environment variables from a file (repeatable)",
      entries: dockerEnvFileEntries,
      lines: "NAME=value, one per line, as docker run --env-file reads it",
      ownLayers: true,
    },
    parse: (given, context) => parseEnvEntries(given, context),
    api: { part: "Config", field: "Env", write: envList, read: envOfList },
    words: envList,
    shownWords: (env) => redactEnvList(envList(env)),
    diffByKey: { shown: shownInDiff },
    jobField: "Env",
  };
}

/** A running container's (or an image's, or a service's) Env list, as the env row reads it back: less HOSTNAME. */
export function runningEnv(list: readonly string[]): EnvSetting {
  return envOfList(list, { engineEnv: PER_CONTAINER_ENV }) as EnvSetting;
}
