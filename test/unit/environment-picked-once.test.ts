/**
 * A run picks the environment of oneoff.yaml that ONEOFF_ENV names once, where oneoff.yaml is
 * read (config/sources.ts), and hands the picked environment to the engine's choice and to the
 * plan. Counted by the run's reads of ONEOFF_ENV, which only the picking reads: a dry run of an
 * image ID, which asks no engine.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { run } from "../../src/pipeline/run.js";

const IMAGE_ID = `sha256:${"a".repeat(64)}`;

function dryRunCountingPicks(): Promise<{ picks: number; document: Record<string, unknown> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-environment-once-"));
  writeFileSync(
    path.join(dir, "oneoff.yaml"),
    `app: shop\nenvironments:\n  staging:\n    release: "${IMAGE_ID}"\n    env: { STAGE: staging }\n`,
  );
  let picks = 0;
  // An empty docker config folder: the default socket, and nothing of this machine's.
  const env = new Proxy({ DOCKER_CONFIG: dir, ONEOFF_ENV: "staging" } as Record<string, string | undefined>, {
    get(target, key) {
      if (key === "ONEOFF_ENV") picks += 1;
      return target[key as string];
    },
  });
  let printed = "";
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString("utf8");
      done();
    },
  });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return run(
    { command: ["true"], dryRun: true },
    { cwd: dir, env, stdin: new PassThrough(), stdout, stderr: sink, watchdog: false, audit: false },
  ).then(() => ({ picks, document: JSON.parse(printed) as Record<string, unknown> }));
}

describe("the environment ONEOFF_ENV names", () => {
  it("is picked once a run, and both its release and its env reach the plan", async () => {
    const { picks, document } = await dryRunCountingPicks();
    expect(JSON.stringify(document)).toContain("STAGE=staging");
    expect(JSON.stringify(document)).toContain(IMAGE_ID);
    expect(picks).toBe(1);
  });
});
