import { describe, expect, it } from "vitest";
import { configError } from "../../src/config/errors.js";
import { ExitCode, exitCodeOf, formatErrorLine, OneoffError } from "../../src/output/errors.js";

describe("OneoffError", () => {
  it("defaults to exit code 125 and no hint", () => {
    const error = new OneoffError("engine not reachable");
    expect(error.exitCode).toBe(125);
    expect(error.hint).toBeUndefined();
    expect(error.name).toBe("OneoffError");
    expect(error).toBeInstanceOf(Error);
  });

  it("carries a hint, an exit code and a cause", () => {
    const cause = new Error("ENOENT");
    const error = new OneoffError("command not found: rake", { hint: "check the image", exitCode: ExitCode.commandNotFound, cause });
    expect(error.hint).toBe("check the image");
    expect(error.exitCode).toBe(127);
    expect(error.cause).toBe(cause);
  });

  it.each([
    ["runnerFailed", ExitCode.runnerFailed, 125],
    ["cannotInvoke", ExitCode.cannotInvoke, 126],
    ["commandNotFound", ExitCode.commandNotFound, 127],
    ["timedOut", ExitCode.timedOut, 124],
    ["interrupted", ExitCode.interrupted, 130],
    ["terminated", ExitCode.terminated, 143],
  ])("keeps the docker run exit code for %s", (_name, code, expected) => {
    expect(code).toBe(expected);
  });
});

describe("formatErrorLine", () => {
  it.each([
    [
      "a message with its hint in parentheses",
      new OneoffError("no release to run", { hint: "pass --release IMAGE" }),
      "oneoff: no release to run (pass --release IMAGE)",
    ],
    ["a message without a hint", new OneoffError("no release to run"), "oneoff: no release to run"],
    ["an empty hint as no hint", new OneoffError("no release to run", { hint: "" }), "oneoff: no release to run"],
    [
      "a multi-line message on one line",
      new OneoffError("pull failed:\n  manifest unknown", { hint: "check the tag" }),
      "oneoff: pull failed: manifest unknown (check the tag)",
    ],
    [
      "an unexpected error as an internal error",
      new TypeError("cannot read properties of undefined"),
      "oneoff: internal error: cannot read properties of undefined (run again with --debug for details, and report it)",
    ],
    [
      "an internal error's multi-line message on one line",
      new Error("first\nsecond"),
      "oneoff: internal error: first second (run again with --debug for details, and report it)",
    ],
    ["a thrown string", "boom", "oneoff: internal error: boom (run again with --debug for details, and report it)"],
    ["a thrown undefined", undefined, "oneoff: internal error: undefined (run again with --debug for details, and report it)"],
  ])("prints %s", (_name, error, line) => {
    const printed = formatErrorLine(error);
    expect(printed).toBe(line);
    expect(printed).not.toContain("\n");
  });

  it("prints a config error as file:line:col: key.path: what (hint)", () => {
    expect(formatErrorLine(configError("oneoff.yaml:3:5", "tasks.migrate.comand", "unknown key", 'did you mean "command"?'))).toBe(
      'oneoff: oneoff.yaml:3:5: tasks.migrate.comand: unknown key (did you mean "command"?)',
    );
  });
});

describe("configError", () => {
  it.each([
    ["with a key path and a hint", ["oneoff.yaml:1:1", "image", "bad", "fix it"] as const, "oneoff.yaml:1:1: image: bad", "fix it"],
    [
      "without a key path",
      ["oneoff.yaml:4:1", undefined, "invalid YAML: oops", undefined] as const,
      "oneoff.yaml:4:1: invalid YAML: oops",
      undefined,
    ],
    ["with an empty key path", [".env:2", "", "bad line", undefined] as const, ".env:2: bad line", undefined],
  ])("builds a OneoffError %s", (_name, [location, keyPath, message, hint], expectedMessage, expectedHint) => {
    const error = configError(location, keyPath, message, hint);
    expect(error).toBeInstanceOf(OneoffError);
    expect(error.message).toBe(expectedMessage);
    expect(error.hint).toBe(expectedHint);
    expect(error.exitCode).toBe(125);
  });
});

describe("exitCodeOf", () => {
  it.each([
    ["a OneoffError's own code", new OneoffError("timed out", { exitCode: ExitCode.timedOut }), 124],
    ["125 for a OneoffError without a code", new OneoffError("x"), 125],
    ["125 for any other error", new RangeError("x"), 125],
    ["125 for a non-error", "x", 125],
  ])("gives %s", (_name, error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe("formatErrorLine with surrounding whitespace", () => {
  it("does not leave a double space before the hint", () => {
    expect(formatErrorLine(new OneoffError("pull failed:\n  manifest unknown\n", { hint: "check the tag" }))).toBe(
      "oneoff: pull failed: manifest unknown (check the tag)",
    );
  });
});

describe("translateArchiveError", () => {
  const engineError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode, json: { message } });
  it.each([
    [
      "a missing directory",
      engineError(404, "Could not find the file /no/such in container 4f1c"),
      "copy into /no/such in the one-off: /no/such does not exist in the one-off",
      "copy into a directory that exists in the image, or create it first",
    ],
    [
      "a removed container",
      engineError(404, "No such container: 4f1c"),
      "copy into /no/such in the one-off: the one-off container is gone",
      "it was removed while files were being copied",
    ],
    [
      "a read-only filesystem",
      engineError(403, "container rootfs is marked read-only"),
      "copy into /no/such in the one-off: container rootfs is marked read-only",
      "check the path and that the one-off's filesystem is writable there",
    ],
  ])("says %s in one line", async (_name, raw, message, hint) => {
    const { translateArchiveError } = await import("../../src/engine/docker/errors.js");
    const error = translateArchiveError(raw, "unix:///var/run/docker.sock", "copy into /no/such in the one-off");
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
    expect(error.exitCode).toBe(125);
  });

  it("leaves an unreachable engine to the engine's own message", async () => {
    const { translateArchiveError } = await import("../../src/engine/docker/errors.js");
    const error = translateArchiveError(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "unix:///x.sock",
      "copy out",
    );
    expect(error.message).toBe("cannot reach the Docker engine at unix:///x.sock: connection refused");
  });
});
