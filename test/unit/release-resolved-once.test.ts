/**
 * `oneoff release` checks before it runs (unless --no-check), and the run reuses what the
 * checks read and planned: oneoff.yaml is read and its environment picked once, the engine
 * located and connected once, an --env-file read once. Counted by
 * wrapping loadAppConfig, settingFileLayers, locate and connectTo; the engine, the checks' questions to it, the
 * backend and the watchdog are stand-ins, so no engine is asked.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend } from "../../src/backends/backend.js";
import type { ContainerEngine } from "../../src/engine/types.js";
import { runCli } from "./cli-output.js";

const { IMAGE_ID, counted } = vi.hoisted(() => ({
  IMAGE_ID: `sha256:${"a".repeat(64)}`,
  counted: { configReads: 0, locates: 0, connects: 0, environmentPicks: 0, envFileReads: 0 },
}));

vi.mock("../../src/config/load.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/config/load.js")>();
  return {
    ...real,
    loadAppConfig: (...args: Parameters<typeof real.loadAppConfig>) => {
      counted.configReads += 1;
      return real.loadAppConfig(...args);
    },
    settingFileLayers: (...args: Parameters<typeof real.settingFileLayers>) => {
      const layers = real.settingFileLayers(...args);
      counted.envFileReads += layers.filter((layer) => layer.source.startsWith("--env-file")).length;
      return layers;
    },
  };
});

vi.mock("../../src/engine/connect.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/engine/connect.js")>();
  // Answers every call with nothing (records and ledger writes included); never a thenable.
  const engine = new Proxy({ endpoint: "unix:///stand-in.sock" } as Record<string | symbol, unknown>, {
    get: (target, key) => (key in target || key === "then" ? target[key] : () => Promise.resolve(undefined)),
  }) as unknown as ContainerEngine;
  return {
    ...real,
    locate: (...args: Parameters<typeof real.locate>) => {
      counted.locates += 1;
      return real.locate(...args);
    },
    connectTo: () => {
      counted.connects += 1;
      return Promise.resolve(engine);
    },
  };
});

vi.mock("../../src/lifecycle/checks.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/lifecycle/checks.js")>()),
  checkOneOff: () => Promise.resolve([{ name: "engine", ok: true, detail: "the stand-in answers" }]),
}));

vi.mock("../../src/lifecycle/watchdog.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/lifecycle/watchdog.js")>();
  return { ...real, startWatchdog: () => real.noWatchdog };
});

vi.mock("../../src/backends/choose.js", () => {
  const backend: Partial<Backend> = {
    kind: "container",
    refuse: () => {},
    preflight: { checkEngine: () => Promise.resolve([]), volumesMustExist: true },
    resolve: () => Promise.resolve({ imageId: IMAGE_ID, image: IMAGE_ID }),
    prepare: () =>
      Promise.resolve({
        name: "shop-release-run-abc123",
        bannerNoun: "a one-off",
        runAttached: () => Promise.resolve({ exitCode: 0, id: "c".repeat(64), ending: "exited" as const }),
        startDetached: () => Promise.resolve({ id: "c".repeat(64) }),
      }),
  };
  return { backendFor: () => backend };
});

function releaseIn(...flags: string[]) {
  return oneoffInShop(["release", ...flags]);
}

function oneoffInShop(argv: string[], where: Partial<Parameters<typeof runCli>[1]> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-release-once-"));
  writeFileSync(
    path.join(dir, "oneoff.yaml"),
    `app: shop\nrelease: "${IMAGE_ID}"\ntasks:\n  release:\n    command: bin/migrate\nenvironments:\n  staging: {}\n`,
  );
  writeFileSync(path.join(dir, "release.env"), "STAGE=release\n");
  // An empty docker config folder (the default socket, nothing of this machine's); state and audit log in it too.
  // ONEOFF_ENV is read only where an environment is picked: its reads count the picks.
  const env = new Proxy(
    { DOCKER_CONFIG: dir, HOME: dir, XDG_STATE_HOME: dir, ONEOFF_ENV: "staging" } as Record<string, string | undefined>,
    {
      get(target, key) {
        if (key === "ONEOFF_ENV") counted.environmentPicks += 1;
        return target[key as string];
      },
    },
  );
  return runCli(argv, { cwd: dir, env, ...where });
}

describe("oneoff release", () => {
  beforeEach(() => {
    counted.configReads = 0;
    counted.locates = 0;
    counted.connects = 0;
    counted.environmentPicks = 0;
    counted.envFileReads = 0;
  });

  it("reads oneoff.yaml, picks its environment, locates and connects to the engine once for its checks and its run", async () => {
    const released = await releaseIn("--force");
    expect(released).toMatchObject({ code: 0 });
    expect(counted).toEqual({ configReads: 1, locates: 1, connects: 1, environmentPicks: 1, envFileReads: 0 });
  });

  it("reads them once without its checks too", async () => {
    const released = await releaseIn("--force", "--no-check");
    expect(released).toMatchObject({ code: 0 });
    expect(counted).toEqual({ configReads: 1, locates: 1, connects: 1, environmentPicks: 1, envFileReads: 0 });
  });

  it("plans once for its checks and its run: an --env-file is read once", async () => {
    const released = await releaseIn("--force", "--env-file", "release.env");
    expect(released).toMatchObject({ code: 0 });
    expect(counted).toEqual({ configReads: 1, locates: 1, connects: 1, environmentPicks: 1, envFileReads: 1 });
  });
});

describe("oneoff run --check", () => {
  it("plans at a terminal as its run does: -it passes the checks and runs", async () => {
    const ran = await oneoffInShop(["run", "--check", "-it", "--", "sh"], { stdinIs: "terminal", stdoutIsTTY: true });
    expect(ran).toMatchObject({ code: 0, stderr: expect.not.stringContaining("needs a terminal") });
  });
});
