/**
 * docker's short volume syntax, `SOURCE:TARGET[:ro]`: a SOURCE starting with / or . is a host
 * path (bind), anything else a named volume. Pure.
 */
import path from "node:path";
import type { Mount } from "../types/config.js";

export function parseVolume(text: string, baseDir: string): Mount | string {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3) return "use SOURCE:TARGET or SOURCE:TARGET:ro";
  const [source = "", target = "", mode] = parts;
  if (source === "") return "the source is empty";
  if (!target.startsWith("/")) return `the target "${target}" is not an absolute path`;
  if (mode !== undefined && mode !== "ro" && mode !== "rw") return `unknown mode "${mode}" (use ro or rw)`;
  const bind = source.startsWith("/") || source.startsWith(".");
  return { type: bind ? "bind" : "volume", source: bind ? path.resolve(baseDir, source) : source, target, readOnly: mode === "ro" };
}

/**
 * docker's long syntax, `--mount type=volume|bind|tmpfs,source=S,target=T[,readonly]` (also
 * src, dst, destination, ro, readonly=true|false); a relative bind source is taken from
 * `baseDir`. Options docker has beyond these (volume-opt, bind-propagation, ...) are refused.
 */
export function parseMount(text: string, baseDir: string): Mount | string {
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "true" : part.slice(eq + 1);
    const name = { src: "source", dst: "target", destination: "target", ro: "readonly" }[key] ?? key;
    if (!["type", "source", "target", "readonly"].includes(name))
      return `"${key}" is not an option oneoff takes (type, source, target, readonly)`;
    fields.set(name, value);
  }
  const type = fields.get("type") ?? "volume";
  if (type !== "volume" && type !== "bind" && type !== "tmpfs") return `type "${type}" is not volume, bind or tmpfs`;
  const target = fields.get("target") ?? "";
  if (!target.startsWith("/")) return target ? `the target "${target}" is not an absolute path` : "no target";
  const readonly = fields.get("readonly") ?? "false";
  if (readonly !== "true" && readonly !== "false" && readonly !== "1" && readonly !== "0")
    return `readonly "${readonly}" is not true or false`;
  const source = fields.get("source") ?? "";
  if (type === "bind" && source === "") return "a bind needs a source";
  if (type === "tmpfs" && source !== "") return "a tmpfs takes no source";
  return {
    type,
    source: type === "bind" ? path.resolve(baseDir, source) : source,
    target,
    readOnly: readonly === "true" || readonly === "1",
  };
}
