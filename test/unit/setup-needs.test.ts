/**
 * test/setup/needs.ts is true: every engine-tier test file has a row; a file whose text shows a
 * step's markers (its ports, sockets, images, `swarm`, node-versions paths) has that step, and
 * a step a row names shows in its file; the steps run in all.sh's order and each takes a lock;
 * docs/development.md's tables are made from it (ONEOFF_UPDATE_DOCS=1 rewrites them).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BASE, NEEDS, STEPS, stepsFor, withPrerequisites, type FileNeeds } from "../setup/needs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOCS = path.join(ROOT, "docs/development.md");
const TABLES_START =
  "<!-- setup tables: made from test/setup/needs.ts (ONEOFF_UPDATE_DOCS=1 npx vitest run test/unit/setup-needs.test.ts) -->";
const TABLES_END = "<!-- end of setup tables -->";

const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    return entry.isDirectory() ? testFiles(file) : entry.name.endsWith(".test.ts") ? [file] : [];
  });
}

/** What is wrong with `needs` against the files' text: a marker without its step, a step without its marker. */
function markerProblems(needs: Readonly<Record<string, FileNeeds>>, textOf: (file: string) => string): string[] {
  const problems: string[] = [];
  for (const [file, row] of Object.entries(needs)) {
    const text = textOf(file);
    const provided = withPrerequisites([...BASE, ...row.steps]);
    const waived = row.mentionsWithoutNeeding ?? {};
    for (const step of STEPS) {
      const seen = step.markers.filter((marker) => marker.test(text));
      const declared = row.steps.includes(step.name);
      if (seen.length && !provided.includes(step.name) && !(step.name in waived))
        problems.push(`${file} shows ${seen.join(" ")} but does not name setup step ${step.name}`);
      if ((declared || step.name in waived) && step.markers.length && !seen.length)
        problems.push(`${file} names setup step ${step.name} but shows none of its markers ${step.markers.join(" ")}`);
      if (step.name in waived && provided.includes(step.name))
        problems.push(`${file} both needs ${step.name} and says it mentions it without needing it`);
    }
  }
  return problems;
}

/** docs/development.md's setup tables as test/setup/needs.ts makes them. */
function setupTables(): string[] {
  const steps = STEPS.map((step) => `| ${step.name} | ${step.provides} | ${step.after.join(", ") || "—"} |`);
  const files = Object.entries(NEEDS).map(([file, row]) => {
    const beyond = stepsFor([file]).filter((name) => !BASE.includes(name));
    return `| ${file.replace(/^test\//, "")} | ${beyond.join(", ") || "—"} | ${row.why ?? "—"} |`;
  });
  return [
    "| step (test/setup/STEP.sh) | provides | runs after |",
    "|---|---|---|",
    ...steps,
    "",
    `| file (under test/) | steps beyond ${BASE.join(" and ")}, with those they run after | what in the file needs them |`,
    "|---|---|---|",
    ...files,
  ];
}

function documentedTables(): { lines: string[]; start: number; end: number } {
  const lines = readFileSync(DOCS, "utf8").split("\n");
  return { lines, start: lines.indexOf(TABLES_START), end: lines.indexOf(TABLES_END) };
}

describe("test/setup/needs.ts", () => {
  it("has one row per engine-tier test file, and none for a file that is gone", () => {
    expect(Object.keys(NEEDS).sort()).toEqual([...testFiles("test/integration"), ...testFiles("test/faults")].sort());
  });

  it("lists the steps in all.sh's order, each script taking a lock of its own", () => {
    const inAllSh = [...read("test/setup/all.sh").matchAll(/^bash "\$here\/([a-z-]+)\.sh"(?: >\/dev\/null)?$/gm)].map((match) => match[1]);
    expect(STEPS.map((step) => step.name)).toEqual(inAllSh);
    for (const step of STEPS) expect(read(`test/setup/${step.name}.sh`), step.name).toMatch(/^\s*take_lock /m);
  });

  it("runs each step after the steps its script says to run first", () => {
    for (const step of STEPS) {
      const script = read(`test/setup/${step.name}.sh`);
      const first = [...script.matchAll(/run ([a-z-]+)\.sh first/g)].map((match) => match[1]);
      if (/^require_engine$/m.test(script)) first.push("engine");
      const before = withPrerequisites([step.name]).filter((name) => name !== step.name);
      expect(before, step.name).toEqual(expect.arrayContaining([...new Set(first)]));
    }
  });

  it("gives a file that uses only the engine the engine and the test images, and a worker's file the swarm and engines under it", () => {
    expect(stepsFor(["test/integration/streams.test.ts"])).toEqual(["engine", "images"]);
    expect(stepsFor(["test/integration/swarm-worker.test.ts"])).toEqual([
      "tools",
      "engine",
      "images",
      "swarm",
      "remote-engines",
      "isolated-engine",
      "swarm-worker",
    ]);
    expect(() => stepsFor(["test/integration/no-such.test.ts"])).toThrow(/has no row in test\/setup\/needs\.ts/);
  });

  it("names, for each file, the steps whose markers its text shows, and only those", () => {
    expect(markerProblems(NEEDS, read)).toEqual([]);
  });

  it("fails a file whose row loses a step it uses, or names one it does not", () => {
    const swarm = "test/integration/swarm.test.ts";
    const streams = "test/integration/streams.test.ts";
    const changed = { [streams]: { steps: ["registry" as const] }, [swarm]: { steps: ["tools" as const] } };
    expect(markerProblems(changed, read)).toEqual([
      expect.stringMatching(/^test\/integration\/streams\.test\.ts names setup step registry but shows none of its markers/),
      expect.stringMatching(/^test\/integration\/swarm\.test\.ts shows \/swarm\/i but does not name setup step swarm$/),
    ]);
  });

  it("is docs/development.md's setup tables, row for row (ONEOFF_UPDATE_DOCS=1 rewrites them)", () => {
    const { lines, start, end } = documentedTables();
    expect(start, `docs/development.md has no line ${TABLES_START}`).toBeGreaterThan(-1);
    expect(end, `docs/development.md has no line ${TABLES_END}`).toBeGreaterThan(start);
    const made = ["", ...setupTables(), ""];
    if (process.env.ONEOFF_UPDATE_DOCS === "1") {
      lines.splice(start + 1, end - start - 1, ...made);
      writeFileSync(DOCS, lines.join("\n"));
    }
    const now = documentedTables();
    expect(now.lines.slice(now.start + 1, now.end)).toEqual(made);
  });
});
