/**
 * Files in and out of a one-off with docker cp's path rules, as tar streams end to end:
 * local files -> tar-fs pack -> PUT archive, and GET archive -> untrusted-extract -> local files.
 * Nothing is held in memory or written to a temp file on the way; modes and mtimes travel in
 * the tar headers.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { addAbortSignal, Readable } from "node:stream";
import { pack, type Headers, type PackOptions } from "tar-fs";
import type { FileCopy } from "../types/plan.js";
import { isDirectory } from "../engine/archive-answers.js";
import type { ContainerEngine } from "../engine/types.js";
import { ExitCode, OneoffError } from "../output/errors.js";
import type { Reporter } from "../output/reporter.js";
import { formatSize } from "../formats/units.js";
import { extractUntrusted, LimitExceeded } from "./untrusted-extract.js";

/** After create, before start. Rejects on the first copy that fails (the one-off then never starts). */
export async function copyIntoOneOff(
  client: ContainerEngine,
  containerId: string,
  copies: readonly FileCopy[],
  signal?: AbortSignal,
): Promise<void> {
  for (const copy of copies) {
    signal?.throwIfAborted();
    const contentsOnly = /\/\.$/.test(copy.local);
    const source = bare(copy.local.replace(/\/\.$/, ""));
    const sourceIsDirectory = statSync(source).isDirectory();
    const target = await client.statPath(containerId, bare(copy.container));
    const targetIsDirectory = target !== undefined && isDirectory(target);
    if (target && !targetIsDirectory && sourceIsDirectory)
      throw copyError(copy, `${copy.container} is a file in the one-off; a directory cannot replace it`);
    if (!target && copy.container.endsWith("/") && !sourceIsDirectory)
      throw copyError(copy, `the directory ${copy.container} does not exist in the one-off`);
    // Into an existing directory the source keeps its name; otherwise it takes the target's.
    const into = targetIsDirectory ? copy.container : path.posix.dirname(bare(copy.container));
    const rename = targetIsDirectory ? undefined : path.posix.basename(copy.container.replace(/\/+$/, ""));
    const options = {
      entries: [contentsOnly ? "." : path.basename(source)],
      // The modes as they are: the local umask has no say in what the one-off gets.
      umask: 0,
      map: rename ? (contentsOnly ? underTop(rename) : renameTop(path.basename(source), rename)) : undefined,
    } as PackOptions;
    const archive = pack(contentsOnly ? source : path.dirname(source), options);
    // tar-fs streams are streamx streams: Readable.from pulls from them as the request drains.
    const stream = Readable.from(archive);
    await client.putArchive(containerId, into, signal ? addAbortSignal(signal, stream) : stream);
  }
}

/**
 * After the command exits, before removal. Every copy is tried; each failure is one line,
 * and the exit code becomes 125 unless the command's own was already a failure.
 */
export async function copyOutOfOneOff(
  client: ContainerEngine,
  containerId: string,
  copies: readonly FileCopy[],
  exitCode: number,
  report: Reporter,
  { limitBytes, signal }: { limitBytes: number; signal?: AbortSignal | undefined },
): Promise<number> {
  let failed = false;
  for (const copy of copies) {
    if (signal?.aborted) {
      report.warn(`${copy.given}: not copied: interrupted`);
      failed = true;
      continue;
    }
    try {
      await copyOut(client, containerId, copy, report, limitBytes, signal);
    } catch (error) {
      failed = true;
      const oneoffError = error instanceof OneoffError ? error : copyError(copy, (error as Error).message);
      report.warn(`${oneoffError.message}${oneoffError.hint ? ` (${oneoffError.hint})` : ""}`);
    }
  }
  return failed && exitCode === 0 ? ExitCode.runnerFailed : exitCode;
}

