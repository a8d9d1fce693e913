/**
 * Promise: when the engine goes away mid-run (killed, or unreachable), oneoff says so in one
 * line, exits 125, and the one-off is removed once the engine is back (by the watchdog).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers, ROOT, waitForOutput } from "../integration/helpers.js";

expectNoLeftovers();

const SETUP_ENGINE = path.join(ROOT, "test/setup/engine.sh");

/** A unix socket that forwards to the engine, and can be cut and restored, like a network. */
function engineLink() {
  const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-link-")), "docker.sock");
  let server: net.Server | undefined;
  const open = new Set<net.Socket>();
  const up = () =>
    new Promise<void>((resolve) => {
      server = net.createServer({ allowHalfOpen: true }, (client) => {
        const upstream = net.connect({ path: "/var/run/docker.sock", allowHalfOpen: true });
        open.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      server.listen(socketPath, resolve);
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      open.clear();
      server?.close(() => resolve());
    });
  return { socketPath, up, down };
}

describe("engine faults", () => {
  it("engine unreachable mid-run (its socket cut): one line, exit 125, one-off removed when it is reachable again", async () => {
    const link = engineLink();
    await link.up();
    const result = await oneoff(["run", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 30"], {
      env: { DOCKER_HOST: `unix://${link.socketPath}` },
      onSpawn: (child) => void waitForOutput(child, (text) => text.includes("ready")).then(() => link.down()),
    });
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^oneoff: cannot reach the Docker engine at unix:\/\/\S+: (connection reset|connection closed|no engine socket there|connection refused) \(.*the watchdog removes one-off \S+ \([0-9a-f]{12}\) once it answers\)$/,
      ),
    ]);
    // Still running on the engine, out of oneoff's reach...
    expect(oneOffContainers()).toHaveLength(1);
    await link.up();
    // ...until the link is back: the watchdog retries (backing off to 5 s) and removes it.
    await eventually(() => (oneOffContainers().length === 0 ? true : undefined), 20_000);
    await link.down();
  });

  it("engine killed mid-run (SIGKILL of dockerd): one line, exit 125, one-off removed after the engine restarts", async () => {
    const result = await oneoff(["run", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 30"], {
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("ready")).then(() => execFileSync("pkill", ["-KILL", "-x", "dockerd"])),
    });
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^oneoff: cannot reach the Docker engine at .*the watchdog removes one-off \S+ \([0-9a-f]{12}\) once it answers\)$/,
      ),
    ]);
    // Bring the engine back as CI does; the watchdog retries for 2 minutes.
    await eventually(() => {
      try {
        execFileSync("pgrep", ["-x", "dockerd"]);
        return undefined;
      } catch {
        return true;
      }
    }, 20_000);
    execFileSync("bash", [SETUP_ENGINE], { stdio: "ignore", timeout: 90_000 });
    await eventually(() => (oneOffContainers().length === 0 ? true : undefined), 30_000);
  }, 180_000);
});
