/**
 * Typed reads over a parsed YAML document that know where each value sits in the file, so
 * every config error can say `oneoff.yaml:12:5: tasks.migrate.command: ...`. String values
 * are interpolated (${VAR}) as they are read, so interpolation errors are located too.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { configError } from "./errors.js";
import type { OneoffError } from "../output/errors.js";
import { interpolateWithDefaults, InterpolationError, UnsetVariableError, type Environment } from "./interpolate.js";
import { closest } from "../formats/words.js";
import { ownValue, userKeyed } from "../formats/user-keys.js";
import { SETTINGS } from "../settings/table.js";

export interface Located<T> {
  value: T;
  location: string;
}

/**
 * compose's words for oneoff's keys: compose users type these first, and the nearest string is
 * another key. The settings table's rows that oneoff.yaml names its own way give theirs (environment, working_dir, mem_limit).
 */
const COMPOSE_SPELLINGS: ReadonlyMap<string, string> = new Map(
  SETTINGS.flatMap((row): Array<[string, string]> => {
    const keys = row.configKeys ?? (row.compose && row.yaml ? { compose: row.compose, yaml: row.yaml } : undefined);
    return keys ? [[keys.compose, keys.yaml]] : [];
  }),
);

export class YamlReader {
  private constructor(
    private readonly displayPath: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly env: Environment,
  ) {}

  /** Scalars whose value took a ${VAR:-default} fallback when read. */
  private readonly fallbacks = new WeakSet<Node>();

