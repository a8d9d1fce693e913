/**
 * What run() resolves with says which one-off it ran as `id` and `kind`: a container's ID for a
 * container, the Swarm service's ID for a job (until version 2 of the run document both were
 * `containerId`). The backend is replaced by one that plays each outcome, so the pipeline's own
 * result is what is checked, with no engine.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import Ajv from "ajv";
import { describe, expect, it, vi } from "vitest";
import { run } from "../../src/pipeline/run.js";
import { runDocument } from "../../src/output/run-document.js";
import { jsonDocument } from "../../src/output/json-document.js";
import type { Backend } from "../../src/backends/backend.js";
import type { ContainerEngine } from "../../src/engine/types.js";
import type { RunOptions } from "../../src/types/options.js";
import type { RunPlan } from "../../src/types/plan.js";

const CONTAINER_ID = "c".repeat(64);
const SERVICE_ID = "x6b9pvn1h6m0cml2qg3byzn7f";
const IMAGE_ID = `sha256:${"a".repeat(64)}`;

vi.mock("../../src/backends/choose.js", () => {
  const backendOf = (kind: "container" | "job"): Partial<Backend> => {
    const id = kind === "job" ? SERVICE_ID : CONTAINER_ID;
    const job = kind === "job" ? { job: { serviceId: SERVICE_ID } } : {};
    return {
      kind,
      refuse: () => {},
      dryRun: () => ({ name: "shop-run-abc123", imageShown: IMAGE_ID, document: {} }),
      resolve: () => Promise.resolve({ imageId: IMAGE_ID, image: IMAGE_ID }),
      prepare: () =>
        Promise.resolve({
          name: "shop-run-abc123",
          bannerNoun: "a one-off",
          runAttached: () => Promise.resolve({ exitCode: 3, id, ending: "exited" as const, ...job }),
          startDetached: () => Promise.resolve({ id, ...job }),
        }),
    };
  };
  return { backendFor: (plan: RunPlan) => backendOf(plan.kind) };
});

function runWith(options: RunOptions) {
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  return run(
    { release: IMAGE_ID, command: ["true"], ...options },
    {
      cwd: mkdtempSync(path.join(os.tmpdir(), "oneoff-run-result-")),
      env: {},
      stdin: new PassThrough(),
      stdout: sink(),
      stderr: sink(),
      client: {} as ContainerEngine,
      watchdog: false,
      audit: false,
    },
  );
}

describe("run()'s result: the one-off's id and kind", () => {
  it("is a container's ID, of kind container, for a container", async () => {
    const result = await runWith({});
    expect(result).toMatchObject({ id: CONTAINER_ID, kind: "container", exitCode: 3, ending: "exited" });
    expect(result).not.toHaveProperty("containerId");
    expect(runDocument(result)).toMatchObject({ id: CONTAINER_ID, kind: "container" });
  });

  it("is the Swarm service's ID, of kind job, for a job", async () => {
    const result = await runWith({ engine: "swarm" });
    expect(result).toMatchObject({ id: SERVICE_ID, kind: "job", job: { serviceId: SERVICE_ID } });
    expect(result).not.toHaveProperty("containerId");
    expect(runDocument(result)).toMatchObject({ id: SERVICE_ID, kind: "job" });
    expect(runDocument(result)).not.toHaveProperty("containerId");
  });

  it("names the one-off as name, not containerName (for a job, the service's name)", async () => {
    for (const options of [{}, { engine: "swarm" as const }]) {
      const result = await runWith(options);
      expect(result).toMatchObject({ name: "shop-run-abc123" });
      expect(runDocument(result)).toMatchObject({ name: "shop-run-abc123" });
      expect(runDocument(result)).not.toHaveProperty("containerName");
    }
  });

  it("is the service's ID, of kind job, for a detached job", async () => {
    expect(await runWith({ engine: "swarm", detach: true })).toMatchObject({ id: SERVICE_ID, kind: "job", ending: "detached" });
  });

  it("is empty, with the kind that would run, for a dry run", async () => {
    expect(await runWith({ engine: "swarm", dryRun: true })).toMatchObject({ id: "", kind: "job", ending: "dry-run" });
    expect(await runWith({ dryRun: true })).toMatchObject({ id: "", kind: "container", ending: "dry-run" });
  });

  it("prints a document docs/schemas/run.schema.json accepts, for either kind", async () => {
    const schema = JSON.parse(readFileSync(new URL("../../docs/schemas/run.schema.json", import.meta.url), "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const options of [{}, { engine: "swarm" as const }]) {
      const document = JSON.parse(jsonDocument("run", runDocument(await runWith(options)))) as unknown;
      expect(validate(document) ? [] : validate.errors).toEqual([]);
    }
    const versionOne = { ...(JSON.parse(jsonDocument("run", runDocument(await runWith({})))) as object), schemaVersion: 1 };
    expect(validate(versionOne)).toBe(false);
  });
});
