import { goFloat, goRational } from "./go-numbers.js";

/** Binary multipliers of go-units' RAMInBytes, by the suffix's first letter (any case). */
const FACTOR: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A size as the docker CLI reads --memory, --shm-size and the other sizes (go-units'
 * RAMInBytes): a number as Go reads it (1.5, .5, 1e8, 0x1p30), one space at most, then b, or k,
 * m, g, t or p with b or ib after it if any, in any case (64MiB, 64MB, 64 m); whole bytes,
 * rounded down. 0 is 0 (to docker: no limit). Undefined where docker refuses it, and beyond 2^53-1
 * bytes, which the Engine API's JSON cannot be sent exactly (no host has that much).
 */
export function ramInBytes(text: string): number | undefined {
  // The number ends at the last digit, point or space; a space there is the one between.
  const end = Math.max(...[..."0123456789. "].map((mark) => text.lastIndexOf(mark)));
  if (end < 0) return undefined;
  const number = goFloat(text.slice(0, text[end] === " " ? end : end + 1));
  const suffix = text.slice(end + 1).toLowerCase();
  if (number === undefined || number < 0) return undefined;
  const factor = suffix === "" || suffix === "b" ? 1 : /^[kmgtp](b|ib)?$/.test(suffix) ? FACTOR[suffix[0] as string] : undefined;
  if (factor === undefined) return undefined;
  // Rounded toward 0, as Go's int64(); -0 (docker takes "-0") as 0.
  const bytes = Math.trunc(number * factor) + 0;
  return bytes <= Number.MAX_SAFE_INTEGER ? bytes : undefined;
}

/** A size that must be above 0 (a tmpfs, --copy-out-limit), in docker's notation; a number is bytes. */
export function parseMemory(value: string | number): number | undefined {
  const bytes = typeof value === "number" ? (Number.isInteger(value) ? value : undefined) : ramInBytes(value);
  return bytes !== undefined && bytes > 0 && bytes <= Number.MAX_SAFE_INTEGER ? bytes : undefined;
}

/**
 * `--cpus` as the docker CLI reads it: a number as Go's big.Rat reads it (1.5, .5, 3/2, 1e-1,
 * 0x1), in billionths of a CPU (the Engine API's NanoCpus), which must come out whole; 0 is no
 * limit. What is wrong with it otherwise, in a few words: "not a number" and "too precise" (the
 * docker CLI refuses both), "below 0" (it sends it, and the engine refuses it), "too large" (past
 * 2^53-1 NanoCpus, which the Engine API's JSON cannot be sent exactly).
 */
export function parseCpus(text: string): number | "not a number" | "too precise" | "below 0" | "too large" {
  const cpus = goRational(text);
  if (cpus === undefined) return "not a number";
  const nanoCpus = cpus.numerator * 1_000_000_000n;
  if (nanoCpus % cpus.denominator !== 0n) return "too precise";
  const whole = nanoCpus / cpus.denominator;
  if (whole < 0n) return "below 0";
  return whole <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(whole) : "too large";
}

/**
 * `90`, `90s`, `10m`, `1h30m`, `1.5h`, `500ms` -> milliseconds: a duration as the CLI and
 * oneoff.yaml write it (a bare number is seconds, as docker reads one).
 */
export function parseDuration(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return secondsToMs(Number(text));
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * (factor[match[2] as string] as number);
    consumed = part.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? wholeMs(total) : undefined;
}

/** A number of seconds (oneoff.yaml's `timeout: 90`) -> milliseconds; undefined unless at least 1 ms. */
export const secondsToMs = (seconds: number): number | undefined => wholeMs(seconds * 1000);

/**
 * Milliseconds rounded to whole ones, undefined unless finite and at least 1: a duration that
 * rounds to 0 would be a timer that fires at once (0 is not "none" here; the flags say so).
 */
export function wholeMs(ms: number): number | undefined {
  const whole = Math.round(ms);
  return Number.isFinite(whole) && whole > 0 ? whole : undefined;
}

/**
 * The longest delay a Node timer takes (2^31-1 ms, about 24.8 days): a longer one fires after
 * 1 ms, with a warning. Timeouts and stop timeouts above it are refused where they are read.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_TEXT = "596h (about 24 days)";

/** 600000 -> "10m", 5400000 -> "1h30m": durations as people write them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ""}${minutes ? `${minutes}m` : ""}${seconds || (!hours && !minutes) ? `${seconds}s` : ""}`;
}

/** 134217728 -> "128m": a size as people write it, when a unit divides it exactly; else bytes. */
export function formatSize(bytes: number): string {
  if (bytes === 0) return "0";
  for (const [unit, size] of [
    ["g", 1024 ** 3],
    ["m", 1024 ** 2],
    ["k", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/**
 * An age as people write one for keeping records: `30d`, `2w`, `12h`, `90m`, or combined
 * (`1d12h`); undefined for anything else. Days and weeks, which timeouts never need.
 */
export function parseAge(text: string): number | undefined {
  const part = /(\d+)(w|d|h|m|s)/gy;
  const factor: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
  const trimmed = text.trim();
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * (factor[match[2] as string] as number);
    consumed = part.lastIndex;
  }
  return consumed === trimmed.length && trimmed.length > 0 && total > 0 ? total : undefined;
}
