/**
 * Integration tests need a real engine and the locally built test images. When either is
 * missing the whole suite fails here, loudly; it never skips (CI must not go green without
 * having run them). `npm test` runs test/setup/all.sh first, which provides both.
 *
 * One run of the suite uses the engine at a time. Within a run, files count only their own
 * one-offs (helpers.ts' run label), but the serial files (vitest.config.ts) kill dockerd,
 * change the Swarm's nodes and expect exact lists of orphans, so two runs at once (two
 * worktrees) would fail each other; a benchmark's one-offs carry their own label and may run
 * beside. Setup therefore holds an exclusive lock for the whole run: a `flock` child that
 * keeps it until its stdin closes, which also happens when this process dies.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { TestProject } from "vitest/node";
import { provideForRun } from "../setup/provide.js";

const ENGINE_LOCK = "/tmp/oneoff-integration-engine.lock";
async function holdEngineLock(): Promise<ChildProcess> {
  const lockHolder = spawn("flock", ["-w", "1800", ENGINE_LOCK, "sh", "-c", "echo locked; exec cat >/dev/null"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = setTimeout(
    () => process.stderr.write(`integration tests: waiting for ${ENGINE_LOCK} (another run uses the engine)\n`),
    2000,
  );
  const [line] = (await Promise.race([once(lockHolder.stdout!, "data"), once(lockHolder, "exit")])) as [Buffer | number];
  clearTimeout(waiting);
  if (!Buffer.isBuffer(line) || !line.toString().startsWith("locked")) throw new Error(`integration tests: could not take ${ENGINE_LOCK}`);
  return lockHolder;
}

export default async function setup(project: TestProject): Promise<() => void> {
  await provideForRun(project); // the setup steps the run's files need (test/setup/needs.ts)
  try {
    execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", "oneoff-test/busybox:latest"], { stdio: "pipe", timeout: 15_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error).trim();
    throw new Error(`integration tests need a Docker engine with the test images (${stderr}); run: bash test/setup/all.sh`);
  }
  // Both integration projects (parallel and serial) name this setup, and vitest runs it for
  // each in this one process: the lock is taken once and let go when the last one is done.
  // (It may be loaded once per project, so the count and the holder live on globalThis.)
  const shared = globalThis as { oneoffEngineLock?: { users: number; holder: Promise<ChildProcess> } };
  const lock = (shared.oneoffEngineLock ??= { users: 0, holder: holdEngineLock() });
  lock.users += 1;
  const holder = await lock.holder;
  return () => {
    lock.users -= 1;
    if (lock.users > 0) return;
    // Run records the files' runs wrote and did not remove (a file that stopped early): they
    // carry the test run label key (helpers.ts), which no one else's records do.
    try {
      const records = execFileSync(
        "docker",
        ["volume", "ls", "-q", "--filter", "label=io.oneoff.record", "--filter", "label=oneoff.test-run"],
        {
          encoding: "utf8",
          timeout: 30_000,
        },
      )
        .split("\n")
        .filter(Boolean);
      if (records.length) execFileSync("docker", ["volume", "rm", "-f", ...records], { stdio: "pipe", timeout: 60_000 });
    } catch {
      // the engine is gone: nothing to clean
    }
    holder.stdin?.end();
    delete shared.oneoffEngineLock;
  };
}
