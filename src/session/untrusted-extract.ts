/**
 * Writing a tar that came out of a container onto this machine. The archive is untrusted: the
 * container chose every name, link and mode in it. So, unlike tar-fs (which checks a link's
 * text, then follows links already on disk when it sets modes), every entry's real path, with
 * every link resolved against what is on disk, stays inside the destination:
 *
 * - names that are absolute or hold `..` are refused;
 * - nothing on disk is followed: each folder on the way is checked with lstat (a link there
 *   refuses the entry), files are created anew with O_EXCL|O_NOFOLLOW after unlinking what was
 *   there (so a file or link in the way is replaced, never written through), and folders get
 *   their modes and times through a descriptor opened with O_NOFOLLOW;
 * - symbolic links are made last, once every file and folder is in place, and only when their
 *   target, read relative to where they sit, stays inside the destination without passing
 *   through another link (docker cp writes any link as is; a link that points elsewhere would
 *   hand this machine's files to whoever reads the copy);
 * - hard links, devices and fifos are refused; setuid, setgid and sticky bits are dropped.
 *
 * What is refused does not stop the rest: the caller gets the refusals to report in one line.
 */
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, realpath, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract, type Header } from "tar-stream";

export interface Refusal {
  /** The entry's name as the archive gives it (after renaming). */
  name: string;
  why: string;
}

export interface ExtractOutcome {
  refused: Refusal[];
  /** Files written without the setuid/setgid bits they had in the archive. */
  privilegeBitsDropped: string[];
}

export interface ExtractOptions {
  /** Renames an entry (docker cp's rule that the top entry takes the destination's name). */
  rename?: (name: string) => string;
  signal?: AbortSignal;
}

const PERMISSION_BITS = 0o777;
const PRIVILEGE_BITS = 0o6000;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const EXISTING_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** Refuses one entry; the extraction goes on. */
class Refused extends Error {}

interface DirectoryStamp {
  relative: string;
  mode: number;
  mtime: Date | undefined;
}

interface PendingLink {
  relative: string;
  target: string;
  mtime: Date | undefined;
}

