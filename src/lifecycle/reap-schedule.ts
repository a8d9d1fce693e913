/**
 * When the watchdog reaps orphans: at most once per REAP_EVERY_MS per user and engine, as a
 * stamp file in the user's state folder says (its time is the last reap). Read by oneoff as a
 * run ends, to say whether its watchdog should start Node at all, and written by the watchdog.
 */
import { lstatSync } from "node:fs";
import path from "node:path";
import { sha256Hex } from "../formats/sha256.js";
import { stateDir } from "./audit.js";

export const REAP_EVERY_MS = 10 * 60_000;

type Env = Readonly<Record<string, string | undefined>>;

export function reapStampPath(env: Env, endpoint: string): string {
  const which = sha256Hex(endpoint).slice(0, 12);
  return path.join(stateDir(env), `reaped-${which}`);
}

/** Whether the last reap of this engine (by this user) is older than REAP_EVERY_MS, or unknown. */
export function reapDue(env: Env, endpoint: string, now = Date.now()): boolean {
  try {
    return now - lstatSync(reapStampPath(env, endpoint)).mtimeMs >= REAP_EVERY_MS;
  } catch {
    return true; // no stamp yet
  }
}
