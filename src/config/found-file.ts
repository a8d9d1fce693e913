/**
 * Files oneoff finds by looking (a oneoff.yaml above the working directory, a Procfile, a
 * compose project's files and .env) rather than files the user named: they decide what runs,
 * with the operator's secrets and as the operator, so they are read only when no other user
 * can have written them. git's safe.directory and OpenSSH's StrictModes are the models. The
 * checks that decide are made on the descriptor that is then read, so swapping the file
 * between a check and the read gains nothing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, type Stats } from "node:fs";
import path from "node:path";
import { folderChainProblem, writableByOthers } from "../formats/private-paths.js";
import { OneoffError } from "../output/errors.js";
import type { Environment } from "./interpolate.js";

/** How a found file was found, for its refusal: `found by looking up from /w`, and what to do instead. */
export interface Finding {
  how: string;
  /** The flag that names such a file, when there is one: --config, --compose. */
  nameItWith?: string;
}

/** The text of `file`, found as `finding` says; a OneoffError when it cannot be trusted. */
export function readFoundFile(file: string, finding: Finding, env: Environment): string {
  const dir = path.dirname(file);
  const uid = process.geteuid?.();
  if (uid === undefined || trustedDir(dir, env)) return readFileSync(file, "utf8");
  const result = readIfTrusted(file, uid);
  if ("text" in result) return result.text;
  const instead = finding.nameItWith ? `pass ${finding.nameItWith} ${file}` : "make it and its folders yours and not writable by others";
  throw new OneoffError(`${file}: ${finding.how}, but ${result.why}; not used`, {
    hint: `if it is yours, ${instead}, or add ${dir} to ONEOFF_TRUSTED_DIRS`,
  });
}

/** ONEOFF_TRUSTED_DIRS: folders (':'-separated, or '*' for all) whose found files are used whoever owns them. */
function trustedDir(dir: string, env: Environment): boolean {
  const listed = (env.ONEOFF_TRUSTED_DIRS ?? "").split(":").filter(Boolean);
  return listed.includes("*") || listed.some((entry) => path.resolve(entry) === dir);
}

/**
 * The file's text when it (and a link to it, and the folders of both, up to /) is this user's
 * or root's and writable by no one else; else why not. A user-private group is not told
 * apart from a shared one: group-writable is refused either way.
 */
export function readIfTrusted(file: string, uid: number): { text: string } | { why: string } {
  let target = file;
  try {
    const linkStats = lstatSync(file);
    if (linkStats.isSymbolicLink()) {
      if (!ownedByUserOrRoot(linkStats, uid)) return { why: `it is a link owned by uid ${linkStats.uid} (not you, nor root)` };
      target = realpathSync(file);
    }
    // The folder of the name and the folder of the file it names: whoever can write to either
    // can swap what is read.
    const ownFolder = realpathSync(path.dirname(file));
    for (const folder of new Set([ownFolder, path.dirname(target)])) {
      const why = folderChainProblem(folder, uid);
      if (why) return { why: why.startsWith(`${folder} `) ? `its folder ${why}` : `a folder above it, ${why}` };
    }
  } catch (error) {
    return { why: `it cannot be checked (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  let fd: number;
  try {
    fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { why: code === "ELOOP" ? "it was swapped for a link while being read" : `it cannot be read (${code ?? String(error)})` };
  }
  try {
    const stats = fstatSync(fd);
    const what = target === file ? "it" : `the file it links to (${target})`;
    if (!stats.isFile()) return { why: `${what} is not a regular file` };
    if (!ownedByUserOrRoot(stats, uid)) return { why: `${what} is owned by uid ${stats.uid} (not you, nor root)` };
    const writable = writableByOthers(stats);
    if (writable) return { why: `${what} ${writable}` };
    return { text: readFileSync(fd, "utf8") };
  } finally {
    closeSync(fd);
  }
}

function ownedByUserOrRoot(stats: Stats, uid: number): boolean {
  return stats.uid === uid || stats.uid === 0;
}
