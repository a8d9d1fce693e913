import { describe, expect, it } from "vitest";
import { parseFileCopies, parseFileCopy } from "../../src/plan/copy-paths.js";
import { copyOutLimitFlag } from "../../src/formats/flag-values.js";
import { OneoffError } from "../../src/output/errors.js";
import { redactSecretValues, rememberSecretValue, REDACTED } from "../../src/output/redact.js";
// Imported with the file, not in a test: loading the whole CLI took over a test's 5 s when the
// machine was busy (load average 7-12), which failed the first test that imported it.
import { runCli } from "./cli-output.js";

const CWD = "/home/dev/shop";

function refusal(run: () => unknown): OneoffError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    expect((error as OneoffError).exitCode).toBe(125);
    return error as OneoffError;
  }
  throw new Error("expected a refusal");
}

describe("--copy-in / --copy-out values", () => {
  it.each([
    ["a relative local file in", "in", "seed.sql:/tmp/seed.sql", { local: `${CWD}/seed.sql`, container: "/tmp/seed.sql" }],
    ["an absolute local directory in", "in", "/data/fixtures:/app/fixtures", { local: "/data/fixtures", container: "/app/fixtures" }],
    ["a trailing slash kept on both sides", "in", "assets/:/srv/assets/", { local: `${CWD}/assets/`, container: "/srv/assets/" }],
    ["the contents form (SRC/.)", "in", "dist/.:/srv/www", { local: `${CWD}/dist/.`, container: "/srv/www" }],
    [
      "a file out to a relative path",
      "out",
      "/tmp/report.csv:out/report.csv",
      { local: `${CWD}/out/report.csv`, container: "/tmp/report.csv" },
    ],
    ["a directory out to the current directory", "out", "/app/log:.", { local: `${CWD}/.`, container: "/app/log" }],
  ] as const)("reads %s", (_name, direction, value, expected) => {
    expect(parseFileCopy(direction, value, CWD)).toEqual({ ...expected, given: `--copy-${direction} ${value}` });
  });

  it.each([
    [
      "no colon",
      "in",
      "seed.sql",
      '--copy-in seed.sql: no ":" between the two paths',
      "write LOCAL:CONTAINER_PATH, e.g. ./seed.sql:/tmp/seed.sql",
    ],
    [
      "a colon in the local path",
      "in",
      "a:b.sql:/tmp/x",
      '--copy-in a:b.sql:/tmp/x: more than one ":", so where one path ends is unclear',
      "a path with a colon cannot be given here: rename it, or copy its parent directory",
    ],
    [
      "a colon in the container path",
      "out",
      "/tmp/12:30.log:x",
      '--copy-out /tmp/12:30.log:x: more than one ":", so where one path ends is unclear',
      "a path with a colon cannot be given here: rename it, or copy its parent directory",
    ],
    [
      "an empty local side",
      "in",
      ":/tmp/x",
      "--copy-in :/tmp/x: the local path is empty",
      "write LOCAL:CONTAINER_PATH, e.g. ./seed.sql:/tmp/seed.sql",
    ],
    [
      "an empty container side",
      "out",
      ":x",
      "--copy-out :x: the container path is empty",
      "write CONTAINER_PATH:LOCAL, e.g. /app/report.csv:./report.csv",
    ],
    [
      "a relative container path",
      "in",
      "seed.sql:tmp/seed.sql",
      '--copy-in seed.sql:tmp/seed.sql: the container path "tmp/seed.sql" is not absolute',
      "start it with /; the workdir is not assumed",
    ],
  ] as const)("refuses %s in one line", (_name, direction, value, message, hint) => {
    const error = refusal(() => parseFileCopy(direction, value, CWD));
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
  });

  it("refuses --copy-out with --detach, and allows --copy-in with it", () => {
    expect(refusal(() => parseFileCopies({ copyOut: ["/x:y"], cwd: CWD, detach: true })).message).toBe(
      "--copy-out cannot be combined with --detach: nobody is there to copy when it ends",
    );
    expect(parseFileCopies({ copyIn: ["a:/a"], cwd: CWD, detach: true }).copyIn).toHaveLength(1);
  });
});

