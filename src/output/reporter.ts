/**
 * Everything oneoff itself says goes to stderr; stdout belongs to the command (or to a
 * machine-readable document such as --dry-run's).
 */
import type { Writable } from "node:stream";
import { redactSecretValues } from "./redact.js";

export interface Reporter {
  /** Progress and status; silenced by --quiet. */
  info(message: string): void;
  /** Problems the user must see even with --quiet. */
  warn(message: string): void;
  /** Whether stderr is a terminal (progress bars, colours). */
  readonly interactive: boolean;
  /** Rewrites a single status line on a terminal; nothing otherwise. */
  status(message: string): void;
  endStatus(): void;
}

export function streamReporter(stderr: Writable & { isTTY?: boolean }, options: { quiet: boolean }): Reporter {
  const interactive = stderr.isTTY === true;
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) stderr.write("\r\x1b[2K");
    statusShown = false;
  };
  return {
    interactive,
    info(message) {
      if (options.quiet) return;
      clearStatus();
      stderr.write(`oneoff: ${redactSecretValues(message)}\n`);
    },
    warn(message) {
      clearStatus();
      stderr.write(`oneoff: ${redactSecretValues(message)}\n`);
    },
    status(message) {
      if (!interactive || options.quiet) return;
      // A pseudo-terminal without a size reports 0 columns.
      const width = (stderr as { columns?: number }).columns || 80;
      stderr.write(`\r\x1b[2K${message.slice(0, Math.max(10, width - 1))}`);
      statusShown = true;
    },
    endStatus: clearStatus,
  };
}

export const silentReporter: Reporter = { interactive: false, info() {}, warn() {}, status() {}, endStatus() {} };
