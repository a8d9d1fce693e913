import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findProcess } from "../../src/config/running.js";
import type { ContainerEngine, ContainerSummary, ProcessDefinition } from "../../src/engine/types.js";
import { diffWithProcess } from "../../src/pipeline/diff.js";

const IMAGE_ID = `sha256:${"cd".repeat(32)}`;

function processNamed(name: string, labels: Record<string, string> = {}): ProcessDefinition {
  return {
    id: `${name.length}`.padStart(64, "f"),
    name,
    state: "running",
    imageId: IMAGE_ID,
    env: [],
    labels,
    runtime: {},
  };
}

/** An engine with these containers: listed by label, inspected by exact name or ID (or an ID prefix, as docker does). */
function engineWith(processes: ProcessDefinition[]): ContainerEngine {
  const summary = (process: ProcessDefinition): ContainerSummary => ({
    id: process.id,
    name: process.name,
    labels: process.labels,
    state: process.state,
  });
  return {
    endpoint: "unix:///test.sock",
    async listContainers(label: string) {
      const [key, value] = label.split("=");
      return processes.filter((process) => process.labels[key!] === value).map(summary);
    },
    async inspectProcess(nameOrId: string) {
      return processes.find((process) => process.name === nameOrId || process.id.startsWith(nameOrId));
    },
  } as unknown as ContainerEngine;
}

describe("--from a container's name, as docker users give it", () => {
  it("takes the container of that name when no process has it", async () => {
    const engine = engineWith([processNamed("nc-web")]);
    expect((await findProcess(engine, "nc-web", "shop")).map((process) => process.name)).toEqual(["nc-web"]);
  });

  it("takes the process of that name over a container of that name", async () => {
    const engine = engineWith([processNamed("web"), processNamed("shop-web-1", { "io.oneoff.process": "web", "io.oneoff.app": "shop" })]);
    expect((await findProcess(engine, "web", "shop")).map((process) => process.name)).toEqual(["shop-web-1"]);
  });

  it("does not take a container whose ID merely starts with the word", async () => {
    const engine = engineWith([processNamed("other")]);
    await expect(findProcess(engine, "fff", "shop")).rejects.toThrow(
      /^--from fff: no running process fff of app shop, nor a container of that name/,
    );
  });
});

describe("diff names itself in its errors, not a --from never typed", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "oneoff-find-process-"));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("says diff nc-web when nothing of that name runs", async () => {
    const attempt = diffWithProcess("nc-web", { release: IMAGE_ID }, { cwd, env: {} }, async () => engineWith([]));
    await expect(attempt).rejects.toThrow(/^diff nc-web: no running process nc-web of app \S+, nor a container of that name/);
    await expect(attempt).rejects.not.toThrow(/--from/);
    await expect(attempt).rejects.toHaveProperty("hint", expect.stringMatching(/diff container:NAME/));
  });

  it("says diff container:NAME when that container does not exist", async () => {
    const attempt = diffWithProcess("container:gone", { release: IMAGE_ID }, { cwd, env: {} }, async () => engineWith([]));
    await expect(attempt).rejects.toThrow(/^diff container:gone: no such container/);
  });
});
