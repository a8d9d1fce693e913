import { describe, expect, it } from "vitest";
import { eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers, waitForOutput } from "./helpers.js";

expectNoLeftovers();

/**
 * Runs `script` and sends oneoff `signals` once the script says "ready": each after the first
 * once oneoff has said it forwarded the one before (so these runs are not quiet).
 */
function runAndSignal(script: string, signals: NodeJS.Signals[], extraArgs: string[] = []) {
  let containersWhileRunning: string[] = [];
  const quiet = signals.length > 1 ? [] : ["-q"];
  const result = oneoff(["run", ...quiet, ...extraArgs, "--release", IMAGE, "--", "sh", "-c", script], {
    onSpawn: (child) => {
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      void waitForOutput(child, (text) => text.includes("ready")).then(async () => {
        containersWhileRunning = oneOffContainers();
        for (const [index, signal] of signals.entries()) {
          if (index > 0) await eventually(() => (stderr.includes(`${signals[index - 1]} forwarded to the one-off`) ? true : undefined));
          child.kill(signal);
        }
      });
    },
  });
  return result.then((outcome) => ({ ...outcome, containersWhileRunning }));
}

const LOOP = "while true; do sleep 0.1; done";

describe("signals sent to oneoff reach the one-off", () => {
  it("forwards SIGINT; a command that handles it exits with its own code", async () => {
    const result = await runAndSignal(`trap 'echo got INT; exit 7' INT; echo ready; ${LOOP}`, ["SIGINT"]);
    expect(result.containersWhileRunning).toHaveLength(1);
    expect(result.stdout.toString()).toBe("ready\ngot INT\n");
    expect(result.code).toBe(7);
  });

  it("forwards SIGTERM; a command that handles it exits with its own code", async () => {
    const result = await runAndSignal(`trap 'echo got TERM; exit 0' TERM; echo ready; ${LOOP}`, ["SIGTERM"]);
    expect(result.stdout.toString()).toBe("ready\ngot TERM\n");
    expect(result.code).toBe(0);
  });

  it("kills on a second SIGINT a command that ignores the first, exits 130 and removes it", async () => {
    const result = await runAndSignal(`trap '' INT; echo ready; ${LOOP}`, ["SIGINT", "SIGINT"]);
    expect(result.code).toBe(130);
    expect(result.containersWhileRunning).toHaveLength(1);
  });

  it("kills after --stop-timeout a command that ignores SIGTERM, exits 143 and removes it", async () => {
    // LOOP never ends: a kill that never comes outlives the test's own timeout.
    const result = await runAndSignal(`trap '' TERM; echo ready; ${LOOP}`, ["SIGTERM"], ["--stop-timeout", "1"]);
    expect(result.code).toBe(143);
  });

  it("exits with the command's own 128+n when the forwarded signal kills it", async () => {
    // `sleep` as PID 1's child does not matter here: the trap re-raises INT on the shell itself.
    const result = await runAndSignal(`trap 'trap - INT; kill -INT $$' INT; echo ready; ${LOOP}`, ["SIGINT"]);
    expect(result.code).toBe(130);
  });

  it("says how to kill the one-off after forwarding SIGINT", async () => {
    let stderr = "";
    const result = await oneoff(["run", "--release", IMAGE, "--", "sh", "-c", `trap 'exit 1' INT; echo ready; ${LOOP}`], {
      onSpawn: (child) => {
        child.stderr?.on("data", (chunk) => (stderr += String(chunk)));
        void waitForOutput(child, (text) => text.includes("ready")).then(() => child.kill("SIGINT"));
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SIGINT forwarded to the one-off; press Ctrl-C again to kill it/);
  });
});
