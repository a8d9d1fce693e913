/**
 * Ctrl-C at a terminal session reaches the one-off's terminal, where a PID 1 that ignores
 * SIGINT never ends: three within two seconds stop it (SIGTERM, then SIGKILL after the stop
 * timeout), and one more kills it now.
 */
import { describe, expect, it } from "vitest";
import { keysForHumans, TypedInterrupts } from "../../src/session/stdin.js";
import { StopControl } from "../../src/session/stop-control.js";
import type { Reporter } from "../../src/output/reporter.js";

const ctrlC = Buffer.from([0x03]);

function counter(start = 0) {
  let now = start;
  let calls = 0;
  const watch = new TypedInterrupts(
    () => calls++,
    2_000,
    () => now,
  );
  return {
    type: (chunk: Buffer, at: number) => {
      now = at;
      watch.typed(chunk);
    },
    calls: () => calls,
  };
}

describe("TypedInterrupts", () => {
  it("fires on the third Ctrl-C within two seconds, and on every one after", () => {
    const typed = counter();
    typed.type(ctrlC, 0);
    typed.type(Buffer.from("ls\r"), 100);
    typed.type(ctrlC, 500);
    expect(typed.calls()).toBe(0);
    typed.type(ctrlC, 1_900);
    expect(typed.calls()).toBe(1);
    typed.type(Buffer.from("x"), 5_000);
    expect(typed.calls()).toBe(1);
    typed.type(ctrlC, 60_000);
    expect(typed.calls()).toBe(2);
  });

  it("does not fire for Ctrl-C's spread wider than the window", () => {
    const typed = counter();
    typed.type(ctrlC, 0);
    typed.type(ctrlC, 1_500);
    typed.type(ctrlC, 2_100);
    typed.type(ctrlC, 3_700);
    expect(typed.calls()).toBe(0);
    typed.type(ctrlC, 3_900);
    expect(typed.calls()).toBe(1);
  });

  it("counts several in one read (a key held down)", () => {
    const typed = counter();
    typed.type(Buffer.from([0x61, 0x03, 0x03, 0x62, 0x03]), 0);
    expect(typed.calls()).toBe(1);
  });
});

describe("StopControl.stopAsTyped", () => {
  function control(stopTimeoutSeconds = 30) {
    const sent: string[] = [];
    const said: string[] = [];
    const report = { info: (line: string) => said.push(line), warn: (line: string) => said.push(line) } as unknown as Reporter;
    const stop = new StopControl(
      { kill: async (_id: string, signal: string) => void sent.push(signal) } as never,
      stopTimeoutSeconds,
      report,
    );
    return { stop, sent, said };
  }

  it("sends SIGTERM, says so and what comes next; Ctrl-C again kills; oneoff exits 130", () => {
    const { stop, sent, said } = control();
    stop.started("c0ffee");
    stop.stopAsTyped();
    expect(sent).toEqual(["SIGTERM"]);
    expect(said).toEqual(["Ctrl-C three times: stopping the one-off (SIGTERM, then SIGKILL after 30s; Ctrl-C again kills it now)"]);
    stop.stopAsTyped();
    expect(sent).toEqual(["SIGTERM", "SIGKILL"]);
    expect(stop.exitCode(137)).toBe(130);
    expect(stop.interruptedBy).toBe("SIGINT");
    stop.dispose();
  });

  it("kills after the stop timeout when SIGTERM is ignored", async () => {
    const { stop, sent } = control(0.05);
    stop.started("c0ffee");
    stop.stopAsTyped();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toEqual(["SIGTERM", "SIGKILL"]);
    stop.dispose();
  });

  it("does nothing before the one-off has started", () => {
    const { stop, sent } = control();
    stop.stopAsTyped();
    expect(sent).toEqual([]);
  });
});

describe("keysForHumans", () => {
  it("writes docker's notation as keys are named", () => {
    expect(keysForHumans("ctrl-p,ctrl-q")).toBe("Ctrl-P Ctrl-Q");
    expect(keysForHumans("ctrl-x,x")).toBe("Ctrl-X x");
  });
});
