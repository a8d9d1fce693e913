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
  readdirSync,
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
import type { ContainerEngine } from "../../src/engine/types.js";
import type { Reporter } from "../../src/output/reporter.js";

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

/** copyOutOfOneOff against an engine that answers with `entries` for any path. */
async function copyOutOf(
  entries: readonly Entry[],
  copy: { container: string; local: string },
  options: { limitBytes?: number } = {},
): Promise<{ code: number; lines: string[] }> {
  const { copyOutOfOneOff } = await import("../../src/session/files.js");
  const engine = { getArchive: async () => archive(entries) } as unknown as ContainerEngine;
  const lines: string[] = [];
  const report = { warn: (line: string) => lines.push(line), info: () => {} } as unknown as Reporter;
  const given = `--copy-out ${copy.container}:${copy.local}`;
  const code = await copyOutOfOneOff(engine, "c0ffee", [{ ...copy, given }], 0, report, {
    limitBytes: options.limitBytes ?? 1024 ** 3,
  });
  return { code, lines };
}

const UNTRUSTED_HINT =
  "(what a container sends back is untrusted: links must stay inside the destination, and hard links, devices and fifos are not copied out)";

describe("copying out to a destination that does not exist yet", () => {
  it("checks links against the new folder itself, not the folder it is made in", async () => {
    const { dest } = scene();
    writeFileSync(path.join(dest, ".env"), "TOKEN=operator\n");
    const report = path.join(dest, "report");
    const { code, lines } = await copyOutOf(
      [
        { name: "out/", type: "directory", mode: 0o755 },
        { name: "out/leak", type: "symlink", linkname: "../.env" },
        { name: "out/kept.txt", body: "kept\n" },
        { name: "out/alias", type: "symlink", linkname: "kept.txt" },
      ],
      { container: "/out", local: report },
    );
    expect(code).toBe(125);
    expect(lines).toEqual([
      `--copy-out /out:${report}: refused report/leak: a link to ../.env, outside the destination; the rest was copied ${UNTRUSTED_HINT}`,
    ]);
    expect(existsSync(path.join(report, "leak"))).toBe(false);
    expect(readFileSync(path.join(report, "alias"), "utf8")).toBe("kept\n");
  });

  it("refuses a link as the top entry: it cannot point inside the destination it becomes", async () => {
    const { dest } = scene();
    writeFileSync(path.join(dest, ".env"), "TOKEN=operator\n");
    const copied = path.join(dest, "report.csv");
    const { code, lines } = await copyOutOf([{ name: "report.csv", type: "symlink", linkname: ".env" }], {
      container: "/report.csv",
      local: copied,
    });
    expect(code).toBe(125);
    expect(lines).toEqual([
      `--copy-out /report.csv:${copied}: refused report.csv: a link to .env, outside the destination; nothing was copied ${UNTRUSTED_HINT}`,
    ]);
    expect(existsSync(copied)).toBe(false);
    expect(() => lstatSync(copied)).toThrow();
  });

  it("still names a new file or folder after the destination, modes and all", async () => {
    const { dest } = scene();
    const file = path.join(dest, "renamed.csv");
    expect((await copyOutOf([{ name: "report.csv", body: "a,b\n", mode: 0o640 }], { container: "/report.csv", local: file })).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("a,b\n");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const folder = path.join(dest, "logs");
    const copied = await copyOutOf(
      [
        { name: "log/", type: "directory", mode: 0o750 },
        { name: "log/app.log", body: "line\n" },
      ],
      { container: "/var/log", local: folder },
    );
    expect(copied.code).toBe(0);
    expect(readFileSync(path.join(folder, "app.log"), "utf8")).toBe("line\n");
    expect(statSync(folder).mode & 0o777).toBe(0o750);
  });
});

describe("the copy-out size limit", () => {
  const mib = (n: number) => "x".repeat(n * 1024 * 1024);

  it("refuses a copy whose files exceed the limit in one line, leaving nothing of it", async () => {
    const { dest } = scene();
    const out = path.join(dest, "out");
    const { code, lines } = await copyOutOf(
      [
        { name: "out/", type: "directory", mode: 0o755 },
        { name: "out/a.bin", body: mib(1) },
        { name: "out/b.bin", body: mib(1) },
      ],
      { container: "/out", local: out },
      { limitBytes: 1.5 * 1024 * 1024 },
    );
    expect(code).toBe(125);
    expect(lines).toEqual([
      `--copy-out /out:${out}: not copied: its files come to more than the copy-out limit, 1536k; nothing of it was kept (raise the limit with --copy-out-limit SIZE, e.g. --copy-out-limit 4g)`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("leaves what was already in an existing destination as it was", async () => {
    const { dest } = scene();
    writeFileSync(path.join(dest, "a.bin"), "before\n");
    const { code } = await copyOutOf(
      [
        { name: "./", type: "directory", mode: 0o755 },
        { name: "./a.bin", body: mib(1) },
        { name: "./new.bin", body: "small" },
        { name: "./b.bin", body: mib(1) },
      ],
      { container: "/out/.", local: dest },
      { limitBytes: 1024 * 1024 + 100 },
    );
    expect(code).toBe(125);
    expect(readFileSync(path.join(dest, "a.bin"), "utf8")).toBe("before\n");
    expect(existsSync(path.join(dest, "new.bin"))).toBe(false);
    expect(existsSync(path.join(dest, "b.bin"))).toBe(false);
  });

  it("takes a copy at exactly the limit", async () => {
    const { dest } = scene();
    const file = path.join(dest, "a.bin");
    expect(
      (await copyOutOf([{ name: "a.bin", body: mib(1) }], { container: "/a.bin", local: file }, { limitBytes: 1024 * 1024 })).code,
    ).toBe(0);
    expect(statSync(file).size).toBe(1024 * 1024);
  });
});

describe("modes of copied-out files", () => {
  it("masks off group and other write, as a umask of 022 would", async () => {
    const { dest } = scene();
    await extractUntrusted(
      archive([
        { name: "shared/", type: "directory", mode: 0o777 },
        { name: "shared/open.txt", body: "x", mode: 0o666 },
        { name: "shared/run.sh", body: "x", mode: 0o775 },
      ]),
      dest,
    );
    expect(statSync(path.join(dest, "shared")).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dest, "shared", "open.txt")).mode & 0o777).toBe(0o644);
    expect(statSync(path.join(dest, "shared", "run.sh")).mode & 0o777).toBe(0o755);
  });
});

describe("a copy-out onto a full disk", () => {
  it("fails with ENOSPC and leaves nothing of the copy, and what was there as it was", async () => {
    const { execFileSync } = await import("node:child_process");
    const { dest } = scene();
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dest]);
    try {
      writeFileSync(path.join(dest, "before.txt"), "before\n");
      const failure = await extractUntrusted(
        archive([
          { name: "out/", type: "directory", mode: 0o755 },
          { name: "out/small.txt", body: "small\n" },
          { name: "out/big.bin", body: "x".repeat(256 * 1024) },
        ]),
        dest,
      ).catch((error: unknown) => error);
      expect((failure as NodeJS.ErrnoException).code).toBe("ENOSPC");
      expect(readdirSync(dest)).toEqual(["before.txt"]);
      expect(readFileSync(path.join(dest, "before.txt"), "utf8")).toBe("before\n");
    } finally {
      execFileSync("umount", [dest]);
    }
  });
});

describe("links beside the files of the same archive", () => {
  it("keeps a link to a file this archive puts where a link stood on disk", async () => {
    const { dest, host } = scene();
    symlinkSync(host, path.join(dest, "data"));
    const outcome = await extractUntrusted(
      archive([
        { name: "data", body: "fresh\n" },
        { name: "alias", type: "symlink", linkname: "data" },
      ]),
      dest,
    );
    expect(outcome.refused).toEqual([]);
    expect(lstatSync(path.join(dest, "data")).isFile()).toBe(true);
    expect(readFileSync(path.join(dest, "alias"), "utf8")).toBe("fresh\n");
  });
});
