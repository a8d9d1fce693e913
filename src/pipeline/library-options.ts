/**
 * The library's options: values where the CLI takes strings. `env: { K: "V" }` (or the CLI's
 * ["K=V"]), `memory: 512 * 2 ** 20` (bytes) or "512m", durations in milliseconds or as
 * strings ("10m"), labels as a map. Converted to RunOptions, the one shape the pipeline reads,
 * so a value is checked the same way whichever way it came. An option not given may be there
 * as undefined: the pipeline reads RunOptions field by field, never by its keys. Pure.
 */
import { copyOutLimitFlag, keepForFlag, timeoutFlag, waitLockFlag } from "../formats/flag-values.js";
import type { RunOptions } from "../types/options.js";

/** A duration: milliseconds, or text such as "90s", "10m", "1h30m". */
export type Duration = number | string;

export interface LibraryRunOptions extends Omit<
  RunOptions,
  "env" | "label" | "memory" | "cpus" | "shmSize" | "copyOutLimit" | "timeout" | "keepFor" | "waitLock" | "command"
> {
  /** The command (argv), or extra arguments appended to the task's command. */
  command?: string[];
  env?: Record<string, string> | string[];
  label?: Record<string, string> | string[];
  /** Bytes, or text such as "512m". */
  memory?: number | string;
  cpus?: number | string;
  shmSize?: number | string;
  /** The most one copy-out may write: bytes, or text such as "4g" (default 1g). */
  copyOutLimit?: number | string;
  timeout?: Duration;
  keepFor?: Duration;
  /** With `lock`: wait for it, up to this long (true: no limit). */
  waitLock?: Duration | true;
}

const pairs = (values: Record<string, string> | string[]) =>
  Array.isArray(values) ? values : Object.entries(values).map(([key, value]) => `${key}=${value}`);
const size = (value: number | string) => String(value);

export function toRunOptions(options: LibraryRunOptions): RunOptions {
  const { env, label, memory, cpus, shmSize, copyOutLimit, timeout, keepFor, waitLock, ...rest } = options;
  return {
    ...rest,
    env: env === undefined ? undefined : pairs(env),
    label: label === undefined ? undefined : pairs(label),
    memory: memory === undefined ? undefined : size(memory),
    cpus: cpus === undefined ? undefined : String(cpus),
    shmSize: shmSize === undefined ? undefined : size(shmSize),
    copyOutLimit: copyOutLimit === undefined ? undefined : copyOutLimitFlag(size(copyOutLimit)),
    timeout: timeout === undefined ? undefined : timeoutFlag(timeout),
    keepFor: keepFor === undefined ? undefined : keepForFlag(keepFor),
    waitLock: waitLock === undefined ? undefined : waitLockFlag(waitLock),
  };
}
