/**
 * --copy-in and --copy-out against the real engine: bytes, modes and mtimes survive both ways,
 * a 200 MiB file streams through with oneoff's memory staying modest, and every bad path is
 * one line with the documented exit code and nothing left behind.
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
  createReadStream,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, oneoff, oneOffContainers } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

const RELEASE = ["--release", "oneoff-test/busybox"];
// oneoff runs in this process (oneoffInProcess) where a test looks at what it copied and said;
// in a process of its own (oneoff) where the test measures that process's memory or interrupts
// it: a Node started per call was CPU the engine's work waited on (issue 30).

function workspace(): string {
  return mkdtempSync(path.join(os.tmpdir(), "oneoff-files-"));
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Peak resident memory of a running process, in bytes (VmHWM only grows). */
function peakRss(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("VmHWM:"));
    return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function oneLine(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("oneoff:"));
}

describe("files in and out", () => {
  it("round-trips a 200 MiB file and a directory tree with modes and mtimes, in modest memory", async () => {
    const dir = workspace();
    const big = path.join(dir, "big.bin");
    const fd = openSync(big, "w");
    for (let i = 0; i < 200; i++) writeSync(fd, randomBytes(1024 * 1024));
    closeSync(fd);
    chmodSync(big, 0o750);
    const mtime = new Date("2024-02-03T04:05:06Z");
    utimesSync(big, mtime, mtime);
    mkdirSync(path.join(dir, "tree", "bin"), { recursive: true });
    mkdirSync(path.join(dir, "tree", "data"));
    writeFileSync(path.join(dir, "tree", "bin", "hello"), "#!/bin/sh\necho hello from the tree\n", { mode: 0o755 });
    writeFileSync(path.join(dir, "tree", "data", "notes.txt"), "notes\n", { mode: 0o640 });
    mkdirSync(path.join(dir, "out"));
    const localSha = await fileSha256(big);

    let peak = 0;
    let poll: NodeJS.Timeout | undefined;
    const result = await oneoff(
      [
        "run",
        ...RELEASE,
        "--copy-in",
        "big.bin:/tmp/big.bin",
        "--copy-in",
        "tree:/work/tree",
        "--copy-out",
        "/tmp/big.bin:out/big.bin",
        "--copy-out",
        "/work/tree:out",
        "--",
        "sh",
        "-c",
        "sha256sum /tmp/big.bin; stat -c 'mode=%a' /tmp/big.bin; /work/tree/bin/hello; stat -c 'data=%a' /work/tree/data/notes.txt",
      ],
      {
        cwd: dir,
        onSpawn: (child) => {
          poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid ?? 0))), 50);
        },
      },
    );
    clearInterval(poll);
    const stdout = result.stdout.toString();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(stdout).toContain(`${localSha}  /tmp/big.bin`);
    expect(stdout).toContain("mode=750");
    expect(stdout).toContain("hello from the tree");
    expect(stdout).toContain("data=640");

    const copied = path.join(dir, "out", "big.bin");
    expect(await fileSha256(copied)).toBe(localSha);
    expect(statSync(copied).mode & 0o7777).toBe(0o750);
    expect(statSync(copied).mtime.getTime()).toBe(mtime.getTime());
    // Into an existing local directory the tree keeps its name, as docker cp does.
    expect(statSync(path.join(dir, "out", "tree", "bin", "hello")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(dir, "out", "tree", "data", "notes.txt"), "utf8")).toBe("notes\n");
    expect(peak).toBeGreaterThan(10 * 1024 * 1024);
    expect(peak).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);

  it("refuses a missing local path before anything is created (exit 125)", async () => {
    const dir = workspace();
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-in", "absent.sql:/tmp/seed.sql", "--", "echo", "ran"], { cwd: dir });
    expect(result.code).toBe(125);
    expect(result.stdout.toString()).toBe("");
    expect(oneLine(result.stderr)).toEqual([
      `oneoff: --copy-in absent.sql:/tmp/seed.sql: ${path.join(dir, "absent.sql")} does not exist (check the local path; a relative one starts in the current directory)`,
    ]);
  });

  it("refuses a copy into a directory the image lacks, without running the command", async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, "seed.sql"), "select 1;\n");
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-in", "seed.sql:/no/such/dir/seed.sql", "--", "echo", "ran"], {
      cwd: dir,
    });
    expect(result.code).toBe(125);
    expect(result.stdout.toString()).not.toContain("ran");
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("/no/such/dir does not exist in the one-off");
  });

  it("names a missing container path on copy-out: 125 after a successful command, the command's code otherwise", async () => {
    const dir = workspace();
    const ok = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/tmp/report.csv:report.csv", "--", "true"], { cwd: dir });
    expect(ok.code).toBe(125);
    expect(oneLine(ok.stderr)).toEqual([
      "oneoff: --copy-out /tmp/report.csv:report.csv: /tmp/report.csv does not exist in the one-off (check the path the command writes to)",
    ]);
    const failed = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/tmp/report.csv:report.csv", "--", "sh", "-c", "exit 3"], {
      cwd: dir,
    });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("/tmp/report.csv does not exist in the one-off");
  });

  it("copies out after a failing command, keeping its exit code", async () => {
    const dir = workspace();
    const result = await oneoffInProcess(
      ["run", ...RELEASE, "--copy-out", "/tmp/partial.log:partial.log", "--", "sh", "-c", "echo got this far > /tmp/partial.log; exit 4"],
      { cwd: dir },
    );
    expect(result.code).toBe(4);
    expect(readFileSync(path.join(dir, "partial.log"), "utf8")).toBe("got this far\n");
  });

  it("does not copy out after a timeout, and says so", async () => {
    const dir = workspace();
    const result = await oneoffInProcess(
      ["run", ...RELEASE, "--timeout", "1", "--stop-timeout", "1", "--copy-out", "/tmp/x:x", "--", "sh", "-c", "echo > /tmp/x; sleep 30"],
      { cwd: dir },
    );
    expect(result.code).toBe(124);
    expect(result.stderr).toContain("--copy-out skipped");
    expect(() => statSync(path.join(dir, "x"))).toThrow();
  });
});

