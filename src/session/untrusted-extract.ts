/**
 * Writing a tar that came out of a container onto this machine. The archive is untrusted: the
 * container chose every name, link and mode in it. So, unlike tar-fs (which checks a link's
 * text, then follows links already on disk when it sets modes), every entry's real path, with
 * every link resolved against what is on disk, stays inside the destination (the folder, or
 * for a copy that takes the destination's name, that one entry of its folder):
 *
 * - names that are absolute or hold `..` are refused;
 * - nothing on disk is followed: each folder on the way is checked with lstat (a link there
 *   refuses the entry), files are written anew with O_EXCL|O_NOFOLLOW under a temporary name
 *   and renamed over what was there (so a file or link in the way is replaced, never written
 *   through), and folders get their modes and times through a descriptor opened with O_NOFOLLOW;
 * - symbolic links are made last, once every file and folder is written, and only when their
 *   target, read relative to where they sit, stays inside the destination without passing
 *   through another link (docker cp writes any link as is; a link that points elsewhere would
 *   hand this machine's files to whoever reads the copy);
 * - hard links, devices and fifos are refused; setuid, setgid and sticky bits are dropped, and
 *   so are group and other write (as a umask of 022 would);
 * - past `limitBytes` of files, or on any failure to write (a full disk, an interrupt), the
 *   copy is undone: nothing of it is left, and what was there before is as it was.
 *
 * What is refused does not stop the rest: the caller gets the refusals to report in one line.
 */
import { constants } from "node:fs";
import { mkdir, open, realpath, rmdir, symlink, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract, type Header } from "tar-stream";
import { DiskTree, Refused, type Staged } from "./untrusted-tree.js";

interface Refusal {
  /** The entry's name as the archive gives it (after renaming). */
  name: string;
  why: string;
}

export interface ExtractOutcome {
  refused: Refusal[];
  /** Files written without the setuid/setgid bits they had in the archive. */
  privilegeBitsDropped: string[];
  /** How many entries (files, folders, links) were copied. */
  copied: number;
}

export interface ExtractOptions {
  /** Renames an entry (docker cp's rule that the top entry takes the destination's name). */
  rename?: (name: string) => string;
  /**
   * The copy is this one entry of the folder (docker cp's rule: a copy to a path that is not
   * a folder takes that path's name): every entry, and every link's target, must stay inside
   * it, not merely inside the folder it is made in. A link that is this entry itself is
   * therefore always refused: it cannot point inside itself.
   */
  confinedTo?: string;
  /** The most bytes of files the copy may write; past it the whole copy fails (LimitExceeded). */
  limitBytes?: number;
  signal?: AbortSignal;
}

/** The archive's files come to more than `limitBytes`: nothing of the copy was kept. */
export class LimitExceeded extends Error {
  constructor(readonly limitBytes: number) {
    super(`its files come to more than ${limitBytes} bytes`);
  }
}

/** What a copy keeps of a mode: no setuid, setgid or sticky bit, and no group or other write (umask 022). */
const COPIED_MODE_BITS = 0o755;
const PRIVILEGE_BITS = 0o6000;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const EXISTING_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

interface DirectoryStamp {
  relative: string;
  mode: number;
  mtime: Date | undefined;
}

interface PendingLink {
  relative: string;
  target: string;
}

/**
 * Extracts `archive` into the folder `destination` (made if missing, as the user named it).
 * All or nothing, but for refusals: files and links are written under temporary names and
 * moved into place only once the whole archive is written, so a copy that fails (past the
 * limit, a full disk, an interrupt) leaves what was there before as it was, and removes what
 * it made.
 */
