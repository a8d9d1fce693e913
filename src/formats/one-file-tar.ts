/**
 * A tar archive of one regular file, packed and read in memory: what a recording's volume
 * holds goes in and comes out through the Engine API's archive endpoint, which speaks tar.
 * Written here rather than through tar-fs: one file needs no temporary folder on disk. Pure.
 */

const BLOCK = 512;

/** A ustar archive holding `data` as the file `name` (mode 0600, owned by root). */
export function packOneFile(name: string, data: Buffer, mtime: Date): Buffer {
  const header = Buffer.alloc(BLOCK);
  const octal = (value: number, at: number, width: number) => header.write(`${value.toString(8).padStart(width - 1, "0")}\0`, at, "ascii");
  header.write(name, 0, 100, "utf8");
  octal(0o600, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(data.length, 124, 12);
  octal(Math.floor(mtime.getTime() / 1000), 136, 12);
  header.write("        ", 148, "ascii");
  header.write("0", 156, "ascii");
  header.write("ustar\0" + "00", 257, "ascii");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  const padding = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, data, padding, Buffer.alloc(2 * BLOCK)]);
}

/**
 * The content of the first regular file in a tar archive (extended headers skipped), or
 * undefined when there is none. The archive comes from an engine: sizes are checked against
 * what is there, never trusted.
 */
export function readOneFile(archive: Buffer): Buffer | undefined {
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) return undefined;
    const size = Number.parseInt(header.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    if (!Number.isSafeInteger(size) || size < 0 || at + BLOCK + size > archive.length) return undefined;
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === "0" || type === "\0") return archive.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}
