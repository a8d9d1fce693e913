/**
 * When the watchdog reaps orphans: at most once per REAP_EVERY_MS per user and engine, as a
 * stamp file in the user's state folder says (its time is the last reap). Read by oneoff as a
 * run ends, to say whether its watchdog should start Node at all, and written by the watchdog.
 */
import { closeSync, constants, futimesSync, lstatSync, openSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { privateStateDir, stateDir } from "./audit.js";

const REAP_EVERY_MS = 10 * 60_000;

type Env = Readonly<Record<string, string | undefined>>;

export function reapStampPath(env: Env, endpoint: string): string {
  return path.join(stateDir(env), reapStampName(endpoint));
}

/** One stamp per engine, named after its address's hash. */
function reapStampName(endpoint: string): string {
  return `reaped-${createHash("sha256").update(endpoint).digest("hex").slice(0, 12)}`;
}

/** Whether the last reap of this engine (by this user) is older than REAP_EVERY_MS, or unknown. */
export function reapDue(env: Env, endpoint: string, now = Date.now()): boolean {
  try {
    return now - lstatSync(reapStampPath(env, endpoint)).mtimeMs >= REAP_EVERY_MS;
  } catch {
    return true; // no stamp yet
  }
}

/**
 * Records that a reap ran now: in the private state folder only (see privateStateDir), never
 * through a link. Where there is none, reaps are not rate-limited, which costs only time.
 */
export function stampReap(env: Env, endpoint: string, now = Date.now()): void {
  let dir: string;
  try {
    dir = privateStateDir(env);
  } catch {
    return;
  }
  const stamp = path.join(dir, reapStampName(endpoint));
  const fd = openSync(stamp, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    futimesSync(fd, now / 1000, now / 1000);
  } finally {
    closeSync(fd);
  }
}
