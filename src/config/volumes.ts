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