describe("copy-out from a hostile one-off", () => {
  it("refuses links whose real path leaves the destination; the host file stays unread, the rest is copied", async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, "hostfile"), "host secret\n");
    mkdirSync(path.join(dir, "dest"));
    // b -> . then a -> b/b/b/b/../../../../hostfile: inside as text, outside on disk.
    const plant =
      "mkdir /out && cd /out && ln -s . b && ln -s b/b/b/b/../../../../hostfile a && ln -s /etc/passwd abs && echo kept > kept.txt";
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/out:dest", "--", "sh", "-c", plant], { cwd: dir });
    expect(result.code).toBe(125);
    expect(oneLine(result.stderr)).toEqual([
      "oneoff: --copy-out /out:dest: refused out/a: a link to b/b/b/b/../../../../hostfile, through the link out/b (and 1 more entry); the rest was copied (what a container sends back is untrusted: links must stay inside the destination, and hard links, devices and fifos are not copied out)",
    ]);
    expect(() => lstatSync(path.join(dir, "dest", "out", "a"))).toThrow();
    expect(() => lstatSync(path.join(dir, "dest", "out", "abs"))).toThrow();
    expect(readFileSync(path.join(dir, "dest", "out", "kept.txt"), "utf8")).toBe("kept\n");
  });

  it("does not write through a link left by a first copy-out when a second sends a folder of that name", async () => {
    const dir = workspace();
    mkdirSync(path.join(dir, "elsewhere"));
    mkdirSync(path.join(dir, "dest"));
    const first = await oneoffInProcess(
      ["run", ...RELEASE, "--copy-out", "/out/.:dest", "--", "sh", "-c", "mkdir /out && ln -s . /out/x"],
      {
        cwd: dir,
      },
    );
    expect(first.code).toBe(0);
    expect(readlinkSync(path.join(dir, "dest", "x"))).toBe(".");
    // A link the user made by hand, out of the destination, where the second archive puts a folder.
    symlinkSync(path.join(dir, "elsewhere"), path.join(dir, "dest", "y"));
    const second = await oneoffInProcess(
      [
        "run",
        ...RELEASE,
        "--copy-out",
        "/out/.:dest",
        "--",
        "sh",
        "-c",
        "mkdir -p /out/x /out/y && echo planted > /out/y/planted && chmod 777 /out/y",
      ],
      { cwd: dir },
    );
    expect(second.code).toBe(125);
    expect(oneLine(second.stderr)).toEqual([
      expect.stringMatching(
        /^oneoff: --copy-out \/out\/\.:dest: refused x: x is a link on disk; nothing is written through it \(and 2 more entries\)/,
      ),
    ]);
    expect(readdirSync(path.join(dir, "elsewhere"))).toEqual([]);
    expect(statSync(path.join(dir, "elsewhere")).mode & 0o777).not.toBe(0o777);
  });

  it("refuses hard links, devices and fifos, and drops setuid bits", async () => {
    const dir = workspace();
    const plant =
      "mkdir /out && cd /out && echo data > f && ln f hard && mkfifo fifo && mknod null c 1 3 && cp /bin/busybox su && chmod 4755 su";
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/out:out", "--", "sh", "-c", plant], { cwd: dir });
    expect(result.code).toBe(125);
    const lines = oneLine(result.stderr);
    expect(lines[0]).toBe("oneoff: --copy-out /out:out: copied out/su without its setuid/setgid bits");
    expect(lines[1]).toMatch(
      /^oneoff: --copy-out \/out:out: refused out\/\w+: a (hard link|fifo|character-device) .* \(and 2 more entries\); the rest was copied/,
    );
    expect(lines).toHaveLength(2);
    expect(readdirSync(path.join(dir, "out")).sort()).toEqual(["f", "su"]);
    expect(statSync(path.join(dir, "out", "su")).mode & 0o7777).toBe(0o755);
  });
});

