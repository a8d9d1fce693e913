/**
 * docker's two ways to write a mount, read into one Mount. Pure.
 *
 * The short syntax, `-v [SOURCE:]TARGET[:MODE]`: a SOURCE starting with / or . is a host path
 * (a bind), anything else a named volume; no SOURCE is an anonymous volume, removed with the
 * one-off. MODE goes through the one mode parser (formats/mount-mode.ts).
 *
 * The long syntax, `--mount type=volume|bind|tmpfs,source=S,target=T,...` with docker's
 * options; a relative bind source is taken from `baseDir`.
 */
import path from "node:path";
import type { Mount } from "../types/config.js";
import { parseMemory } from "./units.js";
import { isConsistency, isPropagation, parseMountBoolean, parseMountMode } from "./mount-mode.js";
import { userKeyed } from "./user-keys.js";

export function parseVolume(text: string, baseDir: string): Mount | string {
  const parts = text.split(":");
  if (parts.length > 3) return "use [SOURCE:]TARGET[:MODE], with at most two colons";
  if (parts.length === 1) {
    const target = parts[0] ?? "";
    return targetProblem(target) ?? { type: "volume", source: "", target, readOnly: false, shortMode: "" };
  }
  const [source = "", target = "", shortMode = ""] = parts;
  if (source === "") return "the source is empty";
  const problem = targetProblem(target);
  if (problem && parts.length === 2 && source.startsWith("/") && typeof parseMountMode(target, "bind") !== "string")
    return `an anonymous volume takes no mode: write "${source}" alone, or NAME:${source}:${target} for a named one`;
  if (problem) return problem;
  const bind = source.startsWith("/") || source.startsWith(".");
  const mode = parseMountMode(shortMode, bind ? "bind" : "volume");
  if (typeof mode === "string") return mode;
  return { type: bind ? "bind" : "volume", source: bind ? path.resolve(baseDir, source) : source, target, shortMode, ...definedOnly(mode) };
}

function targetProblem(target: string): string | undefined {
  if (!target.startsWith("/")) return `the target "${target}" is not an absolute path`;
  if (path.posix.normalize(target) === "/") return "the target cannot be / (the container's root)";
  return undefined;
}

const NAMES: Record<string, string> = { src: "source", dst: "target", destination: "target", ro: "readonly" };
/** Options that say yes by being there (`readonly`, `volume-nocopy`). */
const FLAGS = new Set(["readonly", "volume-nocopy", "bind-nonrecursive"]);
const OPTIONS = [
  "type",
  "source",
  "target",
  "readonly",
  "consistency",
  "bind-propagation",
  "bind-nonrecursive",
  "volume-nocopy",
  "volume-driver",
  "volume-opt",
  "volume-label",
  "tmpfs-size",
  "tmpfs-mode",
];

export function parseMount(text: string, baseDir: string): Mount | string {
  const fields = new Map<string, string>();
  const volumeOptions = userKeyed();
  const volumeLabels = userKeyed();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const name = NAMES[key] ?? key;
    if (!OPTIONS.includes(name)) return `"${key}" is not a --mount option (${OPTIONS.join(", ")})`;
    if (eq < 0 && !FLAGS.has(name)) return `${key} needs a value (${key}=...)`;
    const value = eq < 0 ? "true" : part.slice(eq + 1);
    if (name === "volume-opt" || name === "volume-label") {
      const at = value.indexOf("=");
      if (at <= 0) return `${name} "${value}" is not KEY=VALUE`;
      (name === "volume-opt" ? volumeOptions : volumeLabels)[value.slice(0, at)] = value.slice(at + 1);
    }
    fields.set(name, value);
  }
  const type = fields.get("type") ?? "volume";
  if (type !== "volume" && type !== "bind" && type !== "tmpfs") return `type "${type}" is not volume, bind or tmpfs`;
  for (const name of fields.keys()) {
    const kind = /^(bind|volume|tmpfs)-/.exec(name)?.[1];
    if (kind && kind !== type) return `${name} is for type=${kind}, and this is type=${type}`;
  }
  const target = fields.get("target") ?? "";
  if (target === "") return "no target (target=/path in the container)";
  const problem = targetProblem(target);
  if (problem) return problem;
  const source = fields.get("source") ?? "";
  if (type === "bind" && source === "") return "a bind needs a source (source=/path on the engine's machine)";
  if (type === "tmpfs" && source !== "") return "a tmpfs takes no source";
  const mount: Mount = { type, source: type === "bind" ? path.resolve(baseDir, source) : source, target, readOnly: false };
  for (const [name, value] of fields) {
    const problem = applyOption(mount, name, value);
    if (problem) return problem;
  }
  if (Object.keys(volumeOptions).length) mount.volumeOptions = volumeOptions;
  if (Object.keys(volumeLabels).length) mount.volumeLabels = volumeLabels;
  return mount;
}

/** Sets one --mount option on `mount`, or says why its value is wrong. */
function applyOption(mount: Mount, name: string, value: string): string | undefined {
  const flag = () => {
    const yes = parseMountBoolean(value);
    return yes === undefined ? `${name} "${value}" is not true or false` : yes;
  };
  switch (name) {
    case "readonly":
    case "volume-nocopy":
    case "bind-nonrecursive": {
      const yes = flag();
      if (typeof yes === "string") return yes;
      if (name === "readonly") mount.readOnly = yes;
      else if (yes) mount[name === "volume-nocopy" ? "noCopy" : "nonRecursive"] = true;
      return undefined;
    }
    case "consistency":
      if (!isConsistency(value)) return `consistency "${value}" is not default, consistent, cached or delegated`;
      mount.consistency = value;
      return undefined;
    case "bind-propagation":
      if (!isPropagation(value)) return `bind-propagation "${value}" is not rprivate, private, rshared, shared, rslave or slave`;
      mount.propagation = value;
      return undefined;
    case "volume-driver":
      if (value === "") return "volume-driver is empty";
      mount.volumeDriver = value;
      return undefined;
    case "tmpfs-size": {
      const bytes = parseMemory(value);
      if (bytes === undefined) return `tmpfs-size "${value}" is not a size (such as 64m)`;
      mount.tmpfsSizeBytes = bytes;
      return undefined;
    }
    case "tmpfs-mode":
      // Octal, as docker reads it (1777, 0700).
      if (!/^[0-7]{1,4}$/.test(value)) return `tmpfs-mode "${value}" is not octal permission bits (such as 1777)`;
      mount.tmpfsMode = parseInt(value, 8);
      return undefined;
    default:
      return undefined;
  }
}

/** The mode's fields that say something (readOnly always does). */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
