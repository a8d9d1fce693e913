import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, expectNoLeftovers, IMAGE, oneoff, sha256 } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

// oneoff runs in this process where what is under test is the one-off's streams, given oneoff's
// (oneoffInProcess). What a stdin is (a pipe, a file, /dev/null) is read from the process's own
// descriptor, so the tests of a piped or redirected stdin without -i, and of /dev/null as no
// input, spawn it.

const MiB = 1024 * 1024;

describe("oneoff run streams", () => {
  it("keeps stdout and stderr apart: 10,000 lines each, none lost, swapped or reordered", async () => {
    const script = 'i=0; while [ $i -lt 10000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done';
    const result = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "sh", "-c", script]);
    expect(result.code).toBe(0);
    const expected = (prefix: string) => Array.from({ length: 10_000 }, (_, i) => `${prefix} ${i}`).join("\n") + "\n";
    expect(result.stdout.toString()).toBe(expected("out"));
    expect(result.stderr).toBe(expected("err"));
  });

  it("passes 50 MiB of binary stdout byte-exact (sha256), last bytes included", async () => {
    // The container writes random bytes to a file, then streams it and reports its checksum on stderr.
    const script = `head -c ${50 * MiB} /dev/urandom > /tmp/blob && cat /tmp/blob && sha256sum /tmp/blob | cut -d" " -f1 >&2`;
    const result = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "sh", "-c", script]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(50 * MiB);
    expect(sha256(result.stdout)).toBe(result.stderr.trim());
  });

  it("keeps output written just before exit", async () => {
    const result = await oneoffInProcess([
      "run",
      "-q",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "printf 'last words'; printf 'to stderr' >&2; exit 3",
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout.toString()).toBe("last words");
    expect(result.stderr).toBe("to stderr");
  });

  it("pipes 50 MiB of binary stdin in byte-exact with -i, and the command sees EOF", async () => {
    const input = randomBytes(50 * MiB);
    // wc -c and sha256sum only finish when stdin is closed: a missing EOF hangs this test.
    const result = await oneoffInProcess(
      ["run", "-q", "-i", "--release", IMAGE, "--", "sh", "-c", "tee /tmp/in | sha256sum | cut -d' ' -f1; wc -c < /tmp/in"],
      { input },
    );
    expect(result.code).toBe(0);
    const [checksum, count] = result.stdout.toString().trim().split("\n");
    expect(Number(count)).toBe(input.length);
    expect(checksum).toBe(sha256(input));
  });

  it("sends the command nothing but stdin's bytes (no attach request body leaks in)", async () => {
    const result = await oneoffInProcess(["run", "-q", "-i", "--release", IMAGE, "--", "od", "-An", "-c"], { input: "hi" });
    expect(result.code).toBe(0);
    expect(result.stdout.toString().replace(/\s+/g, " ").trim()).toBe("h i");
  });

  it("gives the command an immediate EOF when -i is given and stdin is empty", async () => {
    const result = await oneoffInProcess(["run", "-q", "-i", "--release", IMAGE, "--", "wc", "-c"], { input: "" });
    expect(result.code).toBe(0);
    expect(result.stdout.toString().trim()).toBe("0");
  });

  it("passes piped stdin without -i, as docker compose run and heroku run do (echo hello | oneoff run -- cat)", async () => {
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "cat"], { input: "hello\n" });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.toString()).toBe("hello\n");
  });

  it("passes stdin redirected from a file without -i (oneoff run -- psql < dump.sql)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-redirect-"));
    writeFileSync(path.join(dir, "dump.sql"), "insert 1;\ninsert 2;\n");
    const ran = spawnSync(
      "sh",
      ["-c", `"$0" -- "$1" run -q --release ${IMAGE} -- wc -l < "$2"`, process.execPath, BIN, path.join(dir, "dump.sql")],
      {
        encoding: "utf8",
      },
    );
    expect(ran.stderr).toBe("");
    expect(ran.stdout.trim()).toBe("2");
    expect(ran.status).toBe(0);
  });

  it("keeps piped stdin back with --no-stdin, as docker run without -i; /dev/null is no input", async () => {
    const kept = await oneoffInProcess(["run", "-q", "--no-stdin", "--release", IMAGE, "--", "wc", "-c"], { input: "ignored" });
    expect(kept).toMatchObject({ code: 0, stderr: "" });
    expect(kept.stdout.toString().trim()).toBe("0");
    const dryRun = async (input?: string) =>
      JSON.parse(
        (await oneoff(["run", "--dry-run", "--release", IMAGE, "--", "true"], input === undefined ? {} : { input })).stdout.toString(),
      ).request.body.OpenStdin;
    expect(await dryRun()).toBe(false);
    expect(await dryRun("data")).toBe(true);
    const both = await oneoffInProcess(["run", "-q", "-i", "--no-stdin", "--release", IMAGE, "--", "true"], { input: "x" });
    expect(both.code).toBe(125);
    expect(both.stderr).toBe("oneoff: -i and --no-stdin both given (-i passes stdin, --no-stdin keeps it back: keep one)\n");
  });

  it("finishes when the command exits before reading all of stdin", async () => {
    const result = await oneoffInProcess(["run", "-q", "-i", "--release", IMAGE, "--", "head", "-c", "5"], { input: randomBytes(8 * MiB) });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(5);
  });
});
