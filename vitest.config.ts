import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/** Unit files that mock a module: run isolated, so the mock cannot reach another file's imports. */
const UNIT_WITH_MODULE_MOCKS = [
  "test/unit/library-flag-table.test.ts",
  "test/unit/run-result.test.ts",
  "test/unit/engine-located-once.test.ts",
  "test/unit/release-resolved-once.test.ts",
];

const INTEGRATION = ["test/integration/**/*.test.ts", "test/faults/**/*.test.ts"];

/**
 * Integration files that need the engine to themselves, run one at a time after all the others
 * (docs/development.md says why each):
 */
const ENGINE_TO_ITSELF = [
  "test/faults/engine-faults.test.ts", // SIGKILLs dockerd
  // Changes the worker node's availability: another file's unconstrained job could land there,
  // and isolated-engine.test.ts's cleanup of the worker's engine would take its job containers.
  "test/integration/swarm-worker.test.ts",
  // Expects cleanup to be what removes a detached one-off past its keep time and settles and
  // prunes run records: those are due for every reap on the engine, whatever their owner, and
  // the files beside it reap (their runs' watchdogs), so one could take them first.
  "test/integration/cleanup.test.ts",
];

/**
 * The longest integration files, longest first (seconds each in a whole run of the tier here,
 * 2026-12-07): docker-oracle 375, operations 157, swarm 128, compose-oracle 92, remote-engines
 * 85, node-versions 77. Without times from an earlier run (a fresh clone, as in CI), vitest
 * starts the largest files first, by bytes: docker-oracle.test.ts, whose rows come from the
 * settings table, is small and started among the last, so the tier waited on it alone at the
 * end.
 */
const LONGEST_FIRST = [
  "test/integration/docker-oracle.test.ts",
  "test/integration/operations.test.ts",
  "test/integration/swarm.test.ts",
  "test/integration/compose-oracle.test.ts",
  "test/integration/remote-engines.test.ts",
  "test/integration/node-versions.test.ts",
];

/** Vitest's order (by an earlier run's times when it has them for every file), else LONGEST_FIRST's first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const timed = sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path.relative(root, file.moduleId)}`));
    if (timed) return sorted;
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(path.relative(root, file.moduleId));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // A stable sort: within a group and outside the list, vitest's own order stays.
    return sorted.sort((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    // Three files at a time (ONEOFF_TEST_WORKERS to try another count): most of the time of an
    // integration file is spent waiting on containers. The whole of `npx vitest run` here, 2
    // cores, quiet machine: 361 s with 2, 304 s with 3, 304 s with 4 (2434 tests). Unit files
    // mostly wait on the shells and processes they start; `npx vitest run test/unit` alone: 23 s
    // with one worker, 17 s with two (isolated); with isolate: false below, 9.5 s with 2 workers,
    // 10.6 s with 3, 11.7 s with 4.
    maxWorkers: Number(process.env.ONEOFF_TEST_WORKERS || 3),
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          exclude: UNIT_WITH_MODULE_MOCKS,
          // Not vitest's 5 s: the first test in a worker that runs the CLI in-process (runCli)
          // loads most of src/ through vite's transform, the config and pipeline modules on
          // its first run command, and took over 5 s at load average 7-12 (copy-paths, seen
          // four times this round, also after it imported the CLI with the file).
          testTimeout: 20_000,
          // Unit files share one module graph per worker instead of each loading the source
          // anew (17 s -> 10 s for the tier, with 2 workers). They keep no state in modules
          // that another file would see: shuffled runs pass (vitest --sequence.shuffle).
          isolate: false,
        },
      },
      {
        test: {
          // Files that replace a module (vi.mock) keep a module graph of their own.
          name: "unit-isolated",
          include: UNIT_WITH_MODULE_MOCKS,
          // As the unit project's, for the same reason: library-flag-table's first in-process run
          // timed out at 5 s in a CI at load average 6-11.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The npm package as a user installs it: needs a build (npm test's pretest makes it)
          // and the npm registry, not an engine.
          name: "packaging",
          include: ["test/packaging/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: INTEGRATION,
          exclude: ENGINE_TO_ITSELF,
          globalSetup: ["test/integration/global-setup.ts"],
          // Files run side by side: each counts only its own one-offs as left behind (the
          // ONEOFF_LABELS run label test/integration/helpers.ts gives them).
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration-serial",
          include: ENGINE_TO_ITSELF,
          globalSetup: ["test/integration/global-setup.ts"],
          fileParallelism: false,
          // After every other project: nothing else uses the engine meanwhile.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
