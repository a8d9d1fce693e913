/**
 * The --json contract's versions: each kind of document has its own, so a change to one kind's
 * shape (the run result's `id` and `kind`, version 2) leaves every other kind's readers alone.
 */
import { describe, expect, it } from "vitest";
import { errorDocument, jsonDocument, type DocumentKind } from "../../src/output/json-document.js";
import { OneoffError } from "../../src/output/errors.js";

const versionOf = (text: string) => (JSON.parse(text) as { schemaVersion: number }).schemaVersion;

describe("schemaVersion, per kind of document", () => {
  it("is 2 for a run (its one-off as id and kind since version 2, no containerId)", () => {
    expect(JSON.parse(jsonDocument("run", { id: "abc", kind: "job" }))).toEqual({
      schema: "oneoff/run",
      schemaVersion: 2,
      id: "abc",
      kind: "job",
    });
  });

  it.each<DocumentKind>(["ps", "tasks", "check", "diff", "ledger", "error"])("stays 1 for %s", (kind) => {
    expect(versionOf(jsonDocument(kind, {}))).toBe(1);
  });

  it("is 2 for history: newest first, from the engine's records and this machine's log", () => {
    expect(versionOf(jsonDocument("history", {}))).toBe(2);
  });

  it("stays 1 for the error document of a failed run", () => {
    expect(JSON.parse(errorDocument("run", new OneoffError("no such image")))).toMatchObject({
      schema: "oneoff/error",
      schemaVersion: 1,
      command: "run",
    });
  });
});
