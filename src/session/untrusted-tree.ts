/**
 * The folder a copy-out is written into, as it is on disk: every path below it checked with
 * lstat, one folder at a time, never through a link; and where a link of the archive may
 * point. untrusted-extract.ts says why.
 */
import type { Stats } from "node:fs";
import { lstat, mkdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";

/** Refuses one entry; the extraction goes on. */
export class Refused extends Error {}

/** A file or link written under a temporary name beside where it goes, moved there once all is written. */
export interface Staged {
  relative: string;
  temporary: string;
}

/** The destination as it is on disk, checked one lstat at a time, never through a link. */
export class DiskTree {
  /** Folders (relative paths) already seen to be real folders, or made here. */
  private readonly folders = new Set<string>([""]);
  /** Folders this copy made, in the order made. */
  readonly made: string[] = [];

  /** `confinedTo`: the one entry of `root` the copy is, or "" for all of it. */
  constructor(
    readonly root: string,
    private readonly confinedTo: string,
  ) {}

  /** Whether `relative` is the copy or inside it. */
  holds(relative: string): boolean {
    return this.confinedTo === "" || relative === this.confinedTo || relative.startsWith(`${this.confinedTo}/`);
  }

  absolute(relative: string): string {
    return relative === "" ? this.root : path.join(this.root, relative);
  }

  /** A name no one else uses, in the folder where `relative` goes. */
  temporaryBeside(relative: string): string {
    return path.join(this.absolute(parentOf(relative)), `.${path.posix.basename(relative)}.oneoff-${randomBytes(6).toString("hex")}`);
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
    if (found === undefined) {
      await mkdir(this.absolute(relative), { mode: 0o755 });
      this.made.push(relative);
    } else if (found.isSymbolicLink()) throw new Refused(`${relative} is a link on disk; nothing is written through it`);
    else if (!found.isDirectory()) throw new Refused(`${relative} is a file on disk, not a folder`);
    this.folders.add(relative);
  }

  /** The folder `relative` goes in, made; refused when a folder stands where `relative` goes. */
  async placeFor(relative: string): Promise<void> {
    await this.directory(parentOf(relative));
    if ((await this.lstatOf(relative))?.isDirectory()) throw new Refused(`a folder ${relative} is already there`);
  }

  /**
   * Moves a staged file or link to where it goes. A rename replaces whatever non-folder is
   * there (a link included) and never follows it.
   */
  async moveInto(item: Staged): Promise<void> {
    try {
      await this.placeFor(item.relative);
    } catch (error) {
      await unlink(item.temporary);
      throw error;
    }
    await rename(item.temporary, this.absolute(item.relative));
  }

  /**
   * A link at `relative` pointing at `target` must land inside the copy, reading the target
   * from the link's folder, without passing through any link (on disk, or one this archive
   * makes) on the way; it may land on a link of this archive that itself passes. Where this
   * archive puts a file, what is on disk now does not count: the file replaces it.
   */
  async checkLinkTarget(
    relative: string,
    target: string,
    archiveLinks: ReadonlyMap<string, string>,
    archiveFiles: ReadonlySet<string>,
    seen: Set<string> = new Set(),
  ): Promise<void> {
    const outside = () => new Refused(`a link to ${target}, outside the destination`);
    if (target === "") throw new Refused("a link with an empty target");
    if (path.posix.isAbsolute(target)) throw outside();
    // Read component by component, not normalised: "b/../x" is only "x" if b is a real folder.
    const steps = `${parentOf(relative)}/${target}`.split("/").filter((part) => part !== "" && part !== ".");
    const walked: string[] = [];
    for (const [index, step] of steps.entries()) {
      if (step === "..") {
        if (walked.length === 0) throw outside();
        walked.pop();
        if (!this.holds(walked.join("/"))) throw outside();
        continue;
      }
      walked.push(step);
      const here = walked.join("/");
      if (!this.holds(here)) throw outside();
      const last = index === steps.length - 1;
      if (archiveLinks.has(here)) {
        if (!last) throw new Refused(`a link to ${target}, through the link ${here}`);
        if (seen.has(here) || here === relative) throw new Refused(`a loop of links through ${here}`);
        seen.add(relative);
        await this.checkLinkTarget(here, archiveLinks.get(here) as string, archiveLinks, archiveFiles, seen);
        continue;
      }
      if (archiveFiles.has(here)) continue;
      const found = await this.lstatOf(here);
      if (found?.isSymbolicLink()) throw new Refused(`a link to ${target}, through the link ${here} already on disk`);
    }
    // A target that names no step ("." from the top) lands where the link's folder is.
    if (!this.holds(walked.join("/"))) throw outside();
  }
}

function parentOf(relative: string): string {
  const parent = path.posix.dirname(relative);
  return parent === "." ? "" : parent;
}
