/**
 * docs/library.md documents every option of every function the library exports: each key of
 * each options interface (and of those it extends), read from the source, has a row in the
 * table under the heading that names the interface; each CLI flag is in its option's row.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPTION_OF_FLAG } from "../../src/pipeline/library-errors.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOC = readFileSync(path.join(ROOT, "docs/library.md"), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(file) : file.endsWith(".ts") ? [readFileSync(file, "utf8")] : [];
  });
}
const SOURCE = sources(path.join(ROOT, "src")).join("\n");

const TABLES = ["LibraryRunOptions", "RunContext", "EngineOptions", "ListOptions", "LogsOptions", "StopOptions", "CleanupOptions"];

/** An interface's own keys and the interfaces it extends, from its source. */
function declared(name: string): { own: string[]; parents: string[] } {
  const found = new RegExp(`^export interface ${name}\\b([^{]*)\\{\\n([\\s\\S]*?)^\\}`, "m").exec(SOURCE);
  // A mapped type (`{ [K in keyof Other]?: ... }`) has Other's keys.
  const mapped = new RegExp(`^export type ${name} = \\{\\n\\s*\\[K in keyof (\\w+)\\]`, "m").exec(SOURCE);
  if (!found && mapped) return { own: [], parents: [mapped[1]!] };
  if (!found) throw new Error(`no interface ${name} in src/`);
  const [, heritage = "", body = ""] = found;
  return {
    // A key whose comment says @internal is a test's seam, out of the package's types and the doc.
    own: [...body.matchAll(/^ {2}(?:readonly )?(\w+)\??:/gm)]
      .filter((match, index, keys) => !body.slice(index ? keys[index - 1]!.index : 0, match.index).includes("@internal"))
      .map((match) => match[1]!),
    // `extends A, Omit<B, "k">, ns.C`: every type name but the utility types (keys are in quotes).
    parents: [...heritage.replace(/"[^"]*"/g, "").matchAll(/(?:\w+\.)?([A-Z]\w*)/g)]
      .map((match) => match[1]!)
      .filter((parent) => !["Omit", "Pick", "Partial", "Readonly"].includes(parent)),
  };
}

/** Its keys with those of the interfaces it extends, but for a parent with a table of its own. */
function keysOf(name: string): string[] {
  const { own, parents } = declared(name);
  return [...new Set([...own, ...parents.filter((parent) => !TABLES.includes(parent)).flatMap(keysOf)])];
}

/** The text under the heading that names `name` in backticks, to the next heading. */
function sectionOf(name: string): string {
  const section = DOC.split(/^(?=#{2,3} )/m).find((text) => text.split("\n")[0]!.includes(`\`${name}\``));
  expect(section, `docs/library.md: no heading naming \`${name}\``).toBeDefined();
  return section!;
}

/** The rows of the table in that section: key -> row. */
function rowsUnder(name: string): Map<string, string> {
  return new Map([...sectionOf(name).matchAll(/^\| `(\w+)` \|.*$/gm)].map((match) => [match[1]!, match[0]]));
}

describe("docs/library.md", () => {
  it.each(TABLES)("has a row for each key of %s", (name) => {
    const keys = keysOf(name);
    expect(keys.length).toBeGreaterThan(0);
    const rows = rowsUnder(name);
    expect(keys.filter((key) => !rows.has(key))).toEqual([]);
    // And none for a key that is not there (a renamed one).
    expect([...rows.keys()].filter((key) => !keys.includes(key))).toEqual([]);
    // A parent's keys are left to its own table, which the section names.
    for (const parent of declared(name).parents.filter((other) => TABLES.includes(other)))
      expect(sectionOf(name)).toContain(`\`${parent}\``);
  });

  it("has a heading for each function the library exports", () => {
    const functions = [...readFileSync(path.join(ROOT, "src/index.ts"), "utf8").matchAll(/^export (?:async )?function (\w+)/gm)].map(
      (match) => match[1]!,
    );
    expect(functions).toEqual(expect.arrayContaining(["run", "release", "check", "list", "logs", "stop", "cleanup"]));
    for (const name of functions) expect(DOC, name).toMatch(new RegExp(`^#{2,3} .*\`${name}\\(`, "m"));
  });

  it("names each CLI flag in the row of the option it sets", () => {
    const rows = rowsUnder("LibraryRunOptions");
    for (const [flag, option] of OPTION_OF_FLAG)
      expect(rows.get(option) ?? "", `${flag} -> ${option}`).toMatch(new RegExp(`\`${flag}[\` ]`));
  });

  it("tells to install the packed tarball, never from the registry", () => {
    expect(DOC).toContain("npm pack");
    expect(DOC).toContain("npm install ./oneoff-0.1.0.tgz");
    expect(DOC).not.toMatch(/npm (install|i) oneoff\b/);
  });
});
