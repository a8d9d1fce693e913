/**
 * Maps keyed by names that users write (environment variables, labels): without a prototype,
 * `__proto__`, `constructor` or `toString` are keys like any other. On a plain object,
 * `map["__proto__"] = value` sets the prototype and the key is silently lost, and reading
 * `map["constructor"]` finds Object's.
 */
export function userKeyed<T = string>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) map[key] = value;
  return map;
}

/** `map[key]` when `key` is the map's own, never something inherited. */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
