/**
 * Integration tests need a real engine and the locally built test images. When either is
 * missing the whole suite fails here, loudly; it never skips (CI must not go green without
 * having run them). `npm test` runs test/setup/all.sh first, which provides both.
 *
 * They also need the engine to themselves: every test checks that no oneoff container is
 * left on the engine, so two runs at once (two worktrees, a benchmark) would fail each other.
 * Setup therefore holds an exclusive lock for the whole run: a `flock` child that keeps it
 * until its stdin closes, which also happens when this process dies.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { TestProject } from "vitest/node";
import { provideForRun } from "../setup/provide.js";

const ENGINE_LOCK = "/tmp/oneoff-integration-engine.lock";
let lockHolder: ChildProcess | undefined;

async function holdEngineLock(): Promise<void> {
  lockHolder = spawn("flock", ["-w", "1800", ENGINE_LOCK, "sh", "-c", "echo locked; exec cat >/dev/null"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = setTimeout(
    () => process.stderr.write(`integration tests: waiting for ${ENGINE_LOCK} (another run uses the engine)\n`),
    2000,
  );
  const [line] = (await Promise.race([once(lockHolder.stdout!, "data"), once(lockHolder, "exit")])) as [Buffer | number];
  clearTimeout(waiting);
  if (!Buffer.isBuffer(line) || !line.toString().startsWith("locked")) throw new Error(`integration tests: could not take ${ENGINE_LOCK}`);
}

export default async function setup(project: TestProject): Promise<() => void> {
  await provideForRun(project); // the setup steps the run's files need (test/setup/needs.ts)
  try {
    execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", "oneoff-test/busybox:latest"], { stdio: "pipe", timeout: 15_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error).trim();
    throw new Error(`integration tests need a Docker engine with the test images (${stderr}); run: bash test/setup/all.sh`);
  }
  await holdEngineLock();
  return () => {
    lockHolder?.stdin?.end();
  };
}
