/**
 * The local side of --copy-in/--copy-out (copy-paths.ts parses them), checked before anything
 * is created: a missing path is an input error. Apart from session/files.ts, which copies, so
 * that runs without copies never load tar-fs.
 */
import { lstatSync, statSync } from "node:fs";
import path from "node:path";
import type { FileCopies } from "../types/plan.js";
import { OneoffError } from "../output/errors.js";

export function checkLocalPaths(copies: FileCopies): void {
  for (const copy of copies.copyIn) {
    if (!exists(copy.local.replace(/\/\.$/, "")))
      throw new OneoffError(`${copy.given}: ${copy.local} does not exist`, {
        hint: "check the local path; a relative one starts in the current directory",
      });
  }
  for (const copy of copies.copyOut) {
    const parent = path.dirname(copy.local.replace(/\/+$/, ""));
    if (exists(copy.local)) continue;
    if (copy.local.endsWith("/"))
      throw new OneoffError(`${copy.given}: the directory ${copy.local} does not exist`, {
        hint: "create it first, or drop the trailing / to name the copy",
      });
    if (!isLocalDirectory(parent))
      throw new OneoffError(`${copy.given}: ${parent} is not an existing directory`, { hint: "create it first: the copy goes there" });
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isLocalDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
