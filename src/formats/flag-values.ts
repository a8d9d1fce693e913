/**
 * The run's duration and size flags, read once where they come in (the CLI's flags, the
 * library's options) into milliseconds and bytes: everything after reads numbers. Each error
 * names the flag; the library renames it to its option on the way out. Pure.
 */
import { OneoffError } from "../output/errors.js";
import { formatSize, MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration, parseMemory, wholeMs } from "./units.js";

/** What --timeout takes for "no timeout", lifting the task's or the app's (0, as docker's timeouts read it). */
const NO_TIMEOUT = ["none", "0"];

/**
 * What one copy-out may write at most, unless --copy-out-limit says otherwise. docker cp has
 * no limit; a one-off's files are untrusted, and a sparse file of a terabyte costs the
 * container nothing but would fill this machine's disk.
 */
export const DEFAULT_COPY_OUT_LIMIT_BYTES = 1024 ** 3;

/**
 * A duration as the CLI writes it (text: "90s", "10m", a bare number of seconds) or as the
 * library gives it (a number of milliseconds), in milliseconds: each form read once, here.
 */
const durationMs = (value: string | number) => (typeof value === "number" ? wholeMs(value) : parseDuration(value));
/** The value as an error quotes it: the library's number with its unit, so 90 is not read as seconds. */
const quoted = (value: string | number) => `"${typeof value === "number" ? `${value}ms` : value}"`;

/** --timeout (text) or the library's `timeout` (ms): milliseconds, or "none" to lift a task's or the app's timeout for this run. */
export function timeoutFlag(value: string | number): number | "none" {
  if (typeof value === "string" && NO_TIMEOUT.includes(value.trim())) return "none";
  const ms = durationMs(value);
  if (ms === undefined)
    throw new OneoffError(`--timeout ${quoted(value)}: not a duration`, {
      hint: "use seconds or a number with s, m or h, such as 10m, or none for no timeout",
    });
  if (ms > MAX_TIMER_MS)
    throw new OneoffError(`--timeout ${quoted(value)}: longer than oneoff can time`, {
      hint: `use at most ${MAX_TIMER_TEXT}, or no --timeout`,
    });
  return ms;
}

/** --keep-for (text) or the library's `keepFor` (ms): milliseconds. */
export function keepForFlag(value: string | number): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new OneoffError(`--keep-for ${quoted(value)}: not a duration`, { hint: "use a duration such as 24h or 30m" });
  return ms;
}

/** --wait-lock [DURATION] (text) or the library's `waitLock` (ms): milliseconds, or true (the flag alone) for no limit. */
export function waitLockFlag(value: string | number | true): number | true {
  if (value === true) return true;
  const ms = durationMs(value);
  if (ms === undefined)
    throw new OneoffError(`--wait-lock ${quoted(value)}: not a duration`, { hint: "use --wait-lock alone, or a duration such as 5m" });
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