describe("copy-out to a destination that does not exist yet", () => {
  it("checks links against the new folder itself: a link out of it to the operator's .env is refused", async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, ".env"), "TOKEN=operator\n");
    const plant = "mkdir /out && ln -s ../.env /out/leak && echo kept > /out/kept.txt && ln -s kept.txt /out/alias";
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/out:./report", "--", "sh", "-c", plant], { cwd: dir });
    expect(result.code).toBe(125);
    expect(oneLine(result.stderr)).toEqual([
      "oneoff: --copy-out /out:./report: refused report/leak: a link to ../.env, outside the destination; the rest was copied (what a container sends back is untrusted: links must stay inside the destination, and hard links, devices and fifos are not copied out)",
    ]);
    expect(() => lstatSync(path.join(dir, "report", "leak"))).toThrow();
    expect(readFileSync(path.join(dir, "report", "alias"), "utf8")).toBe("kept\n");
  });

  it("refuses a link that would become the destination file", async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, ".env"), "TOKEN=operator\n");
    const result = await oneoffInProcess(
      ["run", ...RELEASE, "--copy-out", "/report.csv:./report.csv", "--", "ln", "-s", ".env", "/report.csv"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(125);
    expect(oneLine(result.stderr)).toEqual([
      "oneoff: --copy-out /report.csv:./report.csv: refused report.csv: a link to .env, outside the destination; nothing was copied (what a container sends back is untrusted: links must stay inside the destination, and hard links, devices and fifos are not copied out)",
    ]);
    expect(() => lstatSync(path.join(dir, "report.csv"))).toThrow();
  });
});

