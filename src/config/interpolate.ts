/**
 * `${VAR}` interpolation with the syntax users know from docker compose:
 *   $VAR / ${VAR}      required: unset is an error (compose only warns; a one-off against
 *                      production with an empty DATABASE_URL is worse than no one-off)
 *   ${VAR:-default}    default when unset or empty;  ${VAR-default} default when unset
 *   ${VAR:?message}    error with message when unset or empty;  ${VAR?message} when unset
 *   ${VAR:+other}      other when set and not empty, else "";  ${VAR+other} other when set
 *   $$                 a literal $
 * Defaults may themselves hold ${...}. Pure: the environment is passed in.
 */
import { ownValue } from "../formats/user-keys.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly variable: string | undefined,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * A variable that is not set (or `${VAR:?message}`'s own error): unlike a syntax error it
 * depends on who runs oneoff, so the config can still be read and the error raised only where
 * the value is used.
 */
export class UnsetVariableError extends InterpolationError {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, env: Environment): string {
  return expand(text, env, { defaulted: false });
}

/**
 * The value, and whether it is only a fallback: some variable it names was missing and the
 * expression gave something in its place (`${VAR:-x}`, `${VAR+x}`...). --from lets the running
 * process's own value stand over such a value.
 */
export function interpolateWithDefaults(text: string, env: Environment): { value: string; defaulted: boolean } {
  const taken = { defaulted: false };
  const value = expand(text, env, taken);
  return { value, defaulted: taken.defaulted };
}

/** Set when a fallback stood in for a missing variable. */
interface Fallbacks {
  defaulted: boolean;
}

function expand(text: string, env: Environment, fallbacks: Fallbacks): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = matchingBrace(text, dollar + 2);
      if (close < 0) {
        throw new InterpolationError(`unclosed "\${" in "${text}"`, undefined, 'close it with "}", or write $$ for a literal $');
      }
      out += expandBraced(text.slice(dollar + 2, close), env, fallbacks);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (!name) {
        throw new InterpolationError(`invalid interpolation "$${next ?? ""}" in "${text}"`, undefined, "write $$ for a literal $");
      }
      out += required(name, env);
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}" && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function expandBraced(inner: string, env: Environment, fallbacks: Fallbacks): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) {
    throw new InterpolationError(
      `invalid variable name in "\${${inner}}"`,
      undefined,
      "names are letters, digits and _, not starting with a digit",
    );
  }
  const rest = inner.slice(name.length);
  if (rest === "") return required(name, env);
  const value = ownValue(env, name);
  const unset = value === undefined;
  const unsetOrEmpty = unset || value === "";
  const operator = /^(:?[-?+])/.exec(rest)?.[1];
  if (!operator) {
    throw new InterpolationError(
      `invalid interpolation "\${${inner}}"`,
      name,
      "use ${VAR}, ${VAR:-default}, ${VAR:?message} or ${VAR:+alternative}",
    );
  }
  const argument = rest.slice(operator.length);
  const missing = operator.startsWith(":") ? unsetOrEmpty : unset;
  if (missing && !operator.endsWith("?")) fallbacks.defaulted = true;
  if (operator.endsWith("+")) return missing ? "" : expand(argument, env, fallbacks);
  if (!missing) return value as string;
  if (operator.endsWith("-")) return expand(argument, env, fallbacks);
  const message = argument ? interpolate(argument, env) : `variable ${name} is not set`;
  throw new UnsetVariableError(`${name}: ${message}`, name, `set ${name} in the environment that runs oneoff`);
}

function required(name: string, env: Environment): string {
  const value = ownValue(env, name);
  if (value === undefined) {
    throw new UnsetVariableError(
      `variable ${name} is not set`,
      name,
      `set ${name} in the environment, or give a default with \${${name}:-value}`,
    );
  }
  return value;
}
