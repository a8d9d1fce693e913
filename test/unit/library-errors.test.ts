import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OneoffError } from "../../src/output/errors.js";
import { asLibraryError, optionsNotFlags } from "../../src/pipeline/library-errors.js";
import { LockHeld } from "../../src/lifecycle/lock.js";

describe("a library error names options, not flags", () => {
  it.each([
    ['--memory "lots": not a memory size', 'memory: "lots": not a memory size'],
    ["--compose needs --service", "compose needs service"],
    ['-e "1BAD=...": not a variable name', 'env: "1BAD=...": not a variable name'],
    ["use -e KEY=VALUE, or -e KEY to pass KEY from your environment", "use env KEY=VALUE, or env KEY to pass KEY from your environment"],
    ["--stop-timeout 99999999: longer than oneoff can time", "stopTimeout 99999999: longer than oneoff can time"],
    ["drop --detach, or run without --timeout / timeout:", "drop detach, or run without timeout / timeout:"],
    ["--env-file x.env (line 3): bad", "envFile x.env (line 3): bad"],
    ["-T and --no-TTY and --network", "noTty and noTty and network"],
    ["--cap-add, --shm-size and --device-cgroup-rule", "capAdd, shmSize and deviceCgroupRule"],
    ["with -H, --context or --env-name", "with host, dockerContext or envName"],
    ["(pass --config FILE)", "(pass config FILE)"],
    ["give a value to --timeout.", "give a value to timeout."],
  ])("%s", (flags, options) => {
    expect(optionsNotFlags(flags)).toBe(options);
  });

  it.each([
    // Inside paths, words and quoted values: not flags.
    "--env-file /srv/--timeout/x.env: no such file".replace("--env-file", "envFile"),
    'name: "--timeout -e": taken',
    "a one-off with a read-only root, x-e and a--b",
    // Advice that is a command line: the command's own flags.
    "list them with oneoff ps --all",
    "check the one-off's settings; oneoff run --dry-run shows them",
    "follow its output with oneoff logs -f abc123",
    "as docker run --platform does",
    "sh -c 'exit 1' failed",
    // Flags the table does not hold: another program's, or the CLI's own.
    "docker login --password-stdin, ssh -o, --check, -z",
  ])("leaves %s as it is", (text) => {
    expect(optionsNotFlags(text)).toBe(text);
  });

  it("renames a flag again after a command line's clause ends", () => {
    expect(optionsNotFlags("oneoff run --dry-run shows it; or drop --detach")).toBe("oneoff run --dry-run shows it; or drop detach");
  });

  it("renames a OneoffError's message and hint in place, keeping its class, exit code and stack", () => {
    const error = new OneoffError('--timeout "soon": not a duration', { hint: "such as --timeout 10m", exitCode: 125 });
    const raisedAt = error.stack?.split("\n")[1];
    expect(asLibraryError(error)).toBe(error);
    expect(error).toMatchObject({ message: 'timeout: "soon": not a duration', hint: "such as timeout 10m", exitCode: 125 });
    expect(error.stack?.split("\n")[0]).toBe('OneoffError: timeout: "soon": not a duration');
    expect(error.stack?.split("\n")[1]).toBe(raisedAt);

    const held = new LockHeld("lock release is held", { hint: "add --wait-lock" });
    expect(asLibraryError(held)).toBeInstanceOf(LockHeld);
    expect(held.hint).toBe("add waitLock");
  });

  it("leaves other errors alone", () => {
    const error = new Error("--timeout");
    expect(asLibraryError(error)).toBe(error);
    expect(error.message).toBe("--timeout");
  });
});

describe("the library's calls", () => {
  it("word a failed config check as the library's errors are: options, not flags", async () => {
    const { check } = await import("../../src/index.js");
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-library-check-"));
    const checks = await check({ release: "shop:v1", command: ["true"], memory: "lots" }, { cwd: dir, env: {} });
    expect(checks).toEqual([{ name: "config", ok: false, detail: 'memory: "lots": not a memory size', hint: expect.any(String) }]);
  });
});
