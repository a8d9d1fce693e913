/**
 * A PID namespace of the test's own, whose PID 1 is a `sleep`, and oneoff run inside it
 * (nsenter). An owner label placed in it names a process only what runs inside can judge:
 * every other reap on the engine (the watchdogs and cleanups of the files running beside this
 * one) sees an owner of another PID space, "unknown", and leaves its one-off alone
 * (src/lifecycle/owner.ts). So a test can make orphans that only its own cleanup may remove.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import { currentPlace, formatOwner, processStartTime } from "../../src/lifecycle/owner.js";
import { eventually, oneoff, type CliOptions, type CliResult } from "../integration/helpers.js";

export class PrivatePidNamespace {
  private constructor(
    private readonly holder: ChildProcess,
    /** Its PID 1, as this namespace (the test's) numbers it. */
    private readonly initPid: number,
    private readonly inode: number,
  ) {}

  static async open(): Promise<PrivatePidNamespace> {
    const holder = spawn("unshare", ["--pid", "--fork", "--mount-proc", "sleep", "3600"], { stdio: "ignore" });
    const unsharePid = holder.pid!;
    const initPid = await eventually(() => childPid(unsharePid));
    // Read once the child has entered it (before its exec of sleep, it may still be unshare's).
    const inode = await eventually(() => {
      const namespace = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${initPid}/ns/pid`))?.[1]);
      return namespace !== currentPlace()?.pidNamespace ? namespace : undefined;
    });
    return new PrivatePidNamespace(holder, initPid, inode);
  }

  /**
   * An owner label for PID `pid` of this namespace, as oneoff inside it writes one: 1 (its
   * sleep) runs; a PID past pid_max never does; `startOffset` makes PID 1 one reused by another.
   */
  owner(pid: number, options: { startOffset?: number } = {}): string {
    const place = currentPlace()!;
    const start = (pid === 1 ? (processStartTime(this.initPid) ?? 1) : 1) + (options.startOffset ?? 0);
    return formatOwner({ host: os.hostname(), pid, start, place: { ...place, pidNamespace: this.inode } });
  }

  /** The PID of the process `nsenter` (one this.oneoff started) runs inside, once it has started it. */
  childOf(nsenter: ChildProcess): number {
    const pid = childPid(nsenter.pid!);
    if (pid === undefined) throw new Error(`nsenter (${nsenter.pid}) has no child yet`);
    return pid;
  }

  /** The words that run a command inside the namespace: put them before it. */
  get enter(): string[] {
    return ["nsenter", "--target", String(this.initPid), "--pid", "--mount", "--"];
  }

  /** `oneoff ARGS` run inside the namespace. */
  oneoff(args: string[], options: CliOptions = {}): Promise<CliResult> {
    return oneoff(args, { ...options, within: this.enter });
  }

  /** Ends it, and with its PID 1 every process still inside (a watchdog, say). */
  close(): void {
    try {
      process.kill(this.initPid, "SIGKILL");
    } catch {
      // already gone
    }
    this.holder.kill("SIGKILL");
  }
}

/** The first child of process `pid`, as this namespace numbers it. */
function childPid(pid: number): number | undefined {
  try {
    const [child] = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return child ? Number(child) : undefined;
  } catch {
    return undefined;
  }
}
