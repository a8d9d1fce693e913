/**
 * Text a container or the engine chose (names in a copy-out, label values such as the command
 * or who started it) reaches the terminal with its control characters escaped: it cannot move
 * the cursor, set the clipboard (OSC 52) or forge an `oneoff:` line, and a table row stays
 * one line. The command's own output is not escaped (streams.test.ts holds it byte-exact).
 *
 * oneoff runs in this process (oneoffInProcess) in every test: what is asserted is the text it
 * writes, never its process; no test here spawns one.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

/** Any control character but the newline that ends each line: none may reach the terminal raw. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const OSC_52 = "\x1b]52;c;aGk=\x07";
const OSC_52_SHOWN = "\\x1b]52;c;aGk=\\x07";

function workspace(): string {
  return mkdtempSync(path.join(os.tmpdir(), "oneoff-escapes-"));
}

describe("names a container chose, in copy-out messages", () => {
  // A fifo whose name holds OSC 52, a CR and a newline followed by a forged line; a setuid
  // file whose name clears the screen and holds a tab.
  const plant = [
    "mkdir /out && cd /out",
    `mkfifo "$(printf 'f\\033]52;c;aGk=\\007\\r\\noneoff: forged')"`,
    `s=$(printf 's\\033[2J\\tx') && cp /bin/busybox "$s" && chmod 4755 "$s"`,
  ].join(" && ");

  it.each([
    ["by default", []],
    ["with -q", ["-q"]],
    ["with --json --capture", ["--json", "--capture"]],
  ])("are shown escaped, each message on its one line, %s", async (_how, flags) => {
    const dir = workspace();
    const result = await oneoffInProcess(["run", ...flags, "--release", IMAGE, "--copy-out", "/out:out", "--", "sh", "-c", plant], {
      cwd: dir,
    });
    expect(result.code).toBe(125);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    const lines = result.stderr.split("\n").filter(Boolean);
    // Every line is one oneoff wrote: nothing after a newline in a name starts a line.
    for (const line of lines) expect(line).toMatch(/^oneoff: /);
    expect(lines.some((line) => line.startsWith("oneoff: forged"))).toBe(false);
    const copyLines = lines.filter((line) => line.startsWith("oneoff: --copy-out"));
    expect(copyLines).toHaveLength(2);
    expect(copyLines[0]).toBe("oneoff: --copy-out /out:out: copied out/s\\x1b[2J\\tx without its setuid/setgid bits");
    expect(copyLines[1]).toContain(`refused out/f${OSC_52_SHOWN}\\r\\noneoff: forged: a fifo`);
    // The setuid file itself is copied, under its real name.
    expect(readdirSync(path.join(dir, "out"))).toEqual(["s\x1b[2J\tx"]);
    if (flags.includes("--json")) expect(JSON.parse(result.stdout.toString())).toMatchObject({ schema: "oneoff/run" });
  });
});

describe("label values in ps and history", () => {
  it("shows a command holding a newline and OSC 52 escaped, on one row of ps and of history", async () => {
    const dir = workspace();
    const env = { ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl") };
    const script = `sleep 60\n#${OSC_52}`;
    const started = await oneoffInProcess(["run", "-d", "--release", IMAGE, "--", "sh", "-c", script], { cwd: dir, env });
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      const ps = await oneoffInProcess(["ps", "--all-apps"], { cwd: dir, env });
      expect(ps.code).toBe(0);
      const listed = ps.stdout.toString();
      expect(listed).not.toMatch(RAW_CONTROL);
      const row = listed.split("\n").find((line) => line.startsWith(id.slice(0, 12)));
      expect(row).toContain(`sh -c sleep 60\\n#${OSC_52_SHOWN}`);
      // The row is whole: no line of the table starts with the command's second line.
      expect(listed.split("\n").some((line) => line.startsWith("#"))).toBe(false);

      const history = await oneoffInProcess(["history", "--app", path.basename(dir)], { cwd: dir, env });
      expect(history.code).toBe(0);
      const logged = history.stdout.toString();
      expect(logged).not.toMatch(RAW_CONTROL);
      const lines = logged.split("\n").filter(Boolean);
      expect(lines).toHaveLength(2); // the header and the one run
      expect(lines[1]).toContain(`sh -c sleep 60\\n#${OSC_52_SHOWN}`);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("shows an app, a task and a started-by someone else planted escaped, on one row of ps", async () => {
    const planted = docker(
      "create",
      "--label",
      "io.oneoff.managed=true",
      "--label",
      "io.oneoff.app=evil\x1b[2J",
      "--label",
      `io.oneoff.task=t\r${OSC_52}`,
      "--label",
      "io.oneoff.started-by=mallory\r\noneoff: all clear",
      IMAGE,
      "true",
    );
    try {
      const ps = await oneoffInProcess(["ps", "-a", "--all-apps"], { cwd: workspace() });
      expect(ps.code).toBe(0);
      const listed = ps.stdout.toString();
      expect(listed).not.toMatch(RAW_CONTROL);
      const row = listed.split("\n").find((line) => line.startsWith(planted.slice(0, 12)));
      expect(row).toMatch(/^\w{12} +evil\\x1b\[2J +t\\r\\x1b\]52;c;aGk=\\x07 .* mallory\\r\\noneoff: all clear$/);
      expect(listed.split("\n").some((line) => line.startsWith("oneoff: all clear"))).toBe(false);
    } finally {
      docker("rm", "-f", planted);
    }
  });
});
