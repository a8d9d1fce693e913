/**
 * Podman's Docker-compatible API (`podman system service`, started by
 * test/setup/remote-engines.sh on unix:///tmp/oneoff-podman.sock, with the test image loaded):
 * a one-off through it behaves as through Docker. Podman loses the exit code of an
 * auto-removed container; oneoff waits for the code itself and then removes, so it is kept.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, IMAGE, oneoff, waitForOutput } from "./helpers.js";

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
    const result = await oneoff(["run", "-q", "-i", "--release", IMAGE, "--", "sh", "-c", `echo out; echo err >&2; wc -c; exit ${code}`], {
      env: PODMAN,
      input: "1234",
    });
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code,
      stdout: "out\n4\n",
      stderr: "err\n",
    });
  });

  it("exits 127 when the command is not in the image (Podman reports it at attach)", async () => {
    const result = await oneoff(["run", "--release", IMAGE, "--", "no-such-command"], { env: PODMAN });
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^oneoff: command "no-such-command" not found in the image \(.+\)\n$/);
  });

  it("refuses a second holder of a lock (Podman answers a taken name with 500, not 409)", async () => {
    // The second starts once the first's command runs (it holds the lock), and the first waits
    // on its stdin until the second has been refused.
    let second: Promise<Awaited<ReturnType<typeof oneoff>>> | undefined;
    const first = oneoff(["run", "-q", "-i", "--lock", "one", "--release", IMAGE, "--", "sh", "-c", "echo holding; read done"], {
      env: PODMAN,
      holdStdin: true,
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("holding")).then(() => {
          second = oneoff(["run", "--lock", "one", "--release", IMAGE, "--", "true"], { env: PODMAN }).finally(() =>
            child.stdin?.end("done\n"),
          );
        }),
    });
    const refused = await await eventually(() => second);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^oneoff: lock one is held by /);
    expect((await first).code).toBe(0);
  });
});
