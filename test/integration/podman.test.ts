/**
 * Podman's Docker-compatible API (`podman system service`, started by
 * test/setup/remote-engines.sh on unix:///tmp/oneoff-podman.sock, with the test image loaded):
 * a one-off through it behaves as through Docker. Podman loses the exit code of an
 * auto-removed container; oneoff waits for the code itself and then removes, so it is kept.
 *
 * oneoff runs in this process (oneoffInProcess) in every test: they read what came back through
 * Podman and the code main() returns, never oneoff's process (that the launcher passes the code
 * on is exit-codes.test.ts's to prove); no test here spawns one.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, IMAGE, waitForOutput } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

const PODMAN = {
  DOCKER_HOST: "unix:///tmp/oneoff-podman.sock",
  DOCKER_CONTEXT: undefined,
  DOCKER_TLS_VERIFY: undefined,
  ONEOFF_ENV: undefined,
};

function podmanOneOffs(): string[] {
  return execFileSync("podman", ["ps", "-a", "-q", "--filter", "label=io.oneoff.managed"], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
}

afterEach(() => {
  const left = podmanOneOffs();
  if (left.length) execFileSync("podman", ["rm", "-f", ...left], { stdio: "pipe" });
  expect(left, "one-off containers left behind on Podman").toEqual([]);
});

describe("a one-off through Podman's Docker API", () => {
  it.each([0, 1, 42])("passes exit code %i through, stdout and stderr apart, stdin to EOF, and removes the container", async (code) => {
    const result = await oneoffInProcess(
      ["run", "-q", "-i", "--release", IMAGE, "--", "sh", "-c", `echo out; echo err >&2; wc -c; exit ${code}`],
      {
        env: PODMAN,
        input: "1234",
      },
    );
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code,
      stdout: "out\n4\n",
      stderr: "err\n",
    });
  });

  it("exits 127 when the command is not in the image (Podman reports it at attach)", async () => {
    const result = await oneoffInProcess(["run", "--release", IMAGE, "--", "no-such-command"], { env: PODMAN });
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^oneoff: command "no-such-command" not found in the image \(.+\)\n$/);
  });

  it("refuses a second holder of a lock (Podman answers a taken name with 500, not 409)", async () => {
    // The second starts once the first's command runs (it holds the lock), and the first waits
    // on its stdin until the second has been refused.
    let second: ReturnType<typeof oneoffInProcess> | undefined;
    const first = oneoffInProcess(["run", "-q", "-i", "--lock", "one", "--release", IMAGE, "--", "sh", "-c", "echo holding; read done"], {
      env: PODMAN,
      holdStdin: true,
      onStart: (live) =>
        void waitForOutput(live, (text) => text.includes("holding")).then(() => {
          second = oneoffInProcess(["run", "--lock", "one", "--release", IMAGE, "--", "true"], { env: PODMAN }).finally(() =>
            live.stdin.end("done\n"),
          );
        }),
    });
    const refused = await await eventually(() => second);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^oneoff: lock one is held by /);
    expect((await first).code).toBe(0);
  });
});