export async function extractUntrusted(archive: Readable, destination: string, options: ExtractOptions = {}): Promise<ExtractOutcome> {
  const madeDestination = await mkdir(destination, { recursive: true });
  // The destination itself is the user's choice, links and all; below it, nothing is followed.
  const root = await realpath(destination);
  const outcome: ExtractOutcome = { refused: [], privilegeBitsDropped: [], copied: 0 };
  const tree = new DiskTree(root, options.confinedTo ?? "");
  const directories: DirectoryStamp[] = [];
  const links: PendingLink[] = [];
  const staged: Staged[] = [];
  const archiveFiles = new Set<string>();
  let bytesLeft = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const parser = tarExtract();
  const feeding = pipeline(archive, parser, ...(options.signal ? [{ signal: options.signal }] : []));
  feeding.catch(() => {});
  try {
    try {
      for await (const entry of parser) {
        const header = entry.header;
        const given = options.rename ? options.rename(header.name) : header.name;
        // Named as it lands below the destination once the name is known to be sound.
        let shown = given;
        try {
          const relative = entryPath(given);
          shown = relative;
          if (!tree.holds(relative)) throw new Refused("it lies outside the destination");
          switch (header.type) {
            case "file":
            case "contiguous-file":
              if (relative === "") throw new Refused("a file cannot replace the destination folder");
              bytesLeft -= header.size ?? 0;
              if (bytesLeft < 0) throw new LimitExceeded(options.limitBytes as number);
              if ((header.mode ?? 0) & PRIVILEGE_BITS) outcome.privilegeBitsDropped.push(relative);
              staged.push(await writeFile(tree, relative, entry, header));
              archiveFiles.add(relative);
              continue;
            case "directory":
              await tree.directory(relative);
              if (relative !== "") directories.push({ relative, mode: (header.mode ?? 0o755) & COPIED_MODE_BITS, mtime: header.mtime });
              outcome.copied++;
              break;
            case "symlink":
              if (relative === "") throw new Refused("a link cannot replace the destination folder");
              await tree.directory(path.posix.dirname(relative));
              links.push({ relative, target: header.linkname ?? "" });
              break;
            case "link":
              throw new Refused(`a hard link (to ${header.linkname ?? "?"}) is not copied out`);
            default:
              throw new Refused(`a ${header.type ?? "special file"} is not copied out`);
          }
        } catch (error) {
          if (!(error instanceof Refused)) throw error;
          outcome.refused.push({ name: shown, why: error.message });
        }
        await drain(entry);
      }
      await feeding;
    } catch (error) {
      parser.destroy();
      await feeding.catch(() => {});
      throw error;
    }
    const archiveLinks = new Map(links.map((link) => [link.relative, link.target]));
    for (const link of links) {
      try {
        await tree.checkLinkTarget(link.relative, link.target, archiveLinks, archiveFiles);
        const temporary = tree.temporaryBeside(link.relative);
        await symlink(link.target, temporary);
        staged.push({ relative: link.relative, temporary });
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        outcome.refused.push({ name: link.relative, why: error.message });
      }
    }
    // Everything is written: from here on only renames, which write no data. Links go last,
    // so a link replaces a file of its name, as when each was written in turn.
    for (const item of staged) {
      try {
        await tree.moveInto(item);
        outcome.copied++;
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        outcome.refused.push({ name: item.relative, why: error.message });
      }
    }
  } catch (error) {
    await undo(tree, staged, madeDestination === undefined ? undefined : root);
    throw error;
  }
  // Deepest first, so a folder made read-only does not block setting what is inside it.
  for (const directory of directories.sort((a, b) => b.relative.length - a.relative.length)) await stampDirectory(tree, directory);
  return outcome;
}

/** After a failed copy: its temporary files and links go, then the folders it made, deepest first. */
async function undo(tree: DiskTree, staged: readonly Staged[], madeRoot: string | undefined): Promise<void> {
  for (const item of staged) await unlink(item.temporary).catch(() => {});
  for (const folder of [...tree.made].reverse()) await rmdir(tree.absolute(folder)).catch(() => {});
  if (madeRoot !== undefined) await rmdir(madeRoot).catch(() => {});
}

/** An entry's path below the destination: "" is the destination itself. */
export function entryPath(name: string): string {
  if (name.includes("\0")) throw new Refused("its name holds a NUL byte");
  if (name.startsWith("/")) throw new Refused("its name is absolute");
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new Refused("its name climbs out with ..");
  return parts.join("/");
}

/** Writes a file entry under a temporary name beside where it goes. */
async function writeFile(tree: DiskTree, relative: string, entry: AsyncIterable<unknown>, header: Header): Promise<Staged> {
  await tree.placeFor(relative);
  const temporary = tree.temporaryBeside(relative);
  const handle = await open(temporary, NEW_FILE, 0o600);
  const staged = { relative, temporary };
  try {
    for await (const chunk of entry) await writeAll(handle, chunk as Buffer);
    // Modes as the archive has them, less privilege bits and group and other write (umask
    // 022): the local umask has no say, and a copy is not left writable by everyone.
    await handle.chmod((header.mode ?? 0o644) & COPIED_MODE_BITS);
    if (header.mtime) await handle.utimes(header.mtime, header.mtime);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
  return staged;
}

/**
 * A write may take only part of a buffer, without an error (a disk that fills mid-write): the
 * rest is written again, which then fails with the reason (ENOSPC), rather than leaving a
 * file short as if complete.
 */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.length;) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    if (bytesWritten === 0) throw Object.assign(new Error("EIO: the disk took nothing of a write"), { code: "EIO" });
    offset += bytesWritten;
  }
}

async function stampDirectory(tree: DiskTree, directory: DirectoryStamp): Promise<void> {
  const handle = await open(tree.absolute(directory.relative), EXISTING_DIRECTORY);
  try {
    await handle.chmod(directory.mode);
    if (directory.mtime) await handle.utimes(directory.mtime, directory.mtime);
  } finally {
    await handle.close();
  }
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of entry) {
    // discarded: a folder's, a link's or a refused entry's data
  }
}
