import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, oneoff } from "./helpers.js";

expectNoLeftovers();

describe("oneoff run exit codes (the docker run contract)", () => {
  it.each([0, 1, 42, 255])("passes the command's exit code %i through", async (code) => {
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "sh", "-c", `exit ${code}`]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(code);
  });

  it("exits 127 with one line naming the command when it is not in the image", async () => {
    const result = await oneoff(["run", "--release", IMAGE, "--", "no-such-command", "arg"]);
    expect(result.code).toBe(127);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^oneoff: command "no-such-command" not found in the image \(.+\)$/),
    ]);
  });

  it("exits 126 when the command is not executable", async () => {
    const result = await oneoff(["run", "--release", IMAGE, "--", "/etc/passwd"]);
    expect(result.code).toBe(126);
    expect(result.stderr).toMatch(/^oneoff: command "\/etc\/passwd" cannot be invoked: permission denied/);
  });

  it("exits 126 when the command is a directory", async () => {
    const result = await oneoff(["run", "--release", IMAGE, "--", "/tmp"]);
    expect(result.code).toBe(126);
  });

  it("exits 125 when the user does not exist in the image, naming the user", async () => {
    const result = await oneoff(["run", "-u", "nosuchuser", "--release", IMAGE, "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/nosuchuser/);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("passes argv through as an array, never re-parsed by a shell", async () => {
    const tricky = ["a b", "$HOME", "'q'", '"dq"', "*", "; echo injected", ""];
    const result = await oneoff([
      "run",
      "-q",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      'for a in "$@"; do printf "[%s]" "$a"; done',
      "sh",
      ...tricky,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(tricky.map((word) => `[${word}]`).join(""));
  });
});
