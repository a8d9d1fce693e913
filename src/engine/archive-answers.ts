/**
 * What the archive endpoint's answers hold, read without a tar library: a path's stat (Go's
 * os.FileMode bits, from the X-Docker-Container-Path-Stat header) and the text of a small file.
 */
import type { PathStat } from "./types.js";

/**
 * The largest file oneoff reads out of an image into memory (/etc/passwd, /etc/group to look a
 * user up): room for some 20,000 accounts. A hostile image could otherwise make oneoff hold
 * gigabytes; past this the lookup is refused, the rest never read.
 */
const SMALL_FILE_MAX_BYTES = 1024 * 1024;
/** Its tar as the archive endpoint sends it: the entry's header (a PAX one too), padding and end blocks on top. */
export const SMALL_ARCHIVE_MAX_BYTES = SMALL_FILE_MAX_BYTES + 16 * 1024;

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

export function isDirectory(stat: PathStat): boolean {
  return stat.mode >= GO_MODE_DIR && Math.floor(stat.mode / GO_MODE_DIR) % 2 === 1;
}

export function isSymlink(stat: PathStat): boolean {
  return Math.floor(stat.mode / GO_MODE_SYMLINK) % 2 === 1;
}

/** Why a file of the image was not read: said the same wherever a lookup needs it. */
export function tooLargeToRead(file: string): string {
  return `the image's ${file} is over ${SMALL_FILE_MAX_BYTES / 1024 / 1024} MiB, more than oneoff reads`;
}

/** What a small file's answer holds: its text, undefined when absent, "too large" as it came. */
export function smallFileText(answer: Buffer | undefined | "too large"): string | undefined | "too large" {
  return answer === "too large" ? answer : tarFileText(answer);
}

/** Pure: the content of the first regular file in a tar archive (the archive endpoint's answer). */
export function tarFileText(tar: Buffer | undefined): string | undefined {
  if (!tar) return undefined;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined;
    const size = parseInt(header.subarray(124, 136).toString("ascii").replace(/\0.*$/, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = offset + 512;
    if (type === "0" || type === "\0") return tar.subarray(body, body + size).toString("utf8");
    offset = body + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
