/**
 * Where oneoff keeps or reads files that decide what it runs (Node's compile cache, the audit
 * log, the reap stamp, config it finds by looking): only in folders that no other user can
 * change. OpenSSH's StrictModes is the model: every folder from / down must be a real folder
 * (not a link) owned by this user or root and writable by no one else, because whoever can
 * write to any folder on the way can swap what lies below it. Also bundled on its own for the
 * launcher (bin/oneoff.js), which checks its cache folder before it loads the CLI.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, type Stats } from "node:fs";
import path from "node:path";

/** Group- or other-writable: someone else may change what is there. */
const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/**
 * Why the folder `dir` (absolute) may hold files another user planted or can change, or
 * undefined when every folder from / down to it is safe for `uid`. One exception, for folders
 * above the last: root's sticky folders writable by all (/tmp), where no one can rename or
 * remove what another user made, so a folder of one's own below is still one's own. The last
 * folder itself never may be writable by others: anyone could add a file to it.
 */
export function folderChainProblem(dir: string, uid: number): string | undefined {
  return walkFolderChain(dir, uid, { makeMissing: false });
}

/**
 * Makes `dir` (absolute) and the folders above it that are missing, each for this user alone,
 * checking every folder on the way as folderChainProblem does, before anything is made in it.
 * Returns why it is not safe to use (and then makes nothing below the unsafe folder).
 */
export function ensurePrivateFolder(dir: string, uid: number): string | undefined {
  return walkFolderChain(dir, uid, { makeMissing: true });
}

/** Checks each folder from / down to `dir`, making a missing one (0700) with `makeMissing`. */
function walkFolderChain(dir: string, uid: number, { makeMissing }: { makeMissing: boolean }): string | undefined {
  const folders = foldersDownTo(dir);
  for (const [index, folder] of folders.entries()) {
    let stats: Stats;
    try {
      stats = lstatSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!makeMissing || code !== "ENOENT") return `${folder} cannot be read (${code ?? String(error)})`;
      try {
        // Its parent passed the checks, so no one else can have made it meanwhile but root.
        mkdirSync(folder, { mode: 0o700 });
        stats = lstatSync(folder);
      } catch (made) {
        return `${folder} cannot be made (${(made as NodeJS.ErrnoException).code ?? String(made)})`;
      }
    }
    const why = folderProblem(stats, uid, index < folders.length - 1);
    if (why) return `${folder} ${why}`;
  }
  return undefined;
}

/**
 * Opens `file` for appending without following a link at its name (made 0600 when new), and
 * accepts it only when fstat on that descriptor shows this user's regular file writable by no
 * one else. Throws an Error saying why otherwise.
 */
export function openOwnFileForAppend(file: string, uid: number): number {
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  const why = ownFileProblem(fstatSync(fd), uid);
  if (why) {
    closeSync(fd);
    throw new Error(`${file} ${why}`);
  }
  return fd;
}

/** Why a file whose fstat is `stats` is not this user's own private regular file. */
export function ownFileProblem(stats: Stats, uid: number): string | undefined {
  if (!stats.isFile()) return "is not a regular file";
  if (stats.uid !== uid) return `is owned by uid ${stats.uid} (not you)`;
  if ((stats.mode & WRITABLE_BY_OTHERS) !== 0) return "is writable by others";
  return undefined;
}

/**
 * An XDG base folder variable's value, or undefined when unset or relative: the XDG spec says
 * a relative path there is invalid and is to be ignored.
 */
export function xdgBase(value: string | undefined): string | undefined {
  return value && path.isAbsolute(value) ? value : undefined;
}

function folderProblem(stats: Stats, uid: number, stickyRootAllowed: boolean): string | undefined {
  if (stats.isSymbolicLink()) return "is a link";
  if (!stats.isDirectory()) return "is not a folder";
  if (stats.uid !== uid && stats.uid !== 0) return `is owned by uid ${stats.uid} (not you, nor root)`;
  if (stickyRootAllowed && stats.uid === 0 && (stats.mode & STICKY) !== 0) return undefined;
  return writableByOthers(stats);
}

/** "is writable by anyone" / "is writable by its group (gid N)", or undefined when neither may write. */
export function writableByOthers(stats: Stats): string | undefined {
  if ((stats.mode & 0o002) !== 0) return "is writable by anyone";
  if ((stats.mode & 0o020) !== 0) return `is writable by its group (gid ${stats.gid})`;
  return undefined;
}

/** "/", "/a", "/a/b" for "/a/b". */
function foldersDownTo(dir: string): string[] {
  const absolute = path.resolve(dir);
  const folders: string[] = [];
  for (let folder = absolute; ; folder = path.dirname(folder)) {
    folders.unshift(folder);
    if (path.dirname(folder) === folder) return folders;
  }
}
