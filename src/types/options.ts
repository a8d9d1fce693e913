/**
 * What a caller asks of a run: the CLI's flags, or a library caller's object. Plain data at the
 * bottom of the house: it imports only other types.
 */
import type { DockerRunSettings, RunKindName, PullPolicy } from "./config.js";

/** Settings kept as a list whose flag takes one word: docker run --entrypoint's one executable. */
type OneWordOfAList = "entrypoint";
/** Settings whose flag is read as a number where it is given (a row's fromText): --stop-timeout's seconds. */
type ReadAsNumber = "stopTimeout";

/**
 * The flags of DockerRunSettings as typed: a switch is a boolean, a repeatable flag (or one
 * whose setting is a list or a map, but for OneWordOfAList) a list of its values, any other
 * flag its text.
 */
export type DockerRunFlags = {
  [K in keyof DockerRunSettings]?: K extends OneWordOfAList
    ? string
    : K extends ReadAsNumber
      ? number
      : NonNullable<DockerRunSettings[K]> extends boolean
        ? boolean
        : NonNullable<DockerRunSettings[K]> extends readonly unknown[] | Record<string, string | null>
          ? string[]
          : string;
};

/**
 * docker run's flags for what shapes what the process can do and see, as typed: --init,
 * --cap-add NET_ADMIN, --tmpfs /run:size=64m, --ulimit nofile=1024:2048, --shm-size 96m,
 * --platform linux/arm64, ... (plan/runtime-flags.ts reads them). The repeatable ones are
 * lists. An interface, not an alias, so docs/library.md's test reads RunOptions' keys through it.
 */
export interface RuntimeFlags extends DockerRunFlags {
  // Its keys are DockerRunFlags', one per row of settings/table.ts (--platform's too), and a
  // row's file flag beside its own (settings/row.ts's `file`), named as the setting and File.
  /** --env-file: files of NAME=value lines (docker's format, each line literal), in order, each a layer under the flags'. */
  envFile?: string[];
  /** --label-file: files of KEY=VALUE lines, in order, read under --label's entries. */
  labelFile?: string[];
  /** The volume row's second flag (settings/row.ts's `second`), --mount: docker's long syntax, type=volume|bind|tmpfs,source=S,target=T[,OPTION...]; after `volume`. */
  mount?: string[];
}

export interface RunOptions extends RuntimeFlags {
  /** A task named in oneoff.yaml. */
  task?: string;
  /**
   * `task` is the first word of a command line (`oneoff run rake db:migrate`): when oneoff.yaml
   * names no such task, it and `command` together are the command, as heroku run takes them.
   */
  taskOrCommand?: boolean;
  /** Copy image and settings from a running process: `web`, or `container:NAME|ID`. */
  from?: string;
  /** Compose files (merged in order, as docker compose -f A -f B), with `service`: take image and settings from that service. */
  compose?: string | string[];
  service?: string;
  /** argv: the command itself, or extra arguments appended to the task's command. */
  command?: string[];
  /** Path of the config file (default: the nearest oneoff.yaml). */
  config?: string;
  release?: string;
  interactive?: boolean;
  /** Allocate a TTY (`-t`); with `interactive`, oneoff's stdin must be a terminal. */
  tty?: boolean;
  /** Never allocate a TTY (`-T`, as docker compose run -T), even for a task that asks for one. */
  noTty?: boolean;
  /**
   * oneoff's stdin and stdout are both terminals (the CLI says so for itself): a one-off given
   * none of -i, -t, -T (and whose task says nothing of `interactive:`) gets an interactive
   * TTY, as with docker compose run and heroku run. Not with --detach or --json.
   */
  atTerminal?: boolean;
  /**
   * oneoff's stdin is a pipe, a file or a socket (the CLI says so for itself; a terminal and
   * /dev/null are neither): the one-off gets it, as with docker compose run and heroku run, so
   * `cat dump.sql | oneoff run -- psql` loads the dump rather than dropping it. Not when -i or
   * the task's `interactive:` decides, with --detach, or with `noStdin`.
   */
  stdinPiped?: boolean;
  /** `--no-stdin`: never pass stdin that was not asked for with -i. */
  noStdin?: boolean;
  /** The container's name (docker run --name); with `lock`, the lock's name wins. */
  name?: string;
  /** The keys that detach a terminal session (docker notation; default ctrl-p,ctrl-q). */
  detachKeys?: string;
  /** `oneoff shell`: run the config's `shell:` (default /bin/sh) as a terminal session. */
  shell?: boolean;
  /** `oneoff release`: run the release task, holding the lock "release", with a default timeout. */
  releaseTask?: boolean;
  /** With releaseTask: run it even if the ledger says it succeeded for this release. */
  force?: boolean;
  /** With releaseTask: fail at once when another release holds the lock, instead of waiting. */
  noWait?: boolean;
  pull?: PullPolicy;
  /** Registry credentials for the pull: `USER:env:VARIABLE` or `USER:file:PATH` (see docs/pipelines.md, Registries). */
  registryAuth?: string;
  /** Stop the one-off after this many milliseconds (exit 124); "none" lifts the task's or the app's timeout. */
  timeout?: number | "none";
  /** Hold this engine-enforced lock while running; a second holder is refused. */
  lock?: string;
  /** With `lock`: wait for it instead of failing, up to this many milliseconds (`true`: no limit). */
  waitLock?: number | true;
  dryRun?: boolean;
  quiet?: boolean;
  /** --record: record the session on the engine (a `record: false` in oneoff.yaml wins). */
  record?: boolean;
  /** Say which config file is used (even with quiet). */
  debug?: boolean;
  /** Start the one-off and return at once; it is kept after it ends for `keepFor`. */
  detach?: boolean;
  /** With detach: how many milliseconds to keep it after it ends (default 24 hours). */
  keepFor?: number;
  /** The caller wants a machine-readable result: the command's stdout goes to stderr. */
  json?: boolean;
  /** Keep the command's output in the result (bounded) instead of passing it through. */
  capture?: boolean;
  /** Run as a container (docker) or as a Swarm job (swarm); default ONEOFF_ENGINE, then engine: in oneoff.yaml. */
  engine?: RunKindName;
  /** Swarm placement constraints, e.g. `node.hostname==db1`. */
  constraint?: string[];
  /** `LOCAL:CONTAINER_PATH`: copied into the one-off after create, before start. */
  copyIn?: string[];
  /** `CONTAINER_PATH:LOCAL`: copied out after the command exits, before removal. */
  copyOut?: string[];
  /** The most bytes of files one copy-out may write (default 1 GiB). */
  copyOutLimit?: number;
  /** The engine's address (unix://, tcp://, ssh://), as docker --host. */
  host?: string;
  /** A docker context, as docker --context. */
  dockerContext?: string;
  /** An environment of oneoff.yaml's `environments:` (default: ONEOFF_ENV). */
  envName?: string;
}
