/**
 * Runtime settings (types/config.ts RuntimeSettings) <-> the Engine API's create body, both
 * ways, and how each is shown (diff rows, the docker run line), all from settings/table.ts's
 * rows, so --from's copy, the create body, diff and the docker run line cannot disagree on a
 * field. Pure.
 */
import { shellQuote } from "../formats/words.js";
import { fieldAt, setFieldAt, type ApiPart, type EngineDefaults, type WriteContext } from "../settings/row.js";
import { MERGED_BY_KEY, SETTINGS } from "../settings/table.js";
import type { RuntimeSettings } from "../types/config.js";

export type { EngineDefaults };
export { DEFAULT_SHM_BYTES } from "../settings/table.js";

/** The HostConfig fields runtime settings set: those of settings/table.ts's rows (CapAdd, Tmpfs, ...). */
export interface RuntimeHostConfig {
  [tableField: string]: unknown;
}

/** The container config fields (top level of the create body) settings/table.ts's rows set: User, WorkingDir, StopSignal. */
export type RuntimeConfig = Record<string, unknown>;

/** The runtime settings a container has, from its HostConfig, the engine's defaults left out. */
export function runtimeFromHostConfig(
  host: RuntimeHostConfig,
  defaults: EngineDefaults = {},
  /** The container's config (inspect's Config, or the create body itself), for User, WorkingDir, StopSignal. */
  config: object = {},
  /**
   * The rest of the create request: its query (a spec's platform: an inspected container has
   * none) and the networks it is on (a spec's NetworkingConfig with the networks connected
   * after create; an inspected container's NetworkSettings), and what an inspected container
   * has mounted (its Mounts).
   */
  request: { query?: object; networking?: object; mounted?: readonly unknown[] } = {},
): RuntimeSettings {
  const parts: Record<ApiPart, Record<string, unknown>> = {
    Config: config as RuntimeConfig,
    HostConfig: host,
    NetworkingConfig: (request.networking ?? {}) as Record<string, unknown>,
    Query: (request.query ?? {}) as Record<string, unknown>,
  };
  const settings: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = row.api.read(fieldAt(parts[row.api.part], row.api.field), defaults, { parts, mounted: request.mounted });
    if (value !== undefined) settings[row.name] = value;
  }
  return settings as RuntimeSettings;
}

/**
 * The runtime settings of a container spec (the one-off's create request): its body, its
 * platform query and the networks connected after create, read back through the table's rows.
 */
export function runtimeOfSpec(spec: {
  body: { HostConfig: RuntimeHostConfig; NetworkingConfig?: { EndpointsConfig: object } };
  platform?: string;
  extraNetworks: readonly string[];
}): RuntimeSettings {
  const endpoints = { ...spec.body.NetworkingConfig?.EndpointsConfig, ...Object.fromEntries(spec.extraNetworks.map((name) => [name, {}])) };
  return runtimeFromHostConfig(spec.body.HostConfig, {}, spec.body, {
    query: { platform: spec.platform },
    networking: { EndpointsConfig: endpoints },
  });
}

/**
 * A container's settings over its image's, as the engine applies them: the container's win,
 * and a setting merged by key (labels) keeps the image's keys the container does not set.
 */
export function settingsOver(image: RuntimeSettings, container: RuntimeSettings): RuntimeSettings {
  const merged: Record<string, unknown> = { ...image, ...container };
  for (const name of MERGED_BY_KEY) {
    const under = (image as Record<string, unknown>)[name];
    const over = (container as Record<string, unknown>)[name];
    if (under && over) merged[name] = { ...under, ...over };
  }
  return merged as RuntimeSettings;
}

/** The HostConfig fields of the create body for these settings (only those that are set). */
export function hostConfigFromRuntime(settings: RuntimeSettings, context?: WriteContext): RuntimeHostConfig {
  return tableFields(settings, "HostConfig", context);
}

/** The container config fields (the create body's top level) for these settings: User, WorkingDir, StopSignal. */
export function configFromRuntime(settings: RuntimeSettings, context?: WriteContext): RuntimeConfig {
  return tableFields(settings, "Config", context);
}

/** The create body's NetworkingConfig for these settings (--network's first), or undefined when none. */
export function networkingConfigFromRuntime(
  settings: RuntimeSettings,
): { EndpointsConfig: Record<string, Record<string, never>> } | undefined {
  const fields = tableFields(settings, "NetworkingConfig");
  return Object.keys(fields).length ? (fields as { EndpointsConfig: Record<string, Record<string, never>> }) : undefined;
}

/** What the engine is given between create and start (--network's networks after the first), in the table's order. */
export function afterCreateFromRuntime(settings: RuntimeSettings): string[] {
  return SETTINGS.flatMap((row) => {
    const value = settings[row.name];
    return row.afterCreate && isSet(value) ? (row.afterCreate as (value: unknown) => string[])(value) : [];
  });
}

/**
 * Whether a setting asks for something: a switch set to false (oneoff.yaml's init: false) and
 * a word given as "" (--user "", as docker reads it) are the engine's default.
 */
export const isSet = (value: unknown): boolean => value !== undefined && value !== false && value !== "";

/** A row's field and those it also sets, in that order. */
type WrittenField = { part: ApiPart; field: string; write(value: unknown, context?: WriteContext): unknown };
const fieldsWritten = (row: (typeof SETTINGS)[number]): WrittenField[] =>
  [row.api, ...[row.api.also ?? []].flat()] as unknown as WrittenField[];

/**
 * The Engine API fields of settings/table.ts's rows kept in `part` (a row's field, or the
 * second field it also sets), for the settings that are set; a field written as undefined is
 * left out.
 */
