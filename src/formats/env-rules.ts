/**
 * What an environment variable may be, the same wherever it comes from (-e, env:, env files):
 * docker's rule for names (not empty, no "=", no whitespace), and the kernel's limits, which
 * otherwise surface as a baffling "argument list too long" from inside the container.
 */
import { ownValue } from "./user-keys.js";
import { splitEntry } from "./runtime-values.js";

/** Linux refuses any single argument or environment string longer than this (MAX_ARG_STRLEN). */
export const MAX_ENTRY_BYTES = 128 * 1024;

/** Why `name` cannot be an environment variable name, or undefined when it can. */
export function envNameProblem(name: string): string | undefined {
  if (name === "") return "the variable name is empty";
  if (name.includes("=")) return `variable name "${name}" contains "="`;
  if (/\s/.test(name)) return `variable name "${name}" contains whitespace`;
  if (name.includes("\0")) return `variable name "${name}" contains a NUL byte`;
  return undefined;
}

/** Why NAME=value cannot reach a process, or undefined when it can. */
export function envValueProblem(name: string, value: string): string | undefined {
  if (value.includes("\0")) return `the value of ${name} contains a NUL byte, which no process can receive`;
  const bytes = Buffer.byteLength(`${name}=${value}`) + 1;
  if (bytes > MAX_ENTRY_BYTES) return `${name} is ${bytes} bytes; Linux refuses a variable over 128 KiB`;
  return undefined;
}

/** Why an argv word cannot reach a process, or undefined when it can. */
export function argumentProblem(word: string): string | undefined {
  if (word.includes("\0")) return "an argument contains a NUL byte, which no process can receive";
  const bytes = Buffer.byteLength(word) + 1;
  if (bytes > MAX_ENTRY_BYTES) return `an argument is ${bytes} bytes; Linux refuses one over 128 KiB`;
  return undefined;
}

/** Values that belong to one container, not to the process type: never copied or compared. */
export const PER_CONTAINER_ENV: ReadonlySet<string> = new Set(["HOSTNAME"]);

/**
 * The value an env entry gives: `KEY=VALUE` its own, a bare `KEY` the invoking environment's
 * (undefined when unset there: such a variable is left out, as docker does).
 */
export function envEntryValue(entry: string, hostEnv: Readonly<Record<string, string | undefined>>): string | undefined {
  const [name, value] = splitEntry(entry);
  return value ?? ownValue(hostEnv, name);
}