  static parse(text: string, displayPath: string, env: Environment): { reader: YamlReader; root: Node | null } {
    const lines = new LineCounter();
    // merge: YAML 1.1's `<<` keys, which compose files use to share settings (`<<: *common`).
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true, merge: true });
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      const at = pos ? `${displayPath}:${pos.line}:${pos.col}` : displayPath;
      const what = first.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "invalid YAML";
      throw configError(at, undefined, `invalid YAML: ${what}`, "fix the YAML syntax at that line");
    }
    const reader = new YamlReader(displayPath, doc, lines, env);
    return { reader, root: reader.deref(doc.contents) };
  }

  locationOf(node: Node | null | undefined): string {
    const offset = node?.range?.[0];
    if (offset === undefined) return this.displayPath;
    const { line, col } = this.lines.linePos(offset);
    return `${this.displayPath}:${line}:${col}`;
  }

  error(node: Node | null | undefined, keyPath: string, message: string, hint?: string): Error {
    return configError(this.locationOf(node), keyPath, message, hint);
  }

  deref(node: unknown): Node | null {
    if (node == null) return null;
    if (!isAlias(node)) return node as Node;
    const target = node.resolve(this.doc);
    if (target === undefined)
      throw this.error(node as unknown as Node, "", `unknown alias *${node.source}`, `define the anchor &${node.source} before using it`);
    return target as Node;
  }

  /**
   * The entries of a mapping, refusing keys not in `allowed` with a "did you mean".
   * Returns [key, valueNode, keyNode] in file order.
   */
  entries(node: Node | null, keyPath: string, allowed?: readonly string[]): Array<[string, Node | null, Node | null]> {
    if (!isMap(node))
      throw this.error(
        node,
        keyPath || "(top level)",
        `expected a mapping, got ${describe(node)}`,
        "write it as KEY: value lines, indented under it",
      );
    return this.pairs(node as YAMLMap, keyPath).map((pair) => {
      const keyNode = this.deref(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : "";
      const path = keyPath ? `${keyPath}.${key}` : key;
      if (allowed && !allowed.includes(key)) {
        const composeWord = COMPOSE_SPELLINGS.get(key);
        const suggestion = composeWord && allowed.includes(composeWord) ? composeWord : closest(key, allowed);
        throw this.error(keyNode, path, "unknown key", suggestion ? `did you mean "${suggestion}"?` : `known keys: ${allowed.join(", ")}`);
      }
      return [key, this.deref(pair.value), keyNode];
    });
  }

  string(node: Node | null, keyPath: string): string {
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) {
      return this.interpolated(String(node.value), node, keyPath);
    }
    throw this.error(node, keyPath, `expected a string, got ${describe(node)}`, "write a single value, quoted if in doubt");
  }

  /** A string or a list of strings, always returned as a list. */
  stringList(node: Node | null, keyPath: string): string[] {
    if (isSeq(node)) return node.items.map((item, i) => this.string(this.deref(item), `${keyPath}[${i}]`));
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) return [this.string(node, keyPath)];
    throw this.error(
      node,
      keyPath,
      `expected a string or a list of strings, got ${describe(node)}`,
      "write a value, or a list such as [a, b]",
    );
  }

  /**
   * A mapping of names to scalar values (env, labels). A key with no value (`KEY:`) takes
   * its value from the invoking environment, as in compose; it is left out when unset there.
   * With `onUnset`, a value whose ${VAR} is not set is left out too, and its located error
   * handed over to be raised only if a one-off gets that value.
   */
  stringMap(
    node: Node | null,
    keyPath: string,
    options: {
      nullFromEnv: boolean;
      checkName?: (name: string) => string | undefined;
      onUnset?: (name: string, error: OneoffError) => void;
    },
  ): Record<string, string> {
    const result = userKeyed();
    for (const [key, value, keyNode] of this.entries(node, keyPath)) {
      const path = `${keyPath}.${key}`;
      const nameProblem = key === "" ? "the name is empty" : options.checkName?.(key);
      if (nameProblem) throw this.error(keyNode ?? node, path, nameProblem, "give it a name without =, spaces or NUL bytes");
      if (isScalar(value) && value.value === null && options.nullFromEnv) {
        const fromHost = ownValue(this.env, key);
        if (fromHost !== undefined) result[key] = fromHost;
        continue;
      }
      if (isScalar(value) && value.value !== null && typeof value.value !== "object") {
        if (typeof value.value !== "string") result[key] = String(value.value);
        else {
          const read = this.interpolatedOrUnset(value.value, value, path);
          if ("value" in read) result[key] = read.value;
          else if (options.onUnset) options.onUnset(key, read.unset);
          else throw read.unset;
        }
        continue;
      }
      throw this.error(
        value ?? node,
        path,
        `expected a string, number or boolean, got ${describe(value)}`,
        "give a single value; quote it if it holds : or #",
      );
    }
    return result;
  }

  number(node: Node | null, keyPath: string): number {
    if (isScalar(node)) {
      const raw = typeof node.value === "string" ? this.interpolated(node.value, node, keyPath) : node.value;
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (Number.isFinite(value)) return value;
    }
    throw this.error(node, keyPath, `expected a number, got ${describe(node)}`, "give a plain number, such as 10");
  }

  boolean(node: Node | null, keyPath: string): boolean {
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    throw this.error(node, keyPath, `expected true or false, got ${describe(node)}`, "write true or false, unquoted");
  }

  /** Whether a value read from `node` (or any item within it) is only a ${VAR:-default} fallback. */
  tookDefault(node: Node | null): boolean {
    if (node === null) return false;
    if (this.fallbacks.has(node)) return true;
    if (isSeq(node)) return node.items.some((item) => this.tookDefault(this.deref(item)));
    if (isMap(node)) return this.pairs(node as YAMLMap, "").some((pair) => this.tookDefault(this.deref(pair.value)));
    return false;
  }

  /**
   * A mapping's pairs with its `<<` merge keys resolved as PyYAML (compose v1) and compose v2
   * resolve them: the merged mappings' pairs first, the mapping's own after them; a key keeps
   * its first place and takes its last value, so the mapping's own keys win, and of a list
   * `<<: [*a, *b]` the earlier mapping wins. Merged pairs are the anchor's own nodes, so an
   * error in one points at the line where it is written.
   */
  private pairs(map: YAMLMap, keyPath: string, merging: ReadonlySet<Node> = new Set()): Pair[] {
    const flattened: Pair[] = [];
    const own: Pair[] = [];
    for (const pair of map.items as Pair[]) {
      if (!isMergeKey(pair.key)) {
        own.push(pair);
        continue;
      }
      const at = keyPath ? `${keyPath}.<<` : "<<";
      const value = this.deref(pair.value);
      const sources = isSeq(value)
        ? value.items.map((item) => ({ node: this.deref(item), from: item as Node }))
        : [{ node: value, from: pair.value as Node }];
      const merged: Pair[][] = [];
      for (const { node, from } of sources) {
        if (!isMap(node))
          throw this.error(
            from ?? (pair.key as Node),
            at,
            `<< merges ${describe(node)}`,
            "merge a mapping: <<: *ANCHOR, or a list of them: <<: [*a, *b]",
          );
        if (merging.has(node)) throw this.error(from, at, "<< merges a mapping into itself", "merge another anchor");
        merged.push(this.pairs(node as YAMLMap, keyPath, new Set([...merging, map, node])));
      }
      // Errors point at the `<<` that merges (the alias), not at the anchor it names.
      // Of a list, the earlier mapping wins: it comes later in the flattened order.
      for (const pairs of merged.reverse()) flattened.push(...pairs);
    }
    if (flattened.length === 0) return own;
    const byKey = new Map<unknown, Pair>();
    const place = new Map<unknown, number>();
    for (const pair of [...flattened, ...own]) {
      const keyNode = this.deref(pair.key);
      const key = isScalar(keyNode) ? keyNode.value : keyNode;
      if (!place.has(key)) place.set(key, place.size);
      byKey.set(key, pair);
    }
    return [...place.keys()].map((key) => byKey.get(key) as Pair);
  }

  private interpolated(text: string, node: Node, keyPath: string): string {
    const read = this.interpolatedOrUnset(text, node, keyPath);
    if ("unset" in read) throw read.unset;
    return read.value;
  }

  /** A syntax error is thrown; an unset variable's error is returned, located, to throw now or later. */
  private interpolatedOrUnset(text: string, node: Node, keyPath: string): { value: string } | { unset: OneoffError } {
    try {
      const { value, defaulted } = interpolateWithDefaults(text, this.env);
      if (defaulted) this.fallbacks.add(node);
      return { value };
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      const located = configError(this.locationOf(node), keyPath, error.message, error.hint);
      if (error instanceof UnsetVariableError) return { unset: located };
      throw located;
    }
  }
}

/** A plain `<<` key, which the parser (with `merge`) reads as the merge symbol; a quoted "<<" is a key. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol";
}

function describe(node: Node | null | undefined): string {
  if (node == null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    if (node.value === null) return "nothing";
    if (typeof node.value === "string") return `the string "${node.value}"`;
    return `${typeof node.value === "boolean" ? "the boolean" : "the number"} ${String(node.value)}`;
  }
  return "an unsupported value";
}