async function copyOut(
  client: ContainerEngine,
  containerId: string,
  copy: FileCopy,
  report: Reporter,
  limitBytes: number,
  signal?: AbortSignal,
): Promise<void> {
  const source = bare(copy.container);
  const archive = await client.getArchive(containerId, source);
  if (!archive) throw copyError(copy, `${copy.container} does not exist in the one-off`, "check the path the command writes to");
  const destination = bare(copy.local);
  // The archive's top entry carries the source's base name ("." for a path ending in /.).
  const top = source.endsWith("/.") ? "." : path.posix.basename(source);
  const intoExisting = isLocalDirectory(destination);
  // docker cp's rule: a copy to a path that is not a folder takes its name. It is made in that
  // path's folder, but confined to its own name: its links are checked against it, not the folder.
  const renamed = !(intoExisting || top === ".");
  const name = path.basename(destination);
  const outcome = await extractUntrusted(archive, renamed ? path.dirname(destination) : destination, {
    ...(renamed ? { rename: renameTopName(top, name), confinedTo: name } : {}),
    limitBytes,
    signal,
  }).catch((error: unknown) => {
    archive.destroy();
    throw notCopied(copy, destination, error, signal);
  });
  if (outcome.privilegeBitsDropped.length > 0) {
    report.warn(`${copy.given}: copied ${describeSome(outcome.privilegeBitsDropped)} without its setuid/setgid bits`);
  }
  const [first, ...more] = outcome.refused;
  if (first) {
    throw copyError(
      copy,
      `refused ${first.name}: ${first.why}${more.length > 0 ? ` (and ${more.length} more entr${more.length === 1 ? "y" : "ies"})` : ""}; ${outcome.copied > 0 ? "the rest was copied" : "nothing was copied"}`,
      "what a container sends back is untrusted: links must stay inside the destination, and hard links, devices and fifos are not copied out",
    );
  }
}

/** A copy that failed as a whole, which extractUntrusted has undone. */
function notCopied(copy: FileCopy, destination: string, error: unknown, signal: AbortSignal | undefined): OneoffError {
  if (error instanceof OneoffError) return error;
  if (signal?.aborted)
    return copyError(copy, `interrupted while writing ${destination}; nothing of it was kept`, "run it again to copy it");
  if (error instanceof LimitExceeded)
    return copyError(
      copy,
      `not copied: its files come to more than the copy-out limit, ${formatSize(error.limitBytes)}; nothing of it was kept`,
      "raise the limit with --copy-out-limit SIZE, e.g. --copy-out-limit 4g",
    );
  const code = (error as NodeJS.ErrnoException).code;
  return copyError(
    copy,
    `not copied: writing ${destination} failed: ${(error as Error).message}; nothing of it was kept`,
    code === "ENOSPC" || code === "EDQUOT" ? "free some space there, or copy less" : "check both paths",
  );
}

function describeSome(names: readonly string[]): string {
  return names.length === 1 ? (names[0] as string) : `${names[0]} and ${names.length - 1} more`;
}

/** docker cp's rule: a copy to a path that does not exist yet takes that path's name. */
function renameTopName(from: string, to: string): (name: string) => string {
  return (name) => (name === from || name.startsWith(`${from}/`) ? `${to}${name.slice(from.length)}` : name);
}

function renameTop(from: string, to: string): (header: Headers) => Headers {
  return (header) => {
    if (header.name === from || header.name.startsWith(`${from}/`)) header.name = `${to}${header.name.slice(from.length)}`;
    return header;
  };
}

/** The contents form (SRC/.) into a directory that does not exist yet: it becomes that directory. */
function underTop(top: string): (header: Headers) => Headers {
  return (header) => {
    header.name = header.name === "." || header.name === "" ? top : `${top}/${header.name.replace(/^\.\//, "")}`;
    return header;
  };
}

function copyError(copy: FileCopy, why: string, hint = "check both paths"): OneoffError {
  return new OneoffError(`${copy.given}: ${why}`, { hint });
}

/** The path without trailing slashes (which only carry docker cp's "a directory" meaning). */
function bare(file: string): string {
  return file.replace(/(.)\/+$/, "$1");
}

function isLocalDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
