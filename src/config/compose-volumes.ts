/**
 * The volume row's compose key (settings/volume-row.ts): a compose service's `volumes:`, short
 * form (`./conf:/etc/app:z,ro`, read as -v is) and long form (type, source, target, read_only,
 * consistency, bind/volume/tmpfs options, checked against the same words as --mount); and
 * oneoff.yaml's, -v's entries. A volume's name is as written (compose.ts gives it the project's).
 * Pure.
 */
import type { Node } from "yaml";
import { isMap, isSeq } from "yaml";
import type { Mount } from "../types/config.js";
import { isConsistency, isPropagation } from "../formats/mount-mode.js";
import { parseVolume } from "../formats/mount-syntax.js";
import { parseMemory } from "../formats/units.js";
import type { YamlReader } from "./yaml-reader.js";
import { composePath, type PathBase } from "./compose-paths.js";

/** oneoff.yaml's `volumes:`, each entry read as -v's, relative paths from `dir`. */
export function readVolumeList(reader: YamlReader, node: Node | null, at: string, dir: string): Mount[] {
  return reader.stringList(node, at).map((item, i) => {
    const mount = parseVolume(item, dir);
    if (typeof mount === "string")
      throw reader.error(
        node,
        `${at}[${i}]`,
        `"${item}": ${mount}`,
        "write [SOURCE:]TARGET[:MODE], such as shop-data:/data or ./conf:/etc/app:z,ro",
      );
    return mount;
  });
}

export function readVolumes(reader: YamlReader, node: Node | null, at: string, base: PathBase): Mount[] {
  if (!isSeq(node)) throw reader.error(node, at, "expected a list", "write volumes as a list of SOURCE:TARGET[:MODE]");
  return node.items.map((item, i) => {
    const entry = reader.deref(item);
    const where = `${at}[${i}]`;
    if (isMap(entry)) return readLongVolume(reader, entry, where, base);
    const text = reader.string(entry, where);
    // A source starting with ~ is under HOME, as compose has it; then the entry reads as -v's.
    const [source = "", ...rest] = text.split(":");
    const written = source.startsWith("~") && rest.length ? [composePath(reader, entry, where, base, source), ...rest].join(":") : text;
    const mount = parseVolume(written, base.dir);
    if (typeof mount === "string")
      throw reader.error(entry, where, `"${text}": ${mount}`, "write SOURCE:TARGET[:MODE], such as ./conf:/etc/app:z,ro");
    return mount;
  });
}

const LONG_KEYS = ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs"];

function readLongVolume(reader: YamlReader, entry: Node, where: string, base: PathBase): Mount {
  const fields = new Map(reader.entries(entry, where, LONG_KEYS).map(([key, value]) => [key, value]));
  const text = (key: string) => {
    const value = fields.get(key);
    return value ? reader.string(value, `${where}.${key}`) : "";
  };
  const type = text("type") || "volume";
  if (type !== "volume" && type !== "bind" && type !== "tmpfs")
    throw reader.error(fields.get("type") ?? entry, `${where}.type`, `volume type ${type} is not supported`, "use volume, bind or tmpfs");
  const source = text("source");
  const target = text("target");
  if (!target.startsWith("/"))
    throw reader.error(fields.get("target") ?? entry, `${where}.target`, `the target "${target}" is not an absolute path`);
  const mount: Mount = {
    type,
    source: type === "bind" ? composePath(reader, fields.get("source") ?? null, `${where}.source`, base, source) : source,
    target,
    readOnly: fields.get("read_only") ? reader.boolean(fields.get("read_only") ?? null, `${where}.read_only`) : false,
  };
  const consistency = text("consistency");
  if (consistency) {
    if (!isConsistency(consistency))
      throw reader.error(
        fields.get("consistency") ?? entry,
        `${where}.consistency`,
        `"${consistency}" is not a consistency`,
        "use consistent, cached or delegated",
      );
    mount.consistency = consistency;
  }
  for (const kind of ["bind", "volume", "tmpfs"] as const) {
    const options = fields.get(kind);
    if (!options) continue;
    if (kind !== type)
      throw reader.error(
        options,
        `${where}.${kind}`,
        `${kind} options on a mount of type ${type}`,
        `leave ${kind}: out, or set type: ${kind}`,
      );
    readOptions(reader, options, `${where}.${kind}`, mount);
  }
  return mount;
}

const OPTION_KEYS = { bind: ["propagation", "create_host_path", "selinux"], volume: ["nocopy"], tmpfs: ["size", "mode"] };

function readOptions(reader: YamlReader, node: Node, at: string, mount: Mount): void {
  let createHostPath = false;
  for (const [key, value] of reader.entries(node, at, OPTION_KEYS[mount.type])) {
    const keyPath = `${at}.${key}`;
    if (key === "nocopy") mount.noCopy = reader.boolean(value, keyPath);
    else if (key === "create_host_path") createHostPath = reader.boolean(value, keyPath);
    else if (key === "propagation" || key === "selinux") {
      const word = reader.string(value, keyPath);
      if (key === "propagation" && isPropagation(word)) mount.propagation = word;
      else if (key === "selinux" && (word === "z" || word === "Z")) mount.selinuxLabel = word;
      else
        throw reader.error(
          value,
          keyPath,
          `"${word}" is not a ${key}`,
          key === "selinux" ? "use z or Z" : "use rprivate, private, rshared, shared, rslave or slave",
        );
    } else if (key === "size") {
      const bytes = parseMemory(reader.string(value, keyPath));
      if (bytes === undefined) throw reader.error(value, keyPath, "not a size", "such as 64m, or a number of bytes");
      mount.tmpfsSizeBytes = bytes;
    } else if (key === "mode") mount.tmpfsMode = reader.number(value, keyPath);
  }
  // A label, or a host folder to make when missing, is only in the engine's Binds form (-v's).
  if (mount.type === "bind" && (mount.selinuxLabel || createHostPath)) mount.shortMode = shortModeOf(mount);
}

function shortModeOf(mount: Mount): string {
  const consistency = mount.consistency === "default" ? undefined : mount.consistency;
  return [mount.readOnly ? "ro" : undefined, mount.selinuxLabel, mount.propagation, consistency].filter(Boolean).join(",");
}
