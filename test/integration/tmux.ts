/**
 * A real terminal for interactive tests: a detached tmux session whose screen we read with
 * capture-pane and type into with send-keys, as a person at a terminal would.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export class TerminalSession {
  readonly name = `oneoff-test-${randomBytes(4).toString("hex")}`;

  constructor(command: string, size: { columns: number; rows: number } = { columns: 120, rows: 40 }) {
    // -f /dev/null: no user config; status off: the pane is the whole window.
    this.tmux("-f", "/dev/null", "new-session", "-d", "-s", this.name, "-x", String(size.columns), "-y", String(size.rows), command);
    this.tmux("set-option", "-t", this.name, "status", "off");
  }

  /** Types text; `keys` like "Enter" or "C-c" are tmux key names. */
  type(text: string): void {
    this.tmux("send-keys", "-t", this.name, "-l", text);
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", this.name, ...keys);
  }

  resize(columns: number, rows: number): void {
    this.tmux("resize-window", "-t", this.name, "-x", String(columns), "-y", String(rows));
  }

  /** The PID of the process the session runs (its pane's). */
  panePid(): number {
    return Number(this.tmux("display-message", "-p", "-t", this.name, "#{pane_pid}"));
  }

  /** The screen's text; `colours`: with the escapes of its colours and attributes (capture-pane -e). */
  screen(colours = false): string {
    return this.tmux("capture-pane", "-p", "-J", ...(colours ? ["-e"] : []), "-t", this.name);
  }

  /** Waits until the screen satisfies `predicate`, and returns it. */
  async waitFor(predicate: (screen: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (predicate(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`terminal did not show what was expected; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
  }

  /**
   * A tmux server of its own (-L, its socket named after the session): files running side by
   * side each start and end sessions, and a session created just as the shared server exited
   * with another file's last one failed ("server exited unexpectedly").
   */
  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.name, ...args], { encoding: "utf8" });
  }
}
