import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { commandNames, runCli } from "./cli-output.js";

describe("oneoff --help", () => {
  it("lists the commands", async () => {
    const names = await commandNames();
    expect(names).toEqual(
      expect.arrayContaining([
        "run",
        "shell",
        "release",
        "ps",
        "logs",
        "attach",
        "stop",
        "wait",
        "history",
        "diff",
        "tasks",
        "cleanup",
        "completion",
      ]),
    );
  });

  it("gives every command an Examples: section, each example a oneoff command line", async () => {
    const names = await commandNames();
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const { code, stdout, stderr } = await runCli([name, "--help"]);
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: "" });
      // oneoff prints no colour (so NO_COLOR holds without code): no escape sequences at all.
      expect(stdout, `oneoff ${name} --help`).not.toContain("\x1b");
      const examples = stdout.split(/^Examples:$/m)[1];
      expect(examples, `oneoff ${name} --help has no Examples: section`).toBeDefined();
      const lines = examples!
        .split("\n\n")[0]!
        .split("\n")
        .filter((line) => line.trim());
      expect(lines.length, `oneoff ${name} --help`).toBeGreaterThan(0);
      for (const line of lines) expect(line, `oneoff ${name} --help`).toMatch(/^ {2}(oneoff|\S.*\boneoff)\b/);
      expect(
        lines.some((line) => line.includes(`oneoff ${name}`)),
        `oneoff ${name} --help: no example runs it`,
      ).toBe(true);
    }
  });

  it("describes release's --wait-lock as the wait for the lock release takes itself, not one needing --lock", async () => {
    const { stdout } = await runCli(["release", "--help"]);
    const waitLock = stdout.split("\n").find((line) => line.trimStart().startsWith("--wait-lock"));
    expect(waitLock).toBeDefined();
    expect(waitLock).not.toMatch(/with --lock/);
    expect(waitLock).toMatch(/release/);
  });
});

describe("the examples", () => {
  const root = new URL("../../examples/", import.meta.url).pathname;
  const files = (
    readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{
      name: string;
      parentPath?: string;
      path?: string;
      isFile(): boolean;
    }>
  )
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path ?? root, entry.name));

  it("never run oneoff through npx: it is not on the npm registry, so npx would fetch someone else's package", () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toMatch(/\bnpx\s+(-y\s+)?oneoff\b/);
  });
});
