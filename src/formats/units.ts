/** Docker's memory notation: a number of bytes or a number with b, k, m or g (powers of 1024). */
const MEMORY = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i;
const FACTOR: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseMemory(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 && value <= Number.MAX_SAFE_INTEGER ? value : undefined;
  const match = MEMORY.exec(value.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * (FACTOR[(match[2] ?? "").toLowerCase()] as number));
  // Beyond 2^53 the Engine API's int64 cannot be sent exactly (and no host has that much).
  return bytes > 0 && bytes <= Number.MAX_SAFE_INTEGER ? bytes : undefined;
}

/** `--cpus 1.5` as the Engine API's NanoCpus. */
export function parseCpus(value: string | number): number | undefined {
  const cpus = typeof value === "number" ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  const nanoCpus = Number.isFinite(cpus) ? Math.round(cpus * 1e9) : 0;
  // Below one nano-CPU would round to 0, which the Engine API reads as "no limit".
  return nanoCpus > 0 ? nanoCpus : undefined;
}

/** `90`, `90s`, `10m`, `1h30m`, `1.5h`, `500ms` -> milliseconds (a bare number is seconds). */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * (factor[match[2] as string] as number);
    consumed = part.lastIndex;
  }
  return consumed === text.length && text.length > 0 && total > 0 ? Math.round(total) : undefined;
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
  for (const [unit, size] of [
    ["g", 1024 ** 3],
    ["m", 1024 ** 2],
    ["k", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
