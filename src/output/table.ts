import { escapeControls } from "./escape-controls.js";

/**
 * Plain aligned columns, as docker ps prints them. Cells hold label values and log entries
 * that others wrote, so each is escaped: a command with a newline stays on its row. Pure.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const shown = rows.map((row) => row.map(escapeControls));
  const widths = headers.map((header, column) => Math.max(header.length, ...shown.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
      .join("   ")
      .trimEnd();
  return [line(headers), ...shown.map(line)].join("\n") + "\n";
}

/** "3s ago", "5m ago", "2h ago", "3d ago". */
export function ago(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}
