/**
 * Archives from a container are untrusted: every hostile shape a container can put in a tar,
 * written as tar-stream would send it, extracted into a temp folder beside a "host" folder that
 * must never be read, written, linked to or re-moded through the destination.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pack, type Header } from "tar-stream";
import { describe, expect, it } from "vitest";
import { entryPath, extractUntrusted } from "../../src/session/untrusted-extract.js";

type Entry = Partial<Header> & { name: string; body?: string };

function archive(entries: readonly Entry[]): Readable {
  const tar = pack();
  for (const { body, ...header } of entries) tar.entry({ type: "file", mode: 0o644, ...header }, body ?? "");
  tar.finalize();
  return Readable.from(tar);
}

/** A destination folder and, beside it, a host folder with a secret file the container must not reach. */
function scene(): { dest: string; host: string; secret: string } {
  const top = mkdtempSync(path.join(os.tmpdir(), "oneoff-extract-"));
  const dest = path.join(top, "dest");
  const host = path.join(top, "host");
  mkdirSync(dest);
  mkdirSync(host);
  const secret = path.join(host, "hostfile");
  writeFileSync(secret, "host secret\n");
  return { dest, host, secret };
}

describe("extracting an archive from a container", () => {
  it("refuses a link that climbs out through another link (b -> ., a -> b/b/b/b/../../../../hostfile)", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "out/", type: "directory", mode: 0o755 },
        { name: "out/b", type: "symlink", linkname: "." },
        { name: "out/a", type: "symlink", linkname: "b/b/b/b/../../../../../host/hostfile" },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => refusal.name)).toEqual(["out/a"]);
    expect(outcome.refused[0]?.why).toMatch(/through the link out\/b/);
    expect(existsSync(path.join(dest, "out", "a"))).toBe(false);
    expect(readlinkSync(path.join(dest, "out", "b"))).toBe(".");
  });

  it("refuses the same link whichever comes first in the archive", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "a", type: "symlink", linkname: "b/b/../../../host/hostfile" },
        { name: "b", type: "symlink", linkname: "." },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => refusal.name)).toEqual(["a"]);
    expect(existsSync(path.join(dest, "a"))).toBe(false);
  });

  it("refuses absolute links and links that lead out with ..", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "abs", type: "symlink", linkname: "/etc/passwd" },
        { name: "up", type: "symlink", linkname: "../host/hostfile" },
        { name: "deep/", type: "directory" },
        { name: "deep/up", type: "symlink", linkname: "../../host" },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => `${refusal.name}: ${refusal.why}`)).toEqual([
      "abs: a link to /etc/passwd, outside the destination",
      "up: a link to ../host/hostfile, outside the destination",
      "deep/up: a link to ../../host, outside the destination",
    ]);
    for (const name of ["abs", "up", "deep/up"]) expect(existsSync(path.join(dest, name))).toBe(false);
  });

  it("keeps links that stay inside, chains of them included (lib.so -> lib.so.1 -> lib.so.1.2)", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "lib/", type: "directory" },
        { name: "lib/lib.so", type: "symlink", linkname: "lib.so.1" },
        { name: "lib/lib.so.1", type: "symlink", linkname: "lib.so.1.2" },
        { name: "lib/lib.so.1.2", body: "ELF" },
        { name: "sub/", type: "directory" },
        { name: "up", type: "symlink", linkname: "sub/../lib/lib.so" },
        { name: "dangling", type: "symlink", linkname: "not-there" },
      ]),
      dest,
    );
    expect(outcome.refused).toEqual([]);
    expect(readFileSync(path.join(dest, "lib", "lib.so"), "utf8")).toBe("ELF");
    expect(readFileSync(path.join(dest, "up"), "utf8")).toBe("ELF");
    expect(readlinkSync(path.join(dest, "dangling"))).toBe("not-there");
  });

  it("refuses a loop of links", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "x", type: "symlink", linkname: "y" },
        { name: "y", type: "symlink", linkname: "x" },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => refusal.why)).toEqual(["a loop of links through x", "a loop of links through y"]);
  });

  it("never writes through a link a first copy-out left, when a second sends a folder of that name", async () => {
    const { dest, host } = scene();
    const first = await extractUntrusted(
      archive([
        { name: "x", type: "symlink", linkname: "../host" },
        { name: "y", type: "symlink", linkname: "." },
      ]),
      dest,
    );
    expect(first.refused.map((refusal) => refusal.name)).toEqual(["x"]);
    // The user's own link to the host folder (as a first copy of docker cp would have left).
    symlinkSync(host, path.join(dest, "x"));
    chmodSync(host, 0o755);
    const second = await extractUntrusted(
      archive([
        { name: "x/", type: "directory", mode: 0o777 },
        { name: "x/planted", body: "planted" },
        { name: "y/", type: "directory", mode: 0o777 },
        { name: "y/planted", body: "planted" },
      ]),
      dest,
    );
    expect(second.refused.map((refusal) => `${refusal.name}: ${refusal.why}`)).toEqual([
      "x: x is a link on disk; nothing is written through it",
      "x/planted: x is a link on disk; nothing is written through it",
      "y: y is a link on disk; nothing is written through it",
      "y/planted: y is a link on disk; nothing is written through it",
    ]);
    expect(existsSync(path.join(host, "planted"))).toBe(false);
    expect(existsSync(path.join(dest, "planted"))).toBe(false);
    expect(statSync(host).mode & 0o777).toBe(0o755);
  });

  it("replaces a link that stands where a file goes, never writing through it", async () => {
    const { dest, secret } = scene();
    symlinkSync(secret, path.join(dest, "report.txt"));
    const outcome = await extractUntrusted(archive([{ name: "report.txt", body: "from the one-off\n" }]), dest);
    expect(outcome.refused).toEqual([]);
    expect(lstatSync(path.join(dest, "report.txt")).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(dest, "report.txt"), "utf8")).toBe("from the one-off\n");
    expect(readFileSync(secret, "utf8")).toBe("host secret\n");
  });

  it("refuses names that are absolute or climb with ..", async () => {
    const { dest, host } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "../host/escaped", body: "x" },
        { name: "a/../../host/escaped2", body: "x" },
        { name: "/tmp/oneoff-absolute-entry", body: "x" },
        { name: "./fine.txt", body: "fine" },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => refusal.why)).toEqual([
      "its name climbs out with ..",
      "its name climbs out with ..",
      "its name is absolute",
    ]);
    expect(existsSync(path.join(host, "escaped"))).toBe(false);
    expect(existsSync(path.join(host, "escaped2"))).toBe(false);
    expect(readFileSync(path.join(dest, "fine.txt"), "utf8")).toBe("fine");
  });

  it("refuses hard links, devices and fifos, and drops setuid and setgid bits", async () => {
    const { dest } = scene();
    const outcome = await extractUntrusted(
      archive([
        { name: "plain", body: "data", mode: 0o755 },
        { name: "hard", type: "link", linkname: "../host/hostfile" },
        { name: "fifo", type: "fifo" },
        { name: "tty", type: "character-device", devmajor: 5, devminor: 0 },
        { name: "disk", type: "block-device", devmajor: 8, devminor: 0 },
        { name: "su", body: "#!/bin/sh\n", mode: 0o4755 },
        { name: "sg", body: "#!/bin/sh\n", mode: 0o2750 },
      ]),
      dest,
    );
    expect(outcome.refused.map((refusal) => refusal.name)).toEqual(["hard", "fifo", "tty", "disk"]);
    for (const name of ["hard", "fifo", "tty", "disk"]) expect(existsSync(path.join(dest, name))).toBe(false);
    expect(outcome.privilegeBitsDropped).toEqual(["su", "sg"]);
    expect(statSync(path.join(dest, "su")).mode & 0o7777).toBe(0o755);
    expect(statSync(path.join(dest, "sg")).mode & 0o7777).toBe(0o750);
    expect(statSync(path.join(dest, "plain")).mode & 0o7777).toBe(0o755);
  });

  it("keeps modes and mtimes of files and folders, a read-only folder's contents included", async () => {
    const { dest } = scene();
    const mtime = new Date("2024-02-03T04:05:06Z");
    await extractUntrusted(
      archive([
        { name: "ro/", type: "directory", mode: 0o555, mtime },
        { name: "ro/inner.txt", body: "inner", mode: 0o640, mtime },
      ]),
      dest,
    );
    expect(statSync(path.join(dest, "ro")).mode & 0o777).toBe(0o555);
    expect(statSync(path.join(dest, "ro")).mtime.toISOString()).toBe(mtime.toISOString());
    expect(statSync(path.join(dest, "ro", "inner.txt")).mode & 0o777).toBe(0o640);
    expect(statSync(path.join(dest, "ro", "inner.txt")).mtime.toISOString()).toBe(mtime.toISOString());
    chmodSync(path.join(dest, "ro"), 0o755);
  });

  it("follows a destination that is itself a link (the user named it), and nothing below it", async () => {
    const { dest } = scene();
    const alias = `${dest}-alias`;
    symlinkSync(dest, alias);
    await extractUntrusted(archive([{ name: "f", body: "via alias" }]), alias);
    expect(readFileSync(path.join(realpathSync(dest), "f"), "utf8")).toBe("via alias");
  });

  it("reads entry names as paths below the destination", () => {
    expect(entryPath("./a/b/")).toBe("a/b");
    expect(entryPath(".")).toBe("");
    expect(() => entryPath("a/../../b")).toThrow(/climbs out/);
    expect(() => entryPath("a/\0b")).toThrow(/NUL/);
  });
});
