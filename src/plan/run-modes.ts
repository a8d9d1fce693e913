/**
 * How a one-off runs, beyond its settings: terminal or not, timeout, lock, detached, and what
 * `oneoff release` means. Pure; used by resolve.ts.
 */
import { OneoffError } from "../output/errors.js";
import { DEFAULT_KEEP_DETACHED_MS } from "../requests/labels.js";
import type { RunOptions } from "../types/options.js";
import type { RunPlan } from "../types/plan.js";
import type { AppConfig, TaskDefinition } from "../types/config.js";
import { isDetachKeys, LOCK_NAME } from "../config/value-rules.js";

/** `oneoff release` gives the release task this long unless it sets its own timeout. */
const DEFAULT_RELEASE_TIMEOUT_MS = 30 * 60_000;
const RELEASE_LOCK = "release";
/** Ledger records kept per app (ledger_keep:). */
export const DEFAULT_LEDGER_KEEP = 50;

/** `oneoff release` is `oneoff run TASK --lock release --timeout 30m`, TASK from the config. */
export function releaseTaskOptions(config: AppConfig | undefined, options: RunOptions): RunOptions {
  const name = config?.releaseTask ?? (config?.tasks.release ? "release" : undefined);
  if (!config || name === undefined) {
    throw new OneoffError(`no release task${config?.path ? ` in ${config.path}` : ""}`, {
      hint: "set release_task: NAME in oneoff.yaml, or define a task named release",
    });
  }
  const task = config.tasks[name] as TaskDefinition;
  return {
    ...options,
    task: name,
    lock: options.lock ?? task.lock ?? RELEASE_LOCK,
    // A second release of the same image waits for the first, then finds it done in the ledger.
    ...(options.waitLock === undefined && !options.noWait ? { waitLock: true as const } : {}),
    ...(options.timeout === undefined && task.timeoutMs === undefined && config.timeoutMs === undefined
      ? { timeout: DEFAULT_RELEASE_TIMEOUT_MS }
      : {}),
  };
}

/**
 * -i/-t from flags, `oneoff shell` and the task's `interactive:`. Like docker, a TTY with
 * stdin needs oneoff's own stdin to be a terminal; `interactive: auto` falls back to plain -i.
 */
export function chooseTerminal(
  options: RunOptions,
  task: TaskDefinition | undefined,
  stdinIsTTY: boolean,
): { interactive: boolean; tty: boolean } {
  if (options.tty && options.noTty)
    throw new OneoffError("-t and -T both given", { hint: "-t asks for a terminal, -T for none: keep one" });
  const chosen = options.interactive || options.tty || options.noTty || task?.interactive !== undefined;
  const attended = options.atTerminal === true && stdinIsTTY && !chosen && !options.detach && !options.json && !options.capture;
  const wanted = options.shell || attended ? true : task?.interactive;
  if (options.interactive && options.noStdin)
    throw new OneoffError("-i and --no-stdin both given", { hint: "-i passes stdin, --no-stdin keeps it back: keep one" });
  // Piped or redirected input is passed (docker compose run, heroku run), -T or not.
  const piped = options.stdinPiped === true && !options.noStdin && task?.interactive === undefined && !options.detach;
  const interactive = Boolean(options.interactive || wanted || piped);
  // -T: no terminal whatever the task says (docker compose run -T), stdin still passed with -i.
  const tty = !options.noTty && Boolean(options.tty || wanted === true || (wanted === "auto" && stdinIsTTY));
  if (tty && interactive && !stdinIsTTY) {
    const what = options.shell ? "oneoff shell" : options.tty ? "-t" : `task ${task?.name ?? ""} (interactive: true)`;
    throw new OneoffError(`${what} needs a terminal, and the input device is not a TTY`, {
      hint: options.tty
        ? "run it from a terminal, or drop -t and pipe input with -i"
        : task
          ? `run it from a terminal, or set interactive: auto on the task to fall back to plain stdin`
          : "run it from a terminal",
    });
  }
  return { interactive, tty };
}

/** --name, checked as docker checks names; with a lock, the lock's name wins, and the plan says so. */
export function containerNaming(options: RunOptions, lock: string | undefined): Pick<RunPlan, "name" | "notices"> {
  if (options.name === undefined) return {};
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(options.name))
    throw new OneoffError(`--name "${options.name}": not a container name`, {
      hint: "letters, digits, _, . and -, starting with a letter or digit",
    });
  if (lock !== undefined)
    return {
      notices: [`--name ${options.name} set aside: a one-off holding lock ${lock} is named after the lock (that name is the lock)`],
    };
  return { name: options.name };
}

/** A detached one-off has nobody attached: no stdin, no TTY, and no process to time it out. */
export function detachment(
  options: RunOptions,
  interactive: boolean,
  tty: boolean,
  timeoutMs: number | undefined,
): Pick<RunPlan, "keepForMs"> {
  if (!options.detach) {
    if (options.keepFor !== undefined)
      throw new OneoffError("--keep-for only applies to --detach", { hint: "add --detach, or drop --keep-for" });
    return {};
  }
  if (interactive || tty)
    throw new OneoffError("--detach cannot be combined with -i, -t or an interactive task", {
      hint: "drop --detach to attach, or drop -i/-t",
    });
  if (timeoutMs !== undefined) {
    throw new OneoffError("--detach cannot be combined with a timeout: nothing stays attached to enforce it", {
      hint: "drop --detach, or lift the timeout: --timeout none",
    });
  }
  return { keepForMs: options.keepFor ?? DEFAULT_KEEP_DETACHED_MS };
}

export function detachKeysOf(options: RunOptions, config: AppConfig | undefined): Pick<RunPlan, "detachKeys"> {
  if (options.detachKeys !== undefined && !isDetachKeys(options.detachKeys)) {
    throw new OneoffError(`--detach-keys "${options.detachKeys}": not a key sequence`, {
      hint: "use docker's notation, e.g. ctrl-p,ctrl-q or ctrl-x,x",
    });
  }
  const keys = options.detachKeys ?? config?.detachKeys;
  return keys === undefined ? {} : { detachKeys: keys };
}

export function timeoutAndLock(
  options: RunOptions,
  task: TaskDefinition | undefined,
  config: AppConfig | undefined,
): Pick<RunPlan, "timeoutMs" | "lock" | "waitLockMs"> {
  // --timeout none lifts a task's or the app's timeout for this run.
  const timeoutMs = options.timeout === "none" ? undefined : (options.timeout ?? task?.timeoutMs ?? config?.timeoutMs);
  const lock = options.lock ?? task?.lock;
  if (lock !== undefined && !LOCK_NAME.test(lock))
    throw new OneoffError(`--lock "${lock}": not a valid lock name`, { hint: "use letters, digits, _, . and -" });
  if (options.waitLock !== undefined && lock === undefined)
    throw new OneoffError("--wait-lock needs a lock", { hint: "add --lock NAME, or set lock: on the task" });
  const waitLockMs = options.waitLock === true ? Infinity : options.waitLock;
  return { timeoutMs, lock, waitLockMs };
}