/** Extracts `archive` into the folder `destination` (made if missing, as the user named it). */
export async function extractUntrusted(archive: Readable, destination: string, options: ExtractOptions = {}): Promise<ExtractOutcome> {
  await mkdir(destination, { recursive: true });
  // The destination itself is the user's choice, links and all; below it, nothing is followed.
  const root = await realpath(destination);
  const outcome: ExtractOutcome = { refused: [], privilegeBitsDropped: [] };
  const tree = new DiskTree(root);
  const directories: DirectoryStamp[] = [];
  const links: PendingLink[] = [];
  const parser = tarExtract();
  const feeding = pipeline(archive, parser, ...(options.signal ? [{ signal: options.signal }] : []));
  feeding.catch(() => {});
  try {
    for await (const entry of parser) {
      const header = entry.header;
      const given = options.rename ? options.rename(header.name) : header.name;
      // Named as it lands below the destination once the name is known to be sound.
      let shown = given;
      try {
        const relative = entryPath(given);
        shown = relative;
        switch (header.type) {
          case "file":
          case "contiguous-file":
            if (relative === "") throw new Refused("a file cannot replace the destination folder");
            if ((header.mode ?? 0) & PRIVILEGE_BITS) outcome.privilegeBitsDropped.push(relative);
            await writeFile(tree, relative, entry, header);
            continue;
          case "directory":
            await tree.directory(relative);
            if (relative !== "") directories.push({ relative, mode: (header.mode ?? 0o755) & PERMISSION_BITS, mtime: header.mtime });
            break;
          case "symlink":
            if (relative === "") throw new Refused("a link cannot replace the destination folder");
            await tree.directory(path.posix.dirname(relative));
            links.push({ relative, target: header.linkname ?? "", mtime: header.mtime });
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
  // Deepest first, so a folder made read-only does not block setting what is inside it.
  for (const directory of directories.sort((a, b) => b.relative.length - a.relative.length)) await stampDirectory(tree, directory);
  const archiveLinks = new Map(links.map((link) => [link.relative, link.target]));
  for (const link of links) {
    try {
      await tree.checkLinkTarget(link.relative, link.target, archiveLinks);
      await tree.replaceWith(link.relative, (file) => symlink(link.target, file));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      outcome.refused.push({ name: link.relative, why: error.message });
    }
  }
  return outcome;
}

/** An entry's path below the destination: "" is the destination itself. */
export function entryPath(name: string): string {
  if (name.includes("\0")) throw new Refused("its name holds a NUL byte");
  if (name.startsWith("/")) throw new Refused("its name is absolute");
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new Refused("its name climbs out with ..");
  return parts.join("/");
}

/** The destination as it is on disk, checked one lstat at a time, never through a link. */
class DiskTree {
  /** Folders (relative paths) already seen to be real folders, or made here. */
  private readonly folders = new Set<string>([""]);

  constructor(readonly root: string) {}

  absolute(relative: string): string {
    return relative === "" ? this.root : path.join(this.root, relative);
  }

  async lstatOf(relative: string): Promise<Stats | undefined> {
    try {
      return await lstat(this.absolute(relative));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Makes `relative` and every folder above it a real folder, refusing links and files in the way. */
  async directory(relative: string): Promise<void> {
    if (this.folders.has(relative)) return;
    await this.directory(parentOf(relative));
    const found = await this.lstatOf(relative);
    if (found === undefined) await mkdir(this.absolute(relative), { mode: 0o755 });
    else if (found.isSymbolicLink()) throw new Refused(`${relative} is a link on disk; nothing is written through it`);
    else if (!found.isDirectory()) throw new Refused(`${relative} is a file on disk, not a folder`);
    this.folders.add(relative);
  }

  /** Removes whatever non-folder is at `relative` (never following it) and makes something new there. */
  async replaceWith<T>(relative: string, make: (file: string) => Promise<T>): Promise<T> {
    await this.directory(parentOf(relative));
    const found = await this.lstatOf(relative);
    if (found?.isDirectory()) throw new Refused(`a folder ${relative} is already there`);
    if (found) await unlink(this.absolute(relative));
    return make(this.absolute(relative));
  }

  /**
   * A link at `relative` pointing at `target` must land inside the destination, reading the
   * target from the link's folder, without passing through any link (on disk, or one this
   * archive makes) on the way; it may land on a link of this archive that itself passes.
   */
  async checkLinkTarget(
    relative: string,
    target: string,
    archiveLinks: ReadonlyMap<string, string>,
    seen: Set<string> = new Set(),
  ): Promise<void> {
    if (target === "") throw new Refused("a link with an empty target");
    if (path.posix.isAbsolute(target)) throw new Refused(`a link to ${target}, outside the destination`);
    // Read component by component, not normalised: "b/../x" is only "x" if b is a real folder.
    const steps = `${parentOf(relative)}/${target}`.split("/").filter((part) => part !== "" && part !== ".");
    const walked: string[] = [];
    for (const [index, step] of steps.entries()) {
      if (step === "..") {
        if (walked.length === 0) throw new Refused(`a link to ${target}, outside the destination`);
        walked.pop();
        continue;
      }
      walked.push(step);
      const here = walked.join("/");
      const last = index === steps.length - 1;
      if (archiveLinks.has(here)) {
        if (!last) throw new Refused(`a link to ${target}, through the link ${here}`);
        if (seen.has(here) || here === relative) throw new Refused(`a loop of links through ${here}`);
        seen.add(relative);
        await this.checkLinkTarget(here, archiveLinks.get(here) as string, archiveLinks, seen);
        continue;
      }
      const found = await this.lstatOf(here);
      if (found?.isSymbolicLink()) throw new Refused(`a link to ${target}, through the link ${here} already on disk`);
    }
  }
}

async function writeFile(tree: DiskTree, relative: string, entry: AsyncIterable<unknown>, header: Header): Promise<void> {
  const handle = await tree.replaceWith(relative, (file) => open(file, NEW_FILE, 0o600));
  try {
    for await (const chunk of entry) await handle.write(chunk as Buffer);
    // Modes as the archive has them (less privilege bits): the local umask has no say.
    await handle.chmod((header.mode ?? 0o644) & PERMISSION_BITS);
    if (header.mtime) await handle.utimes(header.mtime, header.mtime);
  } finally {
    await handle.close();
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

function parentOf(relative: string): string {
  const parent = path.posix.dirname(relative);
  return parent === "." ? "" : parent;
}
