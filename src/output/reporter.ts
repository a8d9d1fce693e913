/**
 * Everything oneoff itself says goes to stderr; stdout belongs to the command (or to a
 * machine-readable document such as --dry-run's). Messages carry names and values a container
 * or the engine chose, so each is escaped here, once, on its way out (escape-controls.ts).
 */
import type { Writable } from "node:stream";
import { escapeControls } from "./escape-controls.js";
import { redactSecretValues } from "./redact.js";

export interface Reporter {
  /** Progress and status; silenced by --quiet. */
  info(message: string): void;
  /** Problems the user must see even with --quiet. */
  warn(message: string): void;
  /** Whether stderr is a terminal (progress bars, colours). */
  readonly interactive: boolean;
  /**
   * On a terminal, draws status lines in place of the ones drawn last (a pull's line per
   * layer); nothing otherwise.
   */
  status(message: string | readonly string[]): void;
  /** Takes the status lines away, or with `keep` leaves them on screen as they are. */
  endStatus(options?: { keep?: boolean }): void;
}

export function streamReporter(stderr: Writable & { isTTY?: boolean }, options: { quiet: boolean }): Reporter {
  const interactive = stderr.isTTY === true;
  // How many lines the status block has on screen; the cursor is at the end of its last.
  let shown = 0;
  const toBlockStart = () => `\r${shown > 1 ? `\x1b[${shown - 1}A` : ""}`;
  const clearStatus = () => {
    // Back to the block's first line, and erase from there to the end of the screen.
    if (shown > 0) stderr.write(`${toBlockStart()}\x1b[0J`);
    shown = 0;
  };
  return {
    interactive,
    info(message) {
      if (options.quiet) return;
      clearStatus();
      stderr.write(oneoffLine(message));
    },
    warn(message) {
      clearStatus();
      stderr.write(oneoffLine(message));
    },
    status(message) {
      if (!interactive || options.quiet) return;
      const terminal = stderr as { columns?: number; rows?: number };
      // A pseudo-terminal without a size reports 0 columns and rows.
      const lines = statusBlock(typeof message === "string" ? [message] : message, terminal.columns || 80, terminal.rows || 24);
      stderr.write(`${shown > 0 ? toBlockStart() : ""}${lines.map((line) => `\x1b[2K${line}`).join("\n")}\x1b[0J`);
      shown = lines.length;
    },
    endStatus(options) {
      if (options?.keep && shown > 0) {
        stderr.write("\n");
        shown = 0;
      } else clearStatus();
    },
  };
}

/** A message as oneoff prints it: secrets masked (before escaping, so they still match), then controls shown, on one line. */
export function oneoffLine(message: string): string {
  return `oneoff: ${escapeControls(redactSecretValues(message))}\n`;
}

/**
 * The lines as a terminal of that size can redraw them: each escaped, then cut to the width (a
 * wrapped line, or a newline the engine sent, would throw the cursor arithmetic off) and, when
 * there are more lines than fit, the first and the last ones with a count of those left out
 * between (the cursor cannot move above the screen's top).
 */
export function statusBlock(lines: readonly string[], columns: number, rows: number): string[] {
  const width = Math.max(10, columns - 1);
  const room = Math.max(3, rows - 1);
  const fitted =
    lines.length <= room ? lines : [lines[0] ?? "", `... ${lines.length - room + 1} more`, ...lines.slice(lines.length - (room - 2))];
  return fitted.map((line) => escapeControls(line).slice(0, width));
}

export const silentReporter: Reporter = { interactive: false, info() {}, warn() {}, status() {}, endStatus() {} };
