/**
 * Several compose files' word on one service, merged as compose v2 merges them (compose-spec's
 * merge rules, compose-go's override package): later files override single values and
 * `entrypoint`; mappings (environment, labels, sysctls, logging options) merge key by key;
 * `volumes` merge by target, `devices` by container path, `ulimits` by name, `networks` and
 * `env_file` by name; `dns`, `dns_search`, `dns_opt`, `cap_add`, `cap_drop` and `tmpfs` are
 * appended without duplicates, `extra_hosts`, `security_opt` and `group_add` appended. The same
 * rules put a service over the one it `extends`. Pure.
 *
 * Where compose v1 (1.29) differs, v2 is followed: v1 replaces `dns_opt` and `group_add`, and
 * appends `dns`, `dns_search` and `env_file` with their duplicates.
 */
import type { Device, ProcessSettings, Ulimit } from "../types/config.js";
import type { ServicePart } from "./compose.js";
import type { EnvFileRef } from "./compose-paths.js";

type Settings = Partial<ProcessSettings>;

const unique = <T>(values: readonly T[], key: (value: T) => string = String): T[] => {
  const seen = new Map<string, T>();
  for (const value of values) seen.set(key(value), value);
  return [...seen.values()];
};
/** Appended, each value once (its first place kept). */
const appendUnique = (a: readonly string[] = [], b: readonly string[] = []) => [...new Set([...a, ...b])];
/** Merged by `key`: a later entry replaces an earlier one with the same key, in the earlier one's place. */
const byKey = <T>(a: readonly T[] = [], b: readonly T[] = [], key: (value: T) => string): T[] => unique([...a, ...b], key);

/** `over` on top of `base`, as compose merges a later file's service over an earlier one's. */
export function mergeServicePart(base: ServicePart, over: ServicePart): ServicePart {
  const a = base.settings;
  const b = over.settings;
  const settings: Settings = { ...a, ...b };
  const set = <K extends keyof Settings>(name: K, value: Settings[K] | undefined) => {
    if (value === undefined) delete settings[name];
    else settings[name] = value;
  };
  const both = <K extends keyof Settings>(name: K) => a[name] !== undefined && b[name] !== undefined;
  if (both("env")) set("env", { ...a.env, ...b.env });
  if (both("label")) set("label", { ...a.label, ...b.label });
  if (both("sysctl")) set("sysctl", { ...a.sysctl, ...b.sysctl });
  if (both("tmpfs")) set("tmpfs", { ...a.tmpfs, ...b.tmpfs });
  if (both("volume"))
    set(
      "volume",
      byKey(a.volume, b.volume, (mount) => mount.target),
    );
  if (both("network")) set("network", appendUnique(a.network, b.network));
  if (both("device"))
    set(
      "device",
      byKey<Device>(a.device, b.device, (device) => device.pathInContainer),
    );
  if (both("ulimit"))
    set(
      "ulimit",
      byKey<Ulimit>(a.ulimit, b.ulimit, (limit) => limit.name),
    );
  for (const name of ["dns", "addHost", "dnsSearch", "dnsOption", "capAdd", "capDrop"] as const) {
    if (both(name)) set(name, appendUnique(a[name], b[name]));
  }
  for (const name of ["securityOpt", "groupAdd", "deviceCgroupRule"] as const) {
    if (both(name)) set(name, [...(a[name] ?? []), ...(b[name] ?? [])]);
  }
  // Logging: the options merge when the driver stays the same (or one side names none).
  if (a.logDriver && b.logDriver && a.logDriver !== b.logDriver) set("logOpt", b.logOpt);
  else if (both("logOpt")) set("logOpt", { ...a.logOpt, ...b.logOpt });
  if (a.logDriver && !b.logDriver) set("logDriver", a.logDriver);
  return {
    settings,
    envFiles: byKey<EnvFileRef>(base.envFiles, over.envFiles, (file) => file.path),
    hasBuild: base.hasBuild || over.hasBuild,
    secrets: byKey(base.secrets, over.secrets, (secret) => secret.source),
    extends: over.extends,
  };
}

/** The parts in order (earlier files first), merged. */
export function mergeServiceParts(parts: readonly ServicePart[]): ServicePart {
  const [first, ...rest] = parts;
  if (!first) throw new Error("mergeServiceParts needs at least one part");
  return rest.reduce(mergeServicePart, first);
}
