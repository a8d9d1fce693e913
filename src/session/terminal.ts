/**
 * The local terminal during a TTY session: raw mode (so Ctrl-C, Ctrl-Z and Ctrl-\ travel as
 * bytes to the container's TTY instead of signalling oneoff), always restored; and the
 * window size, given to the container at start and on every resize.
 */
import type { Readable, Writable } from "node:stream";
import type { TerminalSize } from "../engine/types.js";

type TerminalInput = Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (mode: boolean) => unknown };
type TerminalOutput = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/**
 * Puts `stdin` in raw mode when it is a terminal. The returned function restores it and is
 * safe to call more than once; a process 'exit' hook restores it too, should a path forget.
 */
export function enterRawMode(stdin: TerminalInput): () => void {
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function" || stdin.isRaw) return () => {};
  stdin.setRawMode(true);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off("exit", restore);
    stdin.setRawMode?.(false);
  };
  process.on("exit", restore);
  return restore;
}

/** The local window size, from whichever of the outputs is a terminal. */
function terminalSize(...outputs: TerminalOutput[]): TerminalSize | undefined {
  const terminal = outputs.find((output) => output.isTTY && output.columns && output.rows);
  return terminal ? { rows: terminal.rows as number, columns: terminal.columns as number } : undefined;
}

/**
 * Sends the local size now (retrying: right after start the container's TTY may not take it
 * yet, as docker's CLI also found) and after each SIGWINCH. Returns a function that stops.
 */
export function followWindowSize(outputs: TerminalOutput[], resize: (size: TerminalSize) => Promise<void>): () => void {
  let stopped = false;
  const send = async (attempts: number) => {
    const size = terminalSize(...outputs);
    if (!size) return;
    for (let attempt = 1; attempt <= attempts && !stopped; attempt++) {
      try {
        await resize(size);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  };
  const onResize = () => void send(1);
  const terminal = outputs.find((output) => output.isTTY);
  void send(5);
  terminal?.on("resize", onResize);
  return () => {
    stopped = true;
    terminal?.off("resize", onResize);
  };
}
