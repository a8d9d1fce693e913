import { describe, expect, it } from "vitest";
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
});
