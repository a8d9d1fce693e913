/**
 * What one docker run setting is, as a row: everything else about it (the flag and its help,
 * the yaml and compose key, its parser, the create body's field, the docker run line, the diff
 * row, what --from reads back, whether a Swarm job carries it) is derived from its row. Pure.
 */
import type { DockerRunSettings } from "../types/config.js";
import type { DockerRunFlags } from "../types/options.js";

export type SettingName = keyof DockerRunSettings;
export type SettingValue<K extends SettingName> = NonNullable<DockerRunSettings[K]>;
/**
 * What is wrong with a value, in a few words: the caller names the flag or key. A class, so no
 * value (a map with a key named problem) is ever taken for one.
 */
export class Problem {
  constructor(
    readonly problem: string,
    /** The fix, where "such as FLAG EXAMPLE" would not say it (--pid's modes). */
    readonly hint?: string,
    /** The entry at fault of a repeatable flag, and its place: `--ulimit "nofile": ...`, `devices[0]`. */
    readonly at?: { entry: string; index: number },
  ) {}
}

export const problem = (text: string, hint?: string): Problem => new Problem(text, hint);
export const isProblem = (value: unknown): value is Problem => value instanceof Problem;

/**
 * The create request's part that holds a field: the container's config (the body's top level),
 * its HostConfig, its NetworkingConfig (the networks it is on: an inspected container's
 * NetworkSettings), or the request's query string (platform), which a container's inspect does
 * not give back.
 */
export type ApiPart = "Config" | "HostConfig" | "NetworkingConfig" | "Query";

/** What the engine gives a container that asks for nothing: left out when read back. */
export interface EngineDefaults {
  /** docker info's LoggingDriver. */
  logDriver?: string;
  /** docker info's DefaultRuntime. */
  runtime?: string;
  /** The cgroup namespace mode a container gets: host on cgroup v1, private on v2. */
  cgroupns?: string;
  /** The hostname a container that names none gets: its ID's first 12 characters (the machine's, on the host's network). */
  hostname?: string;
  /** Variables the engine sets in every container it runs (HOSTNAME): read back from a container, they are no setting. */
  engineEnv?: ReadonlySet<string>;
}

/**
 * What a row's parser may read besides the flag's text: the environment oneoff runs in (-e NAME
 * and a bare NAME in --env-file take its value, as the docker CLI does), and where a value's
 * relative paths start (a bind's source: the working folder for flags, the file's for
 * oneoff.yaml; absent, they are left as written).
 */
export interface ParseContext {
  env: Readonly<Record<string, string | undefined>>;
  dir?: string;
}

/**
 * How the value is written: a switch, one word, a list of words, NAME=VALUE entries, a
 * command's words in order (--entrypoint: the flag gives one word; compose and oneoff.yaml a
 * list, or a string split as a shell splits it), or a number (--stop-timeout: the flag's text
 * read by fromText, oneoff.yaml's a YAML number, compose's its own text through fromCompose).
 */
type Shape = "switch" | "text" | "list" | "map" | "command" | "number";

