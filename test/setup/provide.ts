/**
 * Provides what the engine-tier files of a vitest run need (test/setup/needs.ts) by running
 * those setup steps, in all.sh's order, before any of the files runs: `npx vitest run
 * test/integration/streams.test.ts` gets the engine and the test images and nothing else. Each
 * step is a no-op when what it provides is there and valid, and takes a lock of its own, so two
 * runs at once do not race. A step that fails fails the run: the files would fail anyway, and a
 * run that skips them would look green.
 *
 * Called from the integration tier's global setup, before it takes the engine lock (swarm.sh
 * takes that lock itself when it must make the swarm anew).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { STEPS, stepsFor, type StepName } from "./needs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** One provision per vitest process, shared by every project whose global setup asks. */
const PROVIDED = Symbol.for("oneoff.test.setup-provided");

export function provideForRun(project: TestProject): Promise<void> {
  const shared = globalThis as { [PROVIDED]?: Promise<void> };
  return (shared[PROVIDED] ??= provide(project));
}

async function provide(project: TestProject): Promise<void> {
  const files = await selectedFiles(project);
  const steps = stepsFor(files);
  const started = performance.now();
  await runSteps(steps);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`setup for ${files.length} file(s): ${steps.join(", ")} (${seconds} s)\n`);
}

/**
 * The run's files (vitest 4 records them in its state before it runs global setups) that belong
 * to a project with this global setup, as paths from the repository. Were that record empty,
 * every file of those projects: more setup than needed, never less.
 */
async function selectedFiles(project: TestProject): Promise<string[]> {
  // Every project whose global setups include one of the caller's (global-setup.ts, which calls
  // this), so that the first to call provides for them all: swarm.sh would otherwise wait for
  // the engine lock that this run already holds.
  const ours = new Set(project.config.globalSetup);
  const tier = project.vitest.projects.filter((candidate) => candidate.config.globalSetup.some((file) => ours.has(file)));
  let files = project.vitest.state.getPaths().filter((file) => tier.some((candidate) => candidate.matchesTestGlob(file)));
  if (files.length === 0) {
    process.stderr.write("setup: vitest named no file of this run: providing what every engine-tier file needs\n");
    files = (await Promise.all(tier.map((candidate) => candidate.globTestFiles()))).flatMap(({ testFiles }) => testFiles);
  }
  return [...new Set(files.map((file) => path.relative(ROOT, file)))].sort();
}

/** Runs the steps one after another; the first that fails ends the run with its last word. */
export async function runSteps(steps: readonly StepName[]): Promise<void> {
  for (const name of steps) await runStep(name);
}

function runStep(name: StepName): Promise<void> {
  const script = path.join(ROOT, "test/setup", `${name}.sh`);
  // stdout: isolated-engine.sh prints how to use its engine there (all.sh drops it too).
  const child = spawn("bash", [script], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let said = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    process.stderr.write(chunk);
    said = (said + chunk).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0) return resolve();
      const lastWord = said.trim().split("\n").pop() || "no message";
      const provides = STEPS.find((candidate) => candidate.name === name)?.provides;
      reject(
        new Error(
          `setup step ${name} (test/setup/${name}.sh) could not provide ${provides} (${signal ?? `exit ${code}`}: ${lastWord}); the test files that need it cannot run`,
        ),
      );
    });
  });
}
