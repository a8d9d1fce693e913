/**
 * Who owns an attached one-off: `host:pid:start`, where start is the process's start time in
 * clock ticks since boot (Linux), so a reused PID is not mistaken for the owner. A reaper on
 * the same host can then tell whether the owner is gone.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface Owner {
  host: string;
  pid: number;
  /** Clock ticks since boot, from /proc/PID/stat; undefined where /proc is not there. */
  start: number | undefined;
}

export function formatOwner(owner: Owner): string {
  return `${owner.host}:${owner.pid}${owner.start === undefined ? "" : `:${owner.start}`}`;
}

export function parseOwner(text: string | undefined): Owner | undefined {
  // Host names hold no colon, so the first one ends the host.
  const match = text ? /^([^:]+):(\d+)(?::(\d+))?$/.exec(text) : null;
  if (!match) return undefined;
  return { host: match[1] as string, pid: Number(match[2]), start: match[3] === undefined ? undefined : Number(match[3]) };
}

export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime), counted after the parenthesised command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

export function currentOwner(): Owner {
  return { host: os.hostname(), pid: process.pid, start: processStartTime(process.pid) };
}

/** Whether `owner`, a process of this host, still runs. Owners on other hosts count as alive. */
export function ownerAlive(owner: Owner, host: string = os.hostname(), startOf: (pid: number) => number | undefined = processStartTime, exists: (pid: number) => boolean = pidExists): boolean {
  if (owner.host !== host) return true;
  if (!exists(owner.pid)) return false;
  if (owner.start === undefined) return true;
  const start = startOf(owner.pid);
  return start === undefined || start === owner.start;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
