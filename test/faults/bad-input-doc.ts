/**
 * docs/bad-input.md's table, made from the catalogue and what oneoff really said: the test
 * checks the file against it, and ONEOFF_UPDATE_DOCS=1 rewrites the table instead.
 */
import { readFileSync, writeFileSync } from "node:fs";

export interface DocumentedRow {
  what: string;
  args: readonly string[];
  config?: string;
  files?: Record<string, string>;
  env?: Record<string, string | undefined>;
  code: number;
}

const LONGEST_MESSAGE = 150;

/** Text as the table shows it: line breaks, tabs and NULs as symbols, long runs of one character counted. */
function shown(text: string): string {
  return text
    .replace(/\n$/, "")
    .replace(/(.)\1{999,}/g, (run, character: string) => `${character}×${run.length}`)
    .replace(/\n/g, "⏎")
    .replace(/\t/g, "⇥")
    .replace(/\0/g, "␀");
}

/** A word as a shell user would type it: quoted when empty or holding what a shell reads. */
function shellWord(word: string): string {
  return word === "" || /[^A-Za-z0-9_@%+=:,./-]/.test(word) ? `"${shown(word)}"` : word;
}

export function documentRow(row: DocumentedRow, stderr: string, tempDir: string, base: string): string {
  const parts = [`\`oneoff ${row.args.map(shellWord).join(" ")}\``];
  if (row.config !== undefined)
    parts.push(`\`${shown(row.config.startsWith(base) ? row.config.slice(base.length) : row.config)}\` in oneoff.yaml`);
  for (const [name, text] of Object.entries(row.files ?? {})) parts.push(`\`${shown(text)}\` in ${name}`);
  for (const [name, value] of Object.entries(row.env ?? {}))
    parts.push(value === undefined ? `${name} unset` : `\`${name}=${shown(value)}\``);
  const message = shown(stderr.replace(/^oneoff: /, ""))
    .split(tempDir)
    .join("…");
  const said = message.length > LONGEST_MESSAGE ? `${message.slice(0, LONGEST_MESSAGE - 1)}…` : message;
  return `| ${row.what}: ${parts.join("; ")} | ${row.code} | \`${said}\` |`;
}

/** The table's rows as the file has them (between its header and the first line after it). */
export function tableRows(file: string): string[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.indexOf("|---|---:|---|") + 1;
  const end = lines.findIndex((line, index) => index >= start && !line.startsWith("| "));
  return lines.slice(start, end < 0 ? lines.length : end);
}

export function rewriteTable(file: string, rows: readonly string[]): void {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.indexOf("|---|---:|---|") + 1;
  const end = lines.findIndex((line, index) => index >= start && !line.startsWith("| "));
  lines.splice(start, (end < 0 ? lines.length : end) - start, ...rows);
  writeFileSync(file, lines.join("\n"));
}