function tableFields(settings: RuntimeSettings, part: ApiPart, context?: WriteContext): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = settings[row.name];
    if (!isSet(value)) continue;
    for (const field of fieldsWritten(row)) {
      const written = field.part === part ? field.write(value, context) : undefined;
      if (written !== undefined) setFieldAt(fields, field.field, written);
    }
  }
  return fields;
}

/**
 * Whether the engine keeps a number as a setting of its own: --memory 0, --cpus 0 and
 * --pids-limit 0 are no limit, as docker reads them, and --shm-size 64m its default, which the
 * row's read-back gives as none (a number's read-back takes no engine defaults). The value
 * stays a setting all the same, so a 0 stands over a limit under it.
 */
const keptByEngine = (row: (typeof SETTINGS)[number], value: number): boolean =>
  (row.api.read as (value: unknown, defaults: EngineDefaults) => unknown)((row.api.write as (value: unknown) => unknown)(value), {}) !==
  undefined;

/** A row's flag arguments for the setting ([] for a switch that is set), or undefined when it is absent. */
const wordsOf = (row: (typeof SETTINGS)[number], settings: RuntimeSettings): string[] | undefined => {
  const value = settings[row.name];
  return isSet(value) ? (row.words as (value: unknown) => string[])(value) : undefined;
};

/**
 * The runtime settings as docker run flags (the line's words), in the table's order. A
 * command's words (--entrypoint) give the flag their first; runtimeWordsAfterImage the rest.
 */
export function runtimeFlagWords(settings: RuntimeSettings): string[] {
  return SETTINGS.flatMap((row) => {
    const value = settings[row.name];
    if (!isSet(value)) return [];
    // Printed for people to read: a row's shown words (secret values masked), under its shown flag (-e).
    const given = ((row.shownWords ?? row.words) as (value: unknown) => string[])(value);
    const flag = row.shownFlag ?? row.flag;
    if (row.shape === "command") return given.length ? [flag, given[0] as string] : [];
    // A switch is its flag alone; a list or a mapping with no entries (compose's labels: {}) is no flag.
    if (row.shape === "switch") return [flag];
    // A row of two flags (-v, --mount) gives each word with the flag of its syntax.
    return given.flatMap((word) => [row.second?.writes(word) ? row.second.flag : flag, word]);
  });
}

/**
 * What docker run cannot give as a flag: a longer entrypoint's words after its first, which
 * the line puts between the image and the command, where the engine runs them the same.
 */
export function runtimeWordsAfterImage(settings: RuntimeSettings): string[] {
  return SETTINGS.flatMap((row) => (row.shape === "command" ? (wordsOf(row, settings)?.slice(1) ?? []) : []));
}

/**
 * Rows for diff: one per flag, each side shown as its values (sorted where order is not
 * meaning; a command's words in their order, quoted as a shell would, so "a b" is not a, b),
 * each word as docker compares it (a row's `compared`: NET_ADMIN and cap_net_admin are the
 * engine's CAP_NET_ADMIN); a number the engine keeps as none (--memory 0) as none, and so a
 * cleared entrypoint ([""]).
 */
export function runtimeDiffValues(settings: RuntimeSettings): Map<string, string> {
  return new Map(
    SETTINGS.filter((row) => !row.diffByKey).map((row) => {
      const value = settings[row.name];
      const none = typeof value === "number" && !keptByEngine(row, value);
      const given = none ? undefined : wordsOf(row, settings)?.map((word) => (row.compared ? row.compared(word) : word));
      return [row.flag.replace(/^--/, ""), diffText(row, given)];
    }),
  );
}

/** A diff row's side: "" for none, "yes" for a switch that is set, else the words. */
function diffText(row: (typeof SETTINGS)[number], given: string[] | undefined): string {
  if (given === undefined) return "";
  if (row.shape === "command") return given.join("") === "" ? "" : given.map(shellQuote).join(" ");
  return row.shape === "switch" ? "yes" : [...given].sort().join(", ");
}

/** A diff row of a setting shown key by key (`env NAME`), with each side's value (undefined: unset). */
export interface KeyedDiffRow {
  setting: keyof RuntimeSettings;
  key: string;
  ours: string | undefined;
  theirs: string | undefined;
  row: { what: string; oneOff: string; running: string; same: boolean };
}

/**
 * Diff's rows for the settings shown key by key (a row's diffByKey: env), a row for each key
 * either side has a value for, keys sorted; "unset here" (null) is unset on that side.
 */
export function runtimeDiffByKey(ours: RuntimeSettings, theirs: RuntimeSettings): KeyedDiffRow[] {
  return SETTINGS.flatMap((row) => {
    if (!row.diffByKey) return [];
    const { shown } = row.diffByKey;
    const valueOf = (settings: RuntimeSettings, key: string) => {
      const map = (settings[row.name] ?? {}) as Record<string, string | null>;
      return Object.hasOwn(map, key) ? (map[key] ?? undefined) : undefined;
    };
    const keys = [...new Set([...Object.keys(ours[row.name] ?? {}), ...Object.keys(theirs[row.name] ?? {})])].sort();
    return keys.flatMap((key): KeyedDiffRow[] => {
      const [a, b] = [valueOf(ours, key), valueOf(theirs, key)];
      if (a === undefined && b === undefined) return [];
      const same = a === b;
      const what = `${row.flag.replace(/^--/, "")} ${key}`;
      return [
        { setting: row.name, key, ours: a, theirs: b, row: { what, oneOff: shown(key, a, same), running: shown(key, b, same), same } },
      ];
    });
  });
}
