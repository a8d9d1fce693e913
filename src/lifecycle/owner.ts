/**
 * Who owns an attached one-off: `host:pid:start:place`, where start is the process's start
 * time in clock ticks since boot (Linux), so a reused PID is not mistaken for the owner, and
 * place says which PID space the PID belongs to: `BOOT.PIDNS.MACHINE`, a hash of the kernel's
 * boot ID, the PID namespace's inode, and a hash of /etc/machine-id ("-" when there is none).
 *
 * A host name alone is not enough: two containers, or two machines, may share one and an
 * engine; their PIDs mean nothing to each other. A reaper judges an owner only when it is sure
 * the PID is one it can see (same boot, same PID namespace), or that the whole machine has
 * restarted since (same machine ID and host, another boot, both in the initial namespace).
 * Everything else is "unknown", and unknown is never reaped.
 */
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import { createHash } from "node:crypto";

export interface Owner {
  host: string;
  pid: number;
  /** Clock ticks since boot, from /proc/PID/stat; undefined where /proc is not there. */
  start: number | undefined;
  /** Where the PID lives; undefined on labels written before oneoff recorded it, or without /proc. */
  place?: Place;
}

export interface Place {
  /** 12 hex digits of a hash of /proc/sys/kernel/random/boot_id. */
  boot: string;
  /** The PID namespace's inode (/proc/self/ns/pid). */
  pidNamespace: number;
  /** 12 hex digits of a hash of /etc/machine-id; undefined without one. */
  machine: string | undefined;
}

export type Liveness = "alive" | "dead" | "unknown";

/** The kernel's fixed inode for the initial PID namespace (PROC_PID_INIT_INO). */
const INITIAL_PID_NAMESPACE = 0xeffffffc;

export function formatOwner(owner: Owner): string {
  const place = owner.place ? `:${owner.place.boot}.${owner.place.pidNamespace}.${owner.place.machine ?? "-"}` : "";
  return `${owner.host}:${owner.pid}${owner.start === undefined ? "" : `:${owner.start}`}${owner.start === undefined ? "" : place}`;
}

export function parseOwner(text: string | undefined): Owner | undefined {
  // Host names hold no colon, so the first one ends the host.
  const match = text ? /^([^:]+):(\d+)(?::(\d+)(?::([0-9a-f]{12})\.(\d+)\.([0-9a-f]{12}|-))?)?$/.exec(text) : null;
  if (!match) return undefined;
  const owner: Owner = { host: match[1] as string, pid: Number(match[2]), start: match[3] === undefined ? undefined : Number(match[3]) };
  if (match[4] !== undefined)
    owner.place = { boot: match[4], pidNamespace: Number(match[5]), machine: match[6] === "-" ? undefined : match[6] };
  return owner;
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

const shortHash = (text: string) => createHash("sha256").update(`oneoff:${text.trim()}`).digest("hex").slice(0, 12);

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

let placeOfThisProcess: Place | undefined | null = null;

/** This process's PID space; undefined where /proc does not say (not Linux). */
export function currentPlace(): Place | undefined {
  if (placeOfThisProcess !== null) return placeOfThisProcess;
  const boot = readOr("/proc/sys/kernel/random/boot_id");
  let pidNamespace: number | undefined;
  try {
    pidNamespace = Number(/\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1]);
  } catch {
    pidNamespace = undefined;
  }
  // The machine ID is meant to stay private: only a hash of it goes into a label.
  const machine = readOr("/etc/machine-id") ?? readOr("/var/lib/dbus/machine-id");
  placeOfThisProcess =
    boot && pidNamespace ? { boot: shortHash(boot), pidNamespace, machine: machine ? shortHash(machine) : undefined } : undefined;
  return placeOfThisProcess;
}

export function currentOwner(): Owner {
  return { host: os.hostname(), pid: process.pid, start: processStartTime(process.pid), place: currentPlace() };
}

export interface Vantage {
  host: string;
  place: Place | undefined;
  startOf: (pid: number) => number | undefined;
  exists: (pid: number) => boolean;
}

function thisVantage(): Vantage {
  return { host: os.hostname(), place: currentPlace(), startOf: processStartTime, exists: pidExists };
}

/** Whether `owner` still runs, as far as this process can know. Pure given the vantage. */
export function ownerLiveness(owner: Owner, here: Vantage = thisVantage()): Liveness {
  const mine = here.place;
  const theirs = owner.place;
  if (theirs === undefined || mine === undefined) {
    // Only where neither side can tell its place (no /proc) is the host name all there is to
    // go by; a label without one (an older oneoff) is not comparable with one that has it.
    if (theirs !== undefined || mine !== undefined || owner.host !== here.host) return "unknown";
    return processLiveness(owner, here);
  }
  if (theirs.boot === mine.boot && theirs.pidNamespace === mine.pidNamespace) return processLiveness(owner, here);
  const sameMachineRestarted =
    theirs.boot !== mine.boot &&
    theirs.machine !== undefined &&
    theirs.machine === mine.machine &&
    owner.host === here.host &&
    theirs.pidNamespace === INITIAL_PID_NAMESPACE &&
    mine.pidNamespace === INITIAL_PID_NAMESPACE;
  return sameMachineRestarted ? "dead" : "unknown";
}

/** For reaping: only an owner known to be dead counts as gone. */
export function ownerAlive(owner: Owner, here?: Vantage): boolean {
  return ownerLiveness(owner, here) !== "dead";
}

function processLiveness(owner: Owner, here: Vantage): Liveness {
  if (!here.exists(owner.pid)) return "dead";
  if (owner.start === undefined) return "alive";
  const start = here.startOf(owner.pid);
  return start === undefined || start === owner.start ? "alive" : "dead";
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
