/**
 * Random hex digits for a run's ID and its container's name, from the kernel's random source.
 * node:crypto's randomBytes reads the same source, but loading node:crypto is sixteen modules
 * and ~0.6 MiB of a run's peak memory on Node 20, for nothing else on a run's way. Where
 * there is no /dev/urandom, node:crypto after all.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";

export function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  try {
    const fd = openSync("/dev/urandom", "r");
    try {
      if (readSync(fd, buffer) === bytes) return buffer.toString("hex");
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not Linux or BSD, or /dev hidden: below.
  }
  const { randomBytes } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return randomBytes(bytes).toString("hex");
}
