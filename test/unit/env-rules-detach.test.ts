import { describe, expect, it } from "vitest";
import { argumentProblem, envNameProblem, envValueProblem, MAX_ENTRY_BYTES } from "../../src/formats/env-rules.js";
import { isDetachKeys } from "../../src/config/value-rules.js";
import { isDetached } from "../../src/spec/labels.js";
import { DetachWatch, detachKeyBytes } from "../../src/session/stdin.js";

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

  it("sees the sequence only when it was the last thing typed, even split across chunks", () => {
    const watch = new DetachWatch(detachKeyBytes("ctrl-p,ctrl-q"));
    watch.observe(Buffer.from("ls\r"));
    expect(watch.typed).toBe(false);
    watch.observe(Buffer.from([0x10]));
    expect(watch.typed).toBe(false);
    watch.observe(Buffer.from([0x11]));
    expect(watch.typed).toBe(true);
    watch.observe(Buffer.from("x"));
    expect(watch.typed).toBe(false);
  });
});
