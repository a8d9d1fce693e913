/**
 * A run locates its engine once (the flags, the environment, DOCKER_* and docker's config
 * folder, which locating reads), even when a source (--from) needed the engine before the
 * plan and the run then needs its address again (the watchdog's, the dry run's "engine").
 * locate is wrapped to count its calls; the engine it connects to and the backend are stand-ins,
 * so no engine is asked.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/pipeline/run.js";
import type { Backend } from "../../src/backends/backend.js";
import type { ContainerEngine } from "../../src/engine/types.js";
import type { RunOptions } from "../../src/types/options.js";
import type { ProcessDefinition } from "../../src/types/process.js";

const { IMAGE_ID, counted } = vi.hoisted(() => ({ IMAGE_ID: `sha256:${"a".repeat(64)}`, counted: { locates: 0 } }));

vi.mock("../../src/engine/connect.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/engine/connect.js")>();
  const web: ProcessDefinition = {
    id: "b".repeat(64),
    name: "web",
    state: "running",
    imageId: IMAGE_ID,
    env: ["RAILS_ENV=production"],
    user: "",
    workdir: "",
    labels: {},
    runtime: {},
  };
  const engine = { endpoint: "unix:///stand-in.sock", inspectProcess: () => Promise.resolve(web) } as unknown as ContainerEngine;
  const locate: typeof real.locate = (...args) => {
    counted.locates += 1;
    return real.locate(...args);
  };
  return {
    ...real,
    locate,
    connectEngine: (...args: Parameters<typeof real.locate>) => Promise.resolve(locate(...args) && engine),
    connectTo: () => Promise.resolve(engine),
  };
});

vi.mock("../../src/backends/choose.js", () => {
  const backend: Partial<Backend> = {
    kind: "container",
    refuse: () => {},
    dryRun: () => ({ name: "shop-run-abc123", imageShown: IMAGE_ID, document: {} }),
  };
  return { backendFor: () => backend };
});

function dryRun(options: RunOptions) {
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-located-once-"));
  return run(
    { release: IMAGE_ID, command: ["true"], dryRun: true, ...options },
    {
      cwd: dir,
      // An empty docker config folder: the default socket, and nothing of this machine's.
      env: { DOCKER_CONFIG: dir },
      stdin: new PassThrough(),
      stdout: sink(),
      stderr: sink(),
      watchdog: false,
      audit: false,
    },
  );
}

describe("the engine of a run", () => {
  beforeEach(() => {
    counted.locates = 0;
  });

  it("is located once when --from read the running process from it first", async () => {
    expect(await dryRun({ from: "container:web" })).toMatchObject({ ending: "dry-run" });
    expect(counted.locates).toBe(1);
  });

  it("is located once when no source needed it", async () => {
    expect(await dryRun({})).toMatchObject({ ending: "dry-run" });
    expect(counted.locates).toBe(1);
  });
});
