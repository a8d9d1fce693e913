/**
 * Promise: nothing outlives a batch of one-offs whose oneoff processes die in every way at
 * once. 30 run side by side; when all 30 containers run, a third of the oneoff processes get
 * SIGKILL (their watchdogs remove the containers), a third SIGTERM (forwarded; the command
 * exits and oneoff removes it), and a third end by themselves. Afterwards no container of the
 * batch is left, and no watchdog process of it (found by a token in their environment). How
 * fast that happens is measured in npm run bench (the chaos row); here it only has to happen.
 * The batch runs in a PID namespace of the file's own: the reaps of the files running beside
 * this one see owners they cannot judge and leave the batch alone, so what removes the SIGKILLed
 * runs' containers is their own watchdogs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, docker, eventually, expectNoLeftovers, IMAGE, processesWithEnvironment, ROOT } from "../integration/helpers.js";
import { PrivatePidNamespace } from "./private-pid-namespace.js";

expectNoLeftovers();

let space: PrivatePidNamespace;
beforeAll(async () => {
  space = await PrivatePidNamespace.open();
});
afterAll(() => space?.close());

const BATCH = 30;
/** A deadline for "never", far above the seconds it takes. */
const GONE_WITHIN_MS = 60_000;

describe("a batch of one-offs whose oneoff processes are killed", () => {
  it("leaves no container and no watchdog when a third get SIGKILL, a third SIGTERM and a third end", async () => {
    const token = `ONEOFF_CHAOS_TEST=${randomBytes(6).toString("hex")}`;
    const label = `oneoff.test.chaos=${token.split("=")[1]}`;
    const [key, value] = token.split("=") as [string, string];
    // The two thirds to be killed carry a second label: the kills come once all of them run
    // (the third that ends by itself may be done before the last of the batch starts).
    const longLabel = `oneoff.test.chaos-long=${token.split("=")[1]}`;
    const children: Array<{ child: ChildProcess; ended: Promise<number | null> }> = [];
    for (let i = 0; i < BATCH; i++) {
      // The third left alone ends by itself after a few seconds; the others would run a
      // minute. A trap makes the shell (PID 1, which ignores an unhandled SIGTERM) end on one.
      const long = i % 3 !== 2;
      const labels = ["--label", label, ...(long ? ["--label", longLabel] : [])];
      const script = `trap 'exit 143' TERM; sleep ${long ? 60 : 4} & wait`;
      const [enter, ...entering] = space.enter as [string, ...string[]];
      const child = spawn(
        enter,
        [...entering, process.execPath, "--", BIN, "run", "-q", ...labels, "--release", IMAGE, "--", "sh", "-c", script],
        {
          cwd: ROOT,
          env: { ...process.env, [key]: value },
          stdio: ["ignore", "ignore", "ignore"],
        },
      );
      children.push({ child, ended: new Promise((resolve) => child.once("exit", (code) => resolve(code))) });
    }
    try {
      const running = () => docker("ps", "-q", "--filter", `label=${longLabel}`, "--filter", "status=running").split("\n").filter(Boolean);
      await eventually(() => (running().length === BATCH - BATCH / 3 ? true : undefined), GONE_WITHIN_MS);
      // The signals go to each oneoff process, nsenter's child; nsenter ends as it ends.
      children.forEach(({ child }, i) => {
        if (i % 3 === 0) process.kill(space.childOf(child), "SIGKILL");
        if (i % 3 === 1) process.kill(space.childOf(child), "SIGTERM");
      });
      const codes = await Promise.all(children.map(({ ended }) => ended));
      // SIGTERM forwarded: the command's 143 is oneoff's exit code; the rest ended with 0.
      expect(codes.filter((code) => code === 143)).toHaveLength(BATCH / 3);
      expect(codes.filter((code) => code === 0)).toHaveLength(BATCH / 3);
      await eventually(() => (docker("ps", "-aq", "--filter", `label=${label}`) === "" ? true : undefined), GONE_WITHIN_MS);
      await eventually(() => (processesWithEnvironment(token).length === 0 ? true : undefined), GONE_WITHIN_MS);
    } finally {
      // A failure above must not leave the batch running beside the next test file: its
      // watchdogs remove what SIGKILL leaves.
      for (const { child } of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        try {
          process.kill(space.childOf(child), "SIGKILL");
        } catch {
          child.kill("SIGKILL"); // its oneoff not started yet, or already gone
        }
      }
    }
  }, 180_000);
});