export interface SettingRow<K extends SettingName> {
  name: K;
  shape: Shape;
  /** docker run's flag, e.g. "--memory-swap". */
  flag: `--${string}`;
  /** docker run's one-letter alias, e.g. "-c". */
  short?: `-${string}`;
  /** The argument as --help shows it ("<size>"); absent: a switch. */
  argument?: `<${string}>`;
  /** Given once per value (a list, or NAME=VALUE entries of a map). */
  repeatable?: boolean;
  help: string;
  /** A value for hints: "such as --memory-swap 1g". */
  example: string;
  /** compose's key (oneoff.yaml takes it too); a dot reaches into a mapping: blkio_config.weight. */
  compose?: string;
  /** oneoff.yaml's key, where it is not compose's (memory, for compose's mem_limit). */
  yaml?: string;
  /** compose writes it as a list or as a NAME: VALUE mapping (extra_hosts), each read as NAME=VALUE. */
  composeMapping?: boolean;
  /**
   * Layers merge it key by key (--label: the image's, compose's, --from's, the flags'), as
   * docker and compose merge labels; any other setting a later layer gives replaces the earlier's.
   */
  byKey?: true;
  /**
   * A second flag naming files of entries (--label-file), read before the flag's own entries, as
   * docker reads them; its RunOptions key is the setting's name and File (labelFile).
   */
  file?: {
    flag: `--${string}`;
    help: string;
    /** A file's entries as the flag's (KEY=VALUE), or the line at fault and why. */
    entries(text: string, context: ParseContext): string[] | { line: number; problem: string };
    /** How a line is written, for the error naming a bad one: "KEY=VALUE, one per line, as docker run FLAG reads it" when absent. */
    lines?: string;
    /**
     * Each file is a layer of its own, under the flags' (named `FLAG FILE` where a value's origin
     * is told), rather than entries before the flag's own: --env-file's.
     */
    ownLayers?: true;
  };
  /**
   * A number's flag text as the number parse takes, read when commander reads the flag, as
   * docker's int flags are read: what is wrong is said as commander says it, `argument 'soon'
   * is invalid. HINT`. RunOptions (and a library caller) give the number itself.
   */
  fromText?(text: string): number | Problem;
  /** The flag's text (each entry, for a repeatable flag, together) as the setting. */
  parse(given: NonNullable<DockerRunFlags[K]>, context: ParseContext): SettingValue<K> | Problem;
  /** A compose value, as the flag's text, where compose writes it otherwise (volumes_from's container:). */
  fromCompose?(entry: string): string | Problem;
  /** Where the Engine API keeps it, and the value it takes. */
  api: {
    part: ApiPart;
    /** A dot reaches into an object: LogConfig.Type. */
    field: string;
    /** The field's value; undefined: the field is left out (--network []: the default bridge). */
    write(value: SettingValue<K>, context?: WriteContext): unknown;
    read(value: unknown, defaults: EngineDefaults, request?: ReadRequest): SettingValue<K> | undefined;
    /**
     * A second field the value sets (or several), not read back by itself: --network's first
     * network is HostConfig.NetworkMode too, as the docker CLI sends it.
     */
    also?: AlsoField<K> | ReadonlyArray<AlsoField<K>>;
  };
  /**
   * What the engine is given between create and start, not in the create request: --network's
   * networks after the first (an Engine API before 1.44 takes one at create). Read back with
   * the field, as the endpoints the container is on.
   */
  afterCreate?(value: SettingValue<K>): string[];
  /** The flag's arguments for a value ([] for a switch): the docker run line and the diff row. */
  words(value: SettingValue<K>): string[];
  // What the environment (settings/env-row.ts) asks of a row beyond the others': the short flag
  // people write, words that hide secrets where people read them, a diff row per key, and keys
  // that config/ reads itself.
  /** The flag the docker run line and errors write, where people know the short one (-e, -v); absent: flag. */
  shownFlag?: `-${string}`;
  /** The words as printed (--dry-run's docker run line), secret values masked; absent: words. */
  shownWords?(value: SettingValue<K>): string[];
  /**
   * Diff shows it one row per key (`env NAME`), not one row for the flag: each side's value as
   * shown (undefined: unset), secret values masked.
   */
  diffByKey?: { shown(key: string, value: string | undefined, same: boolean): string };
  /**
   * oneoff.yaml's and compose's keys, where config/ reads them itself rather than through parse
   * (env: and environment:, interpolated, with env_file:'s compose dotenv files): for docs/cli.md.
   */
  configKeys?: { yaml: string; compose: string };
  /** How diff compares one of the words, where docker reads two spellings as one (cap_net_admin, NET_ADMIN). */
  compared?(word: string): string;
  /**
   * The Swarm ContainerSpec field that carries it (a dot reaches into an object: DNSConfig.Search),
   * or the task's, written from TaskTemplate (TaskTemplate.Resources.Limits.MemoryBytes); absent,
   * and no jobCarriedBy: a job cannot, and is refused.
   */
  jobField?: string;
  /** How the job's field writes the value and reads it back, where not as the create body's (Hosts' "IP HOST" lines). */
  jobForm?: { toJob(value: SettingValue<K>): unknown; fromJob(value: unknown): SettingValue<K> | undefined };
  /** Where a job carries it outside the ContainerSpec, written by hand there (requests/service-spec.ts, requests/job-runtime.ts). */
  jobCarriedBy?: "TaskTemplate.LogDriver" | "tmpfs mounts" | "TaskTemplate.Placement.Platforms";

  // A row whose setting two flags write, each in its syntax (-v and --mount: settings/volume-row.ts).
  /**
   * A second flag of the same setting with a syntax of its own (--mount beside -v): its entries
   * follow the flag's, and its RunOptions key is `option`.
   */
  second?: {
    flag: `--${string}`;
    option: "mount";
    argument: `<${string}>`;
    help: string;
    parse(entries: readonly string[], context: ParseContext): SettingValue<K> | Problem;
    /** Whether a word of the row's (words()) is written with this flag. */
    writes(word: string): boolean;
  };
}

/** What a create request depends on besides the settings: whether the engine runs on this machine (its binds' paths are ours). */
export interface WriteContext {
  engineOnThisMachine: boolean;
}

/**
 * The rest of what a field is read back with: the request's (or inspected container's) parts,
 * and what a running container has mounted (inspect's Mounts; absent for a create request).
 */
interface ReadRequest {
  parts: Readonly<Record<ApiPart, Record<string, unknown>>>;
  mounted?: readonly unknown[];
}

type AlsoField<K extends SettingName> = { part: ApiPart; field: string; write(value: SettingValue<K>, context?: WriteContext): unknown };

/** The value at a dotted path (LogConfig.Type) of an Engine API object. */
export function fieldAt(object: Record<string, unknown>, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), object);
}

/** `object` with `value` set at a dotted path, the objects on the way made as needed. */
export function setFieldAt(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let at = object;
  for (const key of keys) at = (at[key] ??= {}) as Record<string, unknown>;
  at[last] = value;
}

/** Any row of the table (a union, so each keeps its own value type). */
export type AnyRow = { [K in SettingName]: SettingRow<K> }[SettingName];
