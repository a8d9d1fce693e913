import { describe, expect, it } from "vitest";
import { inScope, parseLabelFilter, type LabelFilter } from "../../src/lifecycle/reap-scope.js";
import { cleanup } from "../../src/index.js";
import { runCli } from "./cli-output.js";

describe("cleanup --filter", () => {
  it.each<[string, LabelFilter]>([
    ["label=ci.job", { key: "ci.job", without: false }],
    ["label=ci.job=1234", { key: "ci.job", value: "1234", without: false }],
    ["label=oneoff.test-run=cleanup.test.ts-12-abc", { key: "oneoff.test-run", value: "cleanup.test.ts-12-abc", without: false }],
    ["label=note=a=b", { key: "note", value: "a=b", without: false }],
    ["label=empty=", { key: "empty", value: "", without: false }],
    ["label!=keep", { key: "keep", without: true }],
    ["label!=keep=yes", { key: "keep", value: "yes", without: true }],
  ])("reads %s", (text, filter) => {
    expect(parseLabelFilter(text)).toEqual(filter);
  });

  it.each([
    ["until=24h", /^--filter "until=24h": oneoff cleanup filters only by label, not by until$/],
    ["name=web", /^--filter "name=web": oneoff cleanup filters only by label, not by name$/],
    ["label", /^--filter "label": not a filter$/],
    ["ci.job=1", /^--filter "ci\.job=1": oneoff cleanup filters only by label, not by ci\.job$/],
    ["label=", /^--filter "label=": a label filter needs a key$/],
    ["label!==x", /^--filter "label!==x": a label filter needs a key$/],
  ])("refuses %s, naming the flag", (text, message) => {
    expect(() => parseLabelFilter(text)).toThrow(message);
  });

  const labels = { "io.oneoff.managed": "true", "ci.job": "1234", empty: "" };
  it.each<[string[], boolean]>([
    [[], true],
    [["label=ci.job"], true],
    [["label=ci.job=1234"], true],
    [["label=ci.job=99"], false],
    [["label=other"], false],
    [["label=empty="], true],
    [["label=empty=x"], false],
    [["label!=ci.job"], false],
    [["label!=ci.job=99"], true],
    [["label!=other"], true],
    // Several: all must hold, as docker's prune matches labels.
    [["label=ci.job=1234", "label=io.oneoff.managed=true"], true],
    [["label=ci.job=1234", "label=other"], false],
    [["label=ci.job", "label!=ci.job=1234"], false],
  ])("with %j, a one-off labelled ci.job=1234 is in scope: %s", (texts, expected) => {
    expect(inScope(labels, texts.map(parseLabelFilter))).toBe(expected);
  });

  it("does not take a key of Object's prototype for a label", () => {
    expect(inScope({}, [parseLabelFilter("label=constructor")])).toBe(false);
    expect(inScope({}, [parseLabelFilter("label!=toString")])).toBe(true);
  });

  it("refuses another filter in one line, exit code 125, before it reaches for the engine", async () => {
    const result = await runCli(["-H", "unix:///nonexistent/oneoff-test.sock", "cleanup", "--filter", "label=a", "--filter", "until=24h"]);
    expect(result).toEqual({
      code: 125,
      stdout: "",
      stderr:
        'oneoff: --filter "until=24h": oneoff cleanup filters only by label, not by until (use label=KEY, label=KEY=VALUE, label!=KEY or label!=KEY=VALUE)\n',
    });
  });

  it("is the library's filters option, whose refusal names the option", async () => {
    await expect(cleanup({ filters: ["until=24h"], host: "unix:///nonexistent/oneoff-test.sock" })).rejects.toThrow(
      /^filters: "until=24h": oneoff cleanup filters only by label, not by until$/,
    );
  });
});
