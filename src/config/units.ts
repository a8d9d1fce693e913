/** Docker's memory notation: a number of bytes or a number with b, k, m or g (powers of 1024). */
const MEMORY = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i;
const FACTOR: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseMemory(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = MEMORY.exec(value.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * (FACTOR[(match[2] ?? "").toLowerCase()] as number));
  return bytes > 0 ? bytes : undefined;
}

/** `--cpus 1.5` as the Engine API's NanoCpus. */
export function parseCpus(value: string | number): number | undefined {
  const cpus = typeof value === "number" ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  const nanoCpus = Number.isFinite(cpus) ? Math.round(cpus * 1e9) : 0;
  // Below one nano-CPU would round to 0, which the Engine API reads as "no limit".
  return nanoCpus > 0 ? nanoCpus : undefined;
}
