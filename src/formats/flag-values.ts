/**
 * The run's duration and size flags, read once where they come in (the CLI's flags, the
 * library's options) into milliseconds and bytes: everything after reads numbers. Each error
 * names the flag; the library renames it to its option on the way out. Pure.
 */
import { OneoffError } from "../output/errors.js";
import { formatSize, MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration, parseMemory } from "./units.js";

/** What --timeout takes for "no timeout", lifting the task's or the app's (0, as docker's timeouts read it). */
const NO_TIMEOUT = ["none", "0"];

/**
 * What one copy-out may write at most, unless --copy-out-limit says otherwise. docker cp has
 * no limit; a one-off's files are untrusted, and a sparse file of a terabyte costs the
 * container nothing but would fill this machine's disk.
 */
export const DEFAULT_COPY_OUT_LIMIT_BYTES = 1024 ** 3;

/** --timeout: milliseconds, or "none" to lift a task's or the app's timeout for this run. */
export function timeoutFlag(text: string): number | "none" {
  if (NO_TIMEOUT.includes(text.trim())) return "none";
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new OneoffError(`--timeout "${text}": not a duration`, {
      hint: "use seconds or a number with s, m or h, such as 10m, or none for no timeout",
    });
  if (ms > MAX_TIMER_MS)
    throw new OneoffError(`--timeout "${text}": longer than oneoff can time`, { hint: `use at most ${MAX_TIMER_TEXT}, or no --timeout` });
  return ms;
}

/** --keep-for: milliseconds. */
export function keepForFlag(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new OneoffError(`--keep-for "${text}": not a duration`, { hint: "use a duration such as 24h or 30m" });
  return ms;
}

/** --wait-lock [DURATION]: milliseconds, or true (the flag alone) for no limit. */
export function waitLockFlag(text: string | true): number | true {
  if (text === true) return true;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new OneoffError(`--wait-lock "${text}": not a duration`, { hint: "use --wait-lock alone, or a duration such as 5m" });
  return ms;
}

/** --copy-out-limit: bytes. */
export function copyOutLimitFlag(text: string): number {
  const bytes = parseMemory(text);
  if (bytes === undefined)
    throw new OneoffError(`--copy-out-limit "${text}": not a size`, {
      hint: `use bytes or a number with k, m or g, such as 4g; the default is ${formatSize(DEFAULT_COPY_OUT_LIMIT_BYTES)}`,
    });
  return bytes;
}
