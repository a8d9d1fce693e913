import { describe, expect, it } from "vitest";
import { argumentProblem, envNameProblem, envValueProblem, MAX_ENTRY_BYTES } from "../../src/formats/env-rules.js";
import { isDetachKeys } from "../../src/config/value-rules.js";
import { isDetached } from "../../src/requests/labels.js";
import { DetachKeys, detachKeyBytes } from "../../src/session/stdin.js";

describe("environment rules (docker's for names, the kernel's for sizes)", () => {
  it.each(["A", "a_b", "1A", "A-B", "A.B", "ÄÖ"])("accepts the name %s", (name) => {
    expect(envNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["A=B", /contains "="/],
    ["A B", /whitespace/],
    ["\tA", /whitespace/],
    ["A\0", /NUL/],
  ])("refuses the name %j", (name, problem) => {
    expect(envNameProblem(name)).toMatch(problem);
  });

  it("refuses a value the kernel would not pass, and accepts the largest it would", () => {
    const largest = "x".repeat(MAX_ENTRY_BYTES - "BIG=".length - 1);
    expect(envValueProblem("BIG", largest)).toBeUndefined();
    expect(envValueProblem("BIG", `${largest}x`)).toMatch(/^BIG is 131073 bytes; Linux refuses a variable over 128 KiB$/);
    expect(envValueProblem("V", "a\0b")).toMatch(/NUL byte/);
  });

  it("refuses argv words the kernel would not pass", () => {
    expect(argumentProblem("x".repeat(MAX_ENTRY_BYTES - 1))).toBeUndefined();
    expect(argumentProblem("x".repeat(MAX_ENTRY_BYTES))).toMatch(/over 128 KiB/);
    expect(argumentProblem("a\0")).toMatch(/NUL/);
  });
});

describe("detach keys in docker's notation", () => {
  it.each(["ctrl-p,ctrl-q", "ctrl-x,x", "ctrl-@", "ctrl-[,ctrl-]", "a,b,c", "ctrl-^,ctrl-_"])("accepts %s", (keys) => {
    expect(isDetachKeys(keys)).toBe(true);
  });
  it.each(["", "ctrl-", "ctrl-pp", "ctrl-P", "alt-x", "ctrl-p,,ctrl-q", "!!"])("refuses %j", (keys) => {
    expect(isDetachKeys(keys)).toBe(false);
  });
});

describe("isDetached", () => {
  it.each([
    [{ labels: { "io.oneoff.detached": "true" }, name: "shop-run-abc" }, true],
    [{ labels: {}, name: "shop-run-abc-detached" }, true],
    [{ labels: {}, name: "shop-run-abc" }, false],
    [{ labels: { "io.oneoff.detached": "false" }, name: "shop-detached-run" }, false],
  ])("%o -> %s", (container, detached) => {
    expect(isDetached(container)).toBe(detached);
  });
});

describe("detach keys as bytes, and watching for them", () => {
  it.each([
    ["ctrl-p,ctrl-q", [0x10, 0x11]],
    ["ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", [0, 27, 28, 29, 30, 31]],
    ["ctrl-x,x", [0x18, 0x78]],
  ])("%s -> %j", (keys, bytes) => {
    expect([...detachKeyBytes(keys)]).toEqual(bytes);
  });

  /** Feeds `chunks` through one filter: what the one-off gets, and whether it detached. */
  function typed(keys: string, ...chunks: (string | number[])[]): { passed: string; detached: boolean; atEnd: string } {
    const detach = new DetachKeys(keys);
    const passed = chunks
      .map((chunk) => detach.filter(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : Buffer.from(chunk)).toString("latin1"))
      .join("");
    return { passed, detached: detach.detached, atEnd: detach.flush().toString("latin1") };
  }

  it("finds the keys split across reads, and passes on what came before them", () => {
    expect(typed("ctrl-p,ctrl-q", "ls\r", [0x10], [0x11])).toEqual({ passed: "ls\r", detached: true, atEnd: "" });
  });

  it("finds the keys in one read with other bytes before them (the engine's own match misses this)", () => {
    expect(typed("ctrl-p,ctrl-q", "echo x\r\x10\x11")).toEqual({ passed: "echo x\r", detached: true, atEnd: "" });
  });

  it("passes on nothing typed after the keys", () => {
    expect(typed("ctrl-p,ctrl-q", "a\x10\x11b", "more")).toEqual({ passed: "a", detached: true, atEnd: "" });
  });

  it("holds back a first key until the next byte, then passes both on when the keys do not follow", () => {
    const detach = new DetachKeys("ctrl-p,ctrl-q");
    expect([...detach.filter(Buffer.from([0x61, 0x10]))]).toEqual([0x61]);
    expect([...detach.filter(Buffer.from("b"))]).toEqual([0x10, 0x62]);
    expect(detach.detached).toBe(false);
  });

  it("restarts the match inside a failed one (ctrl-x ctrl-x x detaches with ctrl-x,x)", () => {
    expect(typed("ctrl-x,x", [0x18], [0x18], "x")).toEqual({ passed: "\x18", detached: true, atEnd: "" });
    expect(typed("a,a,b", "aaab")).toEqual({ passed: "a", detached: true, atEnd: "" });
  });

  it("gives back a held first key at the end of input", () => {
    expect(typed("ctrl-p,ctrl-q", "x\x10")).toEqual({ passed: "x", detached: false, atEnd: "\x10" });
  });

  it("passes a read with no key of the sequence on as it is, without a copy", () => {
    const detach = new DetachKeys("ctrl-p,ctrl-q");
    const chunk = Buffer.from("plain text\r");
    expect(detach.filter(chunk)).toBe(chunk);
  });
});
