/**
 * docs/cli.md's lists that code holds: docker run's settings (src/settings/table.ts, in the
 * table's order) and docker run's flags a one-off is refused (src/cli/not-for-one-offs.ts).
 * Each sits between two marker lines; the test fails when the file and the code disagree, and
 * ONEOFF_UPDATE_DOCS=1 rewrites the marked lines from the code instead.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NOT_FOR_ONE_OFFS } from "../../src/cli/not-for-one-offs.js";
import type { AnyRow } from "../../src/settings/row.js";
import { SETTINGS } from "../../src/settings/table.js";

const CLI_DOC = path.join(fileURLToPath(new URL("../..", import.meta.url)), "docs/cli.md");
const REWRITE = "ONEOFF_UPDATE_DOCS=1 npx vitest run test/unit/cli-docs.test.ts";

/** A list of docs/cli.md made from code: its marker lines, and the lines between them. */
interface MadeSection {
  start: string;
  end: string;
  lines(): string[];
}

/** Flags and values as code in a cell: docker's flags in backquotes, a | that is not a column's. */
const code = (text: string) => `\`${text.replaceAll("|", "\\|")}\``;
const withFlagsAsCode = (text: string) =>
  text.replaceAll("|", "\\|").replace(/(^|[\s(])(--?[a-zA-Z][\w-]*)/g, (_match, before: string, flag: string) => `${before}\`${flag}\``);

function settingRow(row: AnyRow): string {
  const flag = `${row.short ? `${row.short}, ` : ""}${row.flag}${row.argument ? ` ${row.argument}` : ""}`;
  // A job carries a row in a field of its ContainerSpec or task, or by hand (jobCarriedBy: tmpfs mounts, LogDriver, placement).
  const swarm = row.jobField || row.jobCarriedBy ? "carried" : "refused";
  // oneoff.yaml's key first where it names the setting its own way (memory; compose's mem_limit).
  // The keys config/ reads itself (env:, compose's environment:) are the row's all the same.
  const [yaml, compose] = row.configKeys ? [row.configKeys.yaml, row.configKeys.compose] : [row.yaml, row.compose];
  const keys = yaml ? `${code(yaml)} (compose: ${compose ? code(compose) : "—"})` : compose ? code(compose) : "—";
  // A file flag beside the row's own (--label-file), or a second flag of its setting (--mount), shares its row.
  const others = [
    ...(row.file ? [{ flag: `${row.file.flag} <file>`, name: row.file.flag, help: row.file.help }] : []),
    ...(row.second ? [{ flag: `${row.second.flag} ${row.second.argument}`, name: row.second.flag, help: row.second.help }] : []),
  ];
  const flags = [flag, ...others.map((other) => other.flag)].map(code).join(", ");
  const help = [row.help, ...others.map((other) => `${other.name}: ${other.help}`)].join("; ");
  return `| ${flags} | ${withFlagsAsCode(help)} | ${keys} | ${swarm} |`;
}

/** Consecutive refused flags that share a reason share a row, as the flags without their values. */
function refusedRows(): string[] {
  const rows: Array<{ flags: string[]; why: string }> = [];
  for (const [definition, why] of NOT_FOR_ONE_OFFS) {
    const flags = definition.replace(/ [<[].*$/, "");
    const last = rows.at(-1);
    if (last?.why === why) last.flags.push(flags);
    else rows.push({ flags: [flags], why });
  }
  return rows.map((row) => `| ${row.flags.map(code).join(", ")} | ${withFlagsAsCode(row.why)} |`);
}

const SECTIONS: Record<string, MadeSection> = {
  "docker run's settings": {
    start: `<!-- docker run settings: made from src/settings/table.ts (${REWRITE}) -->`,
    end: "<!-- end of docker run settings -->",
    lines: () => [
      "| flag | what it sets | oneoff.yaml and compose key | on a Swarm job |",
      "|---|---|---|---|",
      ...SETTINGS.map(settingRow),
    ],
  },
  "docker run's flags a one-off has no use for": {
    start: `<!-- refused flags: made from src/cli/not-for-one-offs.ts (${REWRITE}) -->`,
    end: "<!-- end of refused flags -->",
    lines: () => ["| flag | why |", "|---|---|", ...refusedRows()],
  },
};

function documented(section: MadeSection): { lines: string[]; start: number; end: number } {
  const lines = readFileSync(CLI_DOC, "utf8").split("\n");
  return { lines, start: lines.indexOf(section.start), end: lines.indexOf(section.end) };
}

describe("docs/cli.md", () => {
  it.each(Object.entries(SECTIONS))(`lists %s as the code has them (${REWRITE} rewrites them)`, (_name, section) => {
    const { lines, start, end } = documented(section);
    expect(start, `docs/cli.md has no line ${section.start}`).toBeGreaterThan(-1);
    expect(end, `docs/cli.md has no line ${section.end} after ${section.start}`).toBeGreaterThan(start);
    const made = ["", ...section.lines(), ""];
    if (process.env.ONEOFF_UPDATE_DOCS === "1") {
      lines.splice(start + 1, end - start - 1, ...made);
      writeFileSync(CLI_DOC, lines.join("\n"));
    }
    const now = documented(section);
    expect(now.lines.slice(now.start + 1, now.end)).toEqual(made);
  });

  it("has a row for each setting of the table, in its order", () => {
    const { lines, start, end } = documented(SECTIONS["docker run's settings"]!);
    const flags = lines.slice(start + 1, end).flatMap((line) => /^\| `(?:-\w, )?(--[\w-]+)/.exec(line)?.[1] ?? []);
    expect(flags).toEqual(SETTINGS.map((row) => row.flag));
  });
});
