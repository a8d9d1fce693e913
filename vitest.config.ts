import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
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
          include: ["test/integration/**/*.test.ts", "test/faults/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          // Files run one at a time: each checks that no one-off container is left behind,
          // which only means something when no other file is starting one-offs meanwhile.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