describe("the redaction set of secret values", () => {
  it("masks a remembered value wherever it appears, and each long line of a multi-line one", () => {
    rememberSecretValue("hunter2-unit-42");
    rememberSecretValue("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----\n");
    expect(redactSecretValues("psql password=hunter2-unit-42 failed")).toBe(`psql password=${REDACTED} failed`);
    expect(redactSecretValues("line MIIEvQIBADANBgkq leaked")).toBe(`line ${REDACTED} leaked`);
    expect(redactSecretValues("nothing secret here")).toBe("nothing secret here");
  });

  it("leaves values too short to mean anything alone, so ordinary words survive", () => {
    rememberSecretValue("abc");
    expect(redactSecretValues("abc def")).toBe("abc def");
  });
});

describe("--copy-in / --copy-out through the CLI and the library", () => {
  it("passes each repeated flag through commander, refusing a bad one in one line (exit 125)", async () => {
    const bad = await runCli(["run", "--release", "shop:v1", "--copy-in", "ok.sql:/tmp/ok.sql", "--copy-in", "a:b:/c", "--", "true"]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe(
      'oneoff: --copy-in a:b:/c: more than one ":", so where one path ends is unclear (a path with a colon cannot be given here: rename it, or copy its parent directory)\n',
    );
    const detached = await runCli(["run", "--release", "shop:v1", "--detach", "--copy-out", "/tmp/x:x", "--", "true"]);
    expect(detached.stderr).toContain("--copy-out cannot be combined with --detach");
  });

  it("lists the copies in the --dry-run document, and refuses a missing local path there too", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { PassThrough } = await import("node:stream");
    const { run } = await import("../../src/index.js");
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-copy-dry-"));
    writeFileSync(path.join(dir, "seed.sql"), "select 1;\n");
    const stdout = new PassThrough();
    const options = {
      dryRun: true,
      release: "shop:v1",
      command: ["true"],
      copyIn: ["seed.sql:/tmp/seed.sql"],
      copyOut: ["/tmp/report.csv:out.csv"],
    };
    await run(options, { cwd: dir, env: {}, stdout, stderr: new PassThrough(), audit: false });
    const document = JSON.parse(stdout.read().toString());
    expect(document.copyIn).toEqual([`${dir}/seed.sql -> /tmp/seed.sql`]);
    expect(document.copyOut).toEqual([`/tmp/report.csv -> ${dir}/out.csv`]);
    const missing = await run(
      { ...options, copyIn: ["absent:/tmp/x"] },
      { cwd: dir, env: {}, stdout, stderr: new PassThrough(), audit: false },
    ).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OneoffError);
    // Named as the library's option (the CLI says --copy-in).
    expect((missing as OneoffError).message).toBe(`copyIn absent:/tmp/x: ${dir}/absent does not exist`);
  });
});

describe("--copy-out-limit", () => {
  it("is 1g unless given, and reads docker's size units", () => {
    expect(parseFileCopies({ copyOut: ["/x:y"], cwd: CWD, detach: false }).copyOutLimitBytes).toBe(1024 ** 3);
    expect(parseFileCopies({ copyOut: ["/x:y"], cwd: CWD, detach: false, copyOutLimit: copyOutLimitFlag("4g") }).copyOutLimitBytes).toBe(
      4 * 1024 ** 3,
    );
    expect(copyOutLimitFlag("512k")).toBe(512 * 1024);
  });

  it("refuses what is not a size in one line", () => {
    const error = refusal(() => copyOutLimitFlag("lots"));
    expect(error.message).toBe('--copy-out-limit "lots": not a size');
    expect(error.hint).toBe("use bytes or a number with k, m or g, such as 4g; the default is 1g");
  });

  it("passes through commander and the library's options", async () => {
    const bad = await runCli(["run", "--release", "shop:v1", "--copy-out-limit", "0", "--copy-out", "/x:x", "--", "true"]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe(
      'oneoff: --copy-out-limit "0": not a size (use bytes or a number with k, m or g, such as 4g; the default is 1g)\n',
    );
    const { toRunOptions } = await import("../../src/pipeline/library-options.js");
    expect(toRunOptions({ copyOutLimit: 2 * 1024 ** 2 }).copyOutLimit).toBe(2 * 1024 ** 2);
    expect(toRunOptions({ copyOutLimit: "2m" }).copyOutLimit).toBe(2 * 1024 ** 2);
  });
});