describe("copy-out limits", () => {
  it("refuses a copy past --copy-out-limit in one line and leaves nothing of it", async () => {
    const dir = workspace();
    const plant = "mkdir /out && head -c 524288 /dev/zero > /out/a && head -c 1048576 /dev/zero > /out/b";
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-out-limit", "1m", "--copy-out", "/out:out", "--", "sh", "-c", plant], {
      cwd: dir,
    });
    expect(result.code).toBe(125);
    expect(oneLine(result.stderr)).toEqual([
      "oneoff: --copy-out /out:out: not copied: its files come to more than the copy-out limit, 1m; nothing of it was kept (raise the limit with --copy-out-limit SIZE, e.g. --copy-out-limit 4g)",
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("stops a sparse file past the default 1g limit before writing it", async () => {
    const dir = workspace();
    const result = await oneoffInProcess(
      ["run", ...RELEASE, "--copy-out", "/big:big", "--", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=0", "seek=1025"],
      { cwd: dir },
    );
    expect(result.code).toBe(125);
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(
        /^oneoff: --copy-out \/big:big: not copied: its files come to more than the copy-out limit, 1g; nothing of it was kept/,
      ),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("masks group and other write off copied files and folders", async () => {
    const dir = workspace();
    const plant = "mkdir /out && echo x > /out/f && chmod 666 /out/f && chmod 777 /out";
    const result = await oneoffInProcess(["run", ...RELEASE, "--copy-out", "/out:out", "--", "sh", "-c", plant], { cwd: dir });
    expect(result.code).toBe(0);
    expect(statSync(path.join(dir, "out")).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dir, "out", "f")).mode & 0o777).toBe(0o644);
  });
});

/** Runs `test` with `dir`/full a 64 KiB tmpfs (tests run as root), unmounted after. */
async function withFullDisk(dir: string, test: (full: string) => Promise<void>): Promise<void> {
  const full = path.join(dir, "full");
  mkdirSync(full);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full]);
  try {
    await test(full);
  } finally {
    execFileSync("umount", [full]);
  }
}

describe("copy-out onto a full disk", () => {
  it("fails in one line naming ENOSPC, exit 125, leaves nothing half written, and removes the one-off", async () => {
    const dir = workspace();
    await withFullDisk(dir, async (full) => {
      const result = await oneoffInProcess(
        ["run", ...RELEASE, "--copy-out", "/out:full/out", "--", "sh", "-c", "mkdir /out && head -c 262144 /dev/urandom > /out/big"],
        { cwd: dir },
      );
      expect(result.code).toBe(125);
      expect(oneLine(result.stderr)).toEqual([
        expect.stringMatching(
          /^oneoff: --copy-out \/out:full\/out: not copied: writing \/.*\/full\/out failed: ENOSPC: no space left on device.*; nothing of it was kept \(free some space there, or copy less\)$/,
        ),
      ]);
      expect(readdirSync(full)).toEqual([]);
      expect(oneOffContainers()).toEqual([]);
    });
  });
});

describe("copy-out of a file that fills the disk", () => {
  it("is not left short as if complete: exit 125 and one line naming ENOSPC", async () => {
    const dir = workspace();
    await withFullDisk(dir, async (full) => {
      // A little more than the disk holds: the last write is taken only in part, without an error.
      const result = await oneoffInProcess(
        ["run", ...RELEASE, "--copy-out", "/report.bin:full/report.bin", "--", "sh", "-c", "head -c 66000 /dev/urandom > /report.bin"],
        { cwd: dir },
      );
      expect(result.code).toBe(125);
      expect(readdirSync(full)).toEqual([]);
      expect(oneLine(result.stderr)).toEqual([
        expect.stringMatching(/^oneoff: --copy-out \/report\.bin:full\/report\.bin: not copied: .*ENOSPC/),
      ]);
    });
  });
});

describe("files through the library's run()", () => {
  it("copies a directory's contents (SRC/.) into a new directory and back into an existing one", async () => {
    const { run } = await import("../../src/index.js");
    const { PassThrough } = await import("node:stream");
    const dir = workspace();
    mkdirSync(path.join(dir, "site", "css"), { recursive: true });
    writeFileSync(path.join(dir, "site", "index.html"), "<h1>hi</h1>\n");
    writeFileSync(path.join(dir, "site", "css", "app.css"), "body{}\n");
    mkdirSync(path.join(dir, "back"));
    const stdout = new PassThrough();
    const output: Buffer[] = [];
    stdout.on("data", (chunk: Buffer) => output.push(chunk));
    const result = await run(
      {
        release: "oneoff-test/busybox",
        command: ["sh", "-c", "cd /work/site && find . -type f | sort && echo made > /work/site/made.txt"],
        copyIn: ["site/.:/work/site"],
        copyOut: ["/work/site/.:back"],
        quiet: true,
      },
      { cwd: dir, stdout, stderr: new PassThrough(), audit: false },
    );
    expect(result.exitCode).toBe(0);
    expect(Buffer.concat(output).toString()).toBe("./css/app.css\n./index.html\n");
    expect(readFileSync(path.join(dir, "back", "made.txt"), "utf8")).toBe("made\n");
    expect(readFileSync(path.join(dir, "back", "css", "app.css"), "utf8")).toBe("body{}\n");
  });
});

describe("an interrupt while files are copied", () => {
  function bigFile(dir: string, mib: number): string {
    const file = path.join(dir, "big.bin");
    const fd = openSync(file, "w");
    for (let i = 0; i < mib; i++) writeSync(fd, randomBytes(1024 * 1024));
    closeSync(fd);
    return file;
  }

  it("stops a copy-in at once: the command never runs, exit 130, nothing left", async () => {
    const dir = workspace();
    bigFile(dir, 400);
    const { docker } = await import("./helpers.js");
    const result = await oneoff(["run", ...RELEASE, "--copy-in", "big.bin:/tmp/big.bin", "--", "echo", "ran"], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          // Created, not started: the copy is under way.
          if (oneOffContainers("status=created").length) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 20);
        child.once("exit", () => clearInterval(poll));
      },
    });
    expect(result.code).toBe(130);
    // Not "ran": the copy was interrupted, and the command never started.
    expect(result.stdout.toString()).toBe("");
  }, 60_000);

  it("stops a copy-out at once, exit 130, and leaves nothing half written", async () => {
    const dir = workspace();
    // The file is written under a temporary name beside big.bin until it is whole.
    const writtenSoFar = () =>
      readdirSync(dir).reduce((total, name) => {
        try {
          return total + statSync(path.join(dir, name)).size;
        } catch {
          return total;
        }
      }, 0);
    const result = await oneoff(
      ["run", ...RELEASE, "--copy-out", `/tmp/big.bin:big.bin`, "--", "sh", "-c", "head -c 400000000 /dev/urandom > /tmp/big.bin"],
      {
        cwd: dir,
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (writtenSoFar() > 0) {
              clearInterval(poll);
              child.kill("SIGINT");
            }
          }, 10);
          child.once("exit", () => clearInterval(poll));
        },
      },
    );
    expect(result.code).toBe(130);
    // One line, about the copy: the command had already exited, so nothing was forwarded.
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(
        /^oneoff: --copy-out \/tmp\/big\.bin:big\.bin: interrupted while writing \/.*\/big\.bin; nothing of it was kept \(run it again to copy it\)$/,
      ),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
