import { describe, expect, it } from "vitest";
import { environmentWords, oneOffWords, processWords } from "../../src/cli/completion-lists.js";
import type { ContainerSummary } from "../../src/engine/types.js";
import type { AppConfig } from "../../src/types/config.js";
import { runCli } from "./cli-output.js";
// Loaded with the file: a list has 1.5 s (a Tab press's budget in the built CLI), and its first
// dynamic imports of the config reader (load.js, then file.js and the YAML parser) compiled
// them through vite's transform here, which took 1.8 s in a unit run at load average 7 and
// listed nothing.
import "../../src/config/load.js";
import "../../src/config/file.js";

const running = (labels: Record<string, string>, state = "running"): ContainerSummary => ({ id: "x", name: "x", labels, state });

describe("what completion offers after logs, stop, attach, wait, diff, --from and --env-name", () => {
  it("one-offs by short ID and by name, newest first, each once", () => {
    expect(
      oneOffWords([
        { id: "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8", name: "shop-migrate-run-ab12cd" },
        { id: "9b1c2d3e4f50617283940a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5", name: "shop-run-ff05a6" },
      ]),
    ).toEqual(["3f2a9c1b7d4e", "shop-migrate-run-ab12cd", "9b1c2d3e4f50", "shop-run-ff05a6"]);
  });

  it("process types: oneoff's process label and compose services of running containers, sorted, each once", () => {
    expect(
      processWords([
        running({ "io.oneoff.process": "web" }),
        running({ "io.oneoff.process": "web" }),
        running({ "com.docker.compose.service": "worker", "com.docker.compose.project": "shop" }),
        running({ "io.oneoff.process": "cron" }, "exited"),
        running({ other: "x" }),
      ]),
    ).toEqual(["web", "worker"]);
  });

  it("environment names of oneoff.yaml", () => {
    const config = { environments: { staging: {}, production: {} } } as unknown as AppConfig;
    expect(environmentWords(config)).toEqual(["production", "staging"]);
    expect(environmentWords(undefined)).toEqual([]);
  });

  it("never a word a shell would expand or split: labels and names come from the engine", () => {
    expect(processWords([running({ "io.oneoff.process": "$(touch /tmp/pwned)" }), running({ "io.oneoff.process": "a b" })])).toEqual([]);
    expect(oneOffWords([{ id: "`id`", name: "*" }])).toEqual([]);
  });

  it("completes nothing and says nothing when the engine cannot be reached", async () => {
    for (const kind of ["oneoffs", "processes"]) {
      const result = await runCli(["-H", "unix:///nonexistent/oneoff-completion.sock", "completion", "--list", kind]);
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    }
  });

  it("lists the environments of the config given", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-completion-lists-"));
    try {
      const file = path.join(dir, "oneoff.yaml");
      writeFileSync(file, "app: shop\nimage: shop\nenvironments:\n  staging: {}\n  production: {}\n");
      expect(await runCli(["completion", "--list", "environments", "--config", file])).toEqual({
        code: 0,
        stdout: "production\nstaging\n",
        stderr: "",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
