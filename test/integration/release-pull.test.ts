import { describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { BIN, docker, expectNoLeftovers, IMAGE, imageId, REGISTRY } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";
import { TerminalSession } from "./tmux.js";

expectNoLeftovers();

// oneoff runs in this process (oneoffInProcess): what a pull does and says is under test, not
// oneoff's process; the progress on a terminal runs it in a tmux pane.

const PULLME = `${REGISTRY}/oneoff-test/pullme:v1`;

function removeLocalTag(reference: string): void {
  try {
    docker("image", "rm", reference);
  } catch {
    // not present: nothing to remove
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("release resolution against the loopback registry", () => {
  it("pulls a release that is not present, then runs it from the pulled image ID", async () => {
    removeLocalTag(PULLME);
    const result = await oneoffInProcess(["run", "--release", PULLME, "--", "echo", "pulled and ran"]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("pulled and ran\n");
    // Without a terminal: a line as it starts, one every 5 s while it goes (a pull this small
    // ends sooner), and one at the end with the layers and bytes it fetched.
    expect(result.stderr).toMatch(
      new RegExp(
        `^oneoff: pulling ${escape(PULLME)}\\noneoff: pulled ${escape(PULLME)}: (\\d+)/\\1 layers(, [\\d.]+ MiB of [\\d.]+ MiB)? in [\\d.]+s\\n$`,
      ),
    );
    expect(imageId(PULLME)).toMatch(/^sha256:/);
    removeLocalTag(PULLME);
  });

  it("runs a release given as repo@sha256:digest", async () => {
    removeLocalTag(PULLME);
    await oneoffInProcess(["run", "-q", "--release", PULLME, "--", "true"]);
    const digest = docker("image", "inspect", "-f", "{{index .RepoDigests 0}}", PULLME);
    try {
      expect(digest).toMatch(/@sha256:[0-9a-f]{64}$/);
      const result = await oneoffInProcess(["run", "-q", "--release", digest, "--", "echo", "by digest"]);
      expect(result.code).toBe(0);
      expect(result.stdout.toString()).toBe("by digest\n");
    } finally {
      // The digest's reference too: should dry-run's test have removed the tag meanwhile, the
      // run above pulled by digest, which makes a reference of its own that outlives the tag.
      // Left behind, it gives the test image a registry digest, and the multi-node tests' jobs,
      // pinned to it, cannot be pulled on the other node (it has no route to this registry).
      removeLocalTag(PULLME);
      removeLocalTag(digest);
    }
  });

  it("with --pull always, pulls even when a tag of that name is present, and runs what the registry has", async () => {
    removeLocalTag(PULLME);
    await oneoffInProcess(["run", "-q", "--release", PULLME, "--", "true"]);
    const inRegistry = imageId(PULLME);
    // A stale local copy under the same tag.
    execFileSync("docker", ["build", "-q", "-t", PULLME, "-"], {
      input: `FROM ${IMAGE}\nLABEL stale=yes\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    const stale = imageId(PULLME);
    expect(stale).not.toBe(inRegistry);
    try {
      const missing = documentOf<{ imageId: string }>(
        "run",
        (await oneoffInProcess(["run", "--json", "--release", PULLME, "--", "true"])).stdout,
      );
      expect(missing.imageId).toBe(stale);
      const always = await oneoffInProcess(["run", "--json", "--pull", "always", "--release", PULLME, "--", "true"]);
      expect(always.stderr).toContain(`oneoff: pulling ${PULLME}\n`);
      expect(documentOf<{ imageId: string }>("run", always.stdout).imageId).toBe(inRegistry);
      expect(imageId(PULLME)).toBe(inRegistry);
    } finally {
      removeLocalTag(PULLME);
      try {
        docker("image", "rm", stale);
      } catch {
        // already gone with its tag
      }
    }
  });

  it("with --pull never, refuses a release that is not present instead of pulling it", async () => {
    removeLocalTag(PULLME);
    const result = await oneoffInProcess(["run", "--pull", "never", "--release", PULLME, "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^oneoff: image .*pullme:v1 is not present on the engine at .* \(.+--pull missing\)$/),
    ]);
    expect(() => imageId(PULLME)).toThrow();
  });

  it("exits 125 with one line when the tag does not exist in the registry", async () => {
    const result = await oneoffInProcess(["run", "--release", `${REGISTRY}/oneoff-test/pullme:no-such-tag`, "--", "true"]);
    expect(result.code).toBe(125);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[lines.length - 1]).toMatch(/^oneoff: pull .*no-such-tag: .*\(check the image name and tag/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 125 when the registry cannot be reached", async () => {
    const result = await oneoffInProcess(["run", "-q", "--release", "127.0.0.1:5999/nothing/here:v1", "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(
      /^oneoff: pull 127\.0\.0\.1:5999\/nothing\/here:v1: .*connection refused.* \(check that the registry is up and reachable from the engine\)\n$/,
    );
  });

  it("accepts a short image ID", async () => {
    const short = imageId(IMAGE).slice("sha256:".length, "sha256:".length + 12);
    const result = await oneoffInProcess(["run", "-q", "--release", short, "--", "echo", "short id"]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("short id\n");
  });

  it("refuses to pull an image ID that is not present", async () => {
    const result = await oneoffInProcess(["run", "--release", `sha256:${"0".repeat(64)}`, "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/image IDs cannot be pulled/);
  });
});

describe("pull progress", () => {
  it("on a terminal, draws a line per layer in place as docker pull does, and leaves them above the command's output", async () => {
    // A layer of its own (3 MB of random bytes) that this engine has never had, pushed and
    // dropped, so the pull fetches it: a pull of layers the engine has says nothing per layer.
    // --no-cache: a cached build would give the same image as an earlier run's, which another
    // tag (an earlier run that failed mid-pull) may still hold here.
    const fresh = `${REGISTRY}/oneoff-test/layers:t${process.pid}-${Date.now().toString(36)}`;
    execFileSync("docker", ["build", "--no-cache", "-q", "-t", fresh, "-"], {
      input: `FROM ${IMAGE}\nRUN head -c 3000000 /dev/urandom > /blob\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
      stdio: ["pipe", "ignore", "ignore"],
    });
    docker("push", fresh);
    removeLocalTag(fresh);
    // -T: no terminal session (a run at a terminal is one by default), so the command's output
    // lands on the screen after the pull's lines.
    const terminal = new TerminalSession(
      `bash --norc --noprofile -c '${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run -T --release ${fresh} -- echo after-pull; echo "exit=$?"; sleep 600'`,
    );
    try {
      const screen = await terminal.waitFor((text) => /^exit=\d+$/m.test(text));
      expect(screen).toMatch(/^exit=0$/m);
      const lines = screen.split("\n").filter((line) => line.trim() !== "");
      const pulled = lines.findIndex((line) => line.startsWith(`pulled ${fresh}: `));
      // The base image's layer was there already; the new one was fetched (2.9 MiB).
      const [, done, all] = /: (\d+)\/(\d+) layers, 2\.9 MiB of 2\.9 MiB in [\d.]+s$/.exec(lines[pulled] ?? "") ?? [];
      expect(Number(all)).toBeGreaterThanOrEqual(2);
      expect(done).toBe(all);
      // One line per layer, each at its last status, then the command's output: the block
      // was redrawn in place (no line of an earlier drawing is left on screen).
      const layers = lines.slice(pulled + 1, pulled + 1 + Number(all));
      for (const line of layers) expect(line).toMatch(/^[0-9a-f]{12}: (Pull complete|Already exists)$/);
      expect(layers.filter((line) => line.endsWith("Pull complete"))).toHaveLength(1);
      expect(lines.slice(pulled + 1 + Number(all))).toEqual(["after-pull", "exit=0"]);
      expect(lines.slice(0, pulled)).toEqual([`oneoff: pulling ${fresh}`]);
    } finally {
      terminal.close();
      removeLocalTag(fresh);
    }
  });
});

describe("no registry is asked when none should be", () => {
  function app(yaml: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-airgap-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), yaml);
    return dir;
  }

  /** A "registry" on a loopback port that answers nothing and counts who connects to it. */
  async function watchedRegistry(): Promise<{ address: string; connections: () => number; close: () => Promise<void> }> {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      connections: () => connections,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it("with pull: never, oneoff check and --dry-run do not ask the registry about a missing release", async () => {
    const registry = await watchedRegistry();
    try {
      const dir = app(`app: airgap\nimage: ${registry.address}/oneoff-test/absent\nrelease: v1\npull: never\n`);
      const check = await oneoffInProcess(["check", "--", "true"], { cwd: dir });
      expect(check.code).toBe(125);
      expect(check.stderr).toMatch(/^oneoff: check release: .*absent:v1 is not present, and pull is never: a run would not pull it \(/m);
      const dryRun = await oneoffInProcess(["run", "--dry-run", "--", "true"], { cwd: dir });
      expect(dryRun.code).toBe(0);
      const document = JSON.parse(dryRun.stdout.toString()) as { image: { unresolved?: string } };
      expect(document.image.unresolved).toMatch(/not on the engine, and pull is never/);
      expect(registry.connections()).toBe(0);
    } finally {
      await registry.close();
    }
  });

  it("release: without image: is a config error naming its line, not a lookup of a name on Docker Hub", async () => {
    // pull: never keeps the code before this fix from reaching Docker Hub too.
    const result = await oneoffInProcess(["run", "--", "true"], { cwd: app("app: tagonly\nrelease: v1\npull: never\n") });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: oneoff\.yaml:2:1: release: "v1" is a tag of image:, which is missing \(add image: .*\)\n$/);
  });
});
