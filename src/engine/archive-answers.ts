/**
 * What the archive endpoint's answers hold, read without a tar library: a path's stat (Go's
 * os.FileMode bits, from the X-Docker-Container-Path-Stat header) and the text of a small file.
 */
import type { PathStat } from "./types.js";

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

export function isDirectory(stat: PathStat): boolean {
  return stat.mode >= GO_MODE_DIR && Math.floor(stat.mode / GO_MODE_DIR) % 2 === 1;
}

export function isSymlink(stat: PathStat): boolean {
  return Math.floor(stat.mode / GO_MODE_SYMLINK) % 2 === 1;
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
