/**
 * The library as a pipeline uses it, from the packed tarball (its dist/, the repository's
 * node_modules for its dependencies): check, release, run (detached), list, logs, stop and
 * cleanup, each against the real engine, in a script of its own.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, packedPackage } from "./helpers.js";

expectNoLeftovers();

let work: string;
let packageDir: string;

beforeAll(() => {
  ({ work, packageDir } = packedPackage("oneoff-library-", { dependencies: true }));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the library from the packed package", () => {
  it("checks, releases, runs detached, lists, reads logs, stops and cleans up", () => {
    const app = path.join(work, "app");
    execFileSync("mkdir", ["-p", app]);
    const name = `libpkg${Date.now()}`;
    writeFileSync(
      path.join(app, "oneoff.yaml"),
      `app: ${name}\nrelease: ${IMAGE}\nrelease_task: migrate\ntasks:\n  migrate: [sh, -c, "echo migrated"]\n`,
    );
    const script = path.join(work, "pipeline.mjs");
    writeFileSync(
      script,
      `
import { Writable } from "node:stream";
import { check, release, run, list, logs, stop, cleanup } from ${JSON.stringify(path.join(packageDir, "dist/index.js"))};
const sink = () => { const chunks = []; const stream = new Writable({ write(chunk, _e, done) { chunks.push(chunk); done(); } }); stream.text = () => Buffer.concat(chunks).toString(); return stream; };
const quiet = { stdout: sink(), stderr: sink() };
const checks = await check({ task: "migrate" });
const released = await release({ quiet: true, waitLock: 60_000 }, quiet);
const again = await release({ quiet: true }, quiet);
const started = await run({ command: ["sh", "-c", "echo out; echo err >&2; sleep 60"], env: { A: "1" }, memory: 64 * 2 ** 20, detach: true, keepFor: 60_000, quiet: true }, quiet);
let listed = [];
for (let i = 0; i < 50 && !listed.some((o) => o.id === started.id && o.state === "running"); i++) {
  listed = await list({ app: ${JSON.stringify(name)} });
  await new Promise((r) => setTimeout(r, 100));
}
const out = sink(); const err = sink();
for (let i = 0; i < 50 && !out.text().includes("out"); i++) { await logs(started.id, { stdout: out, stderr: err }); await new Promise((r) => setTimeout(r, 100)); }
const stopped = await stop([started.id], { seconds: 0 });
const dry = await cleanup({ dryRun: true });
const all = await list({ all: true, app: ${JSON.stringify(name)} });
console.log(JSON.stringify({
  checks: checks.map((c) => c.ok),
  released: released.exitCode, releasedOutput: quiet.stdout.text(), again: again.exitCode,
  listed: listed.map((o) => o.id === started.id ? o.state : "other"),
  logs: [out.text(), err.text()],
  stopped: stopped.map((id) => id === started.id),
  dry: Array.isArray(dry.removed),
  ended: all.find((o) => o.id === started.id)?.state ?? "gone",
  id: started.id,
}));
`,
    );
    const output = execFileSync(process.execPath, [script], { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const result = JSON.parse(output) as Record<string, unknown> & { id: string; checks: boolean[]; ended: string };
    try {
      expect(result.checks.length).toBeGreaterThan(0);
      expect(result.checks.every(Boolean)).toBe(true);
      expect(result).toMatchObject({
        released: 0,
        releasedOutput: "migrated\n",
        again: 0,
        listed: expect.arrayContaining(["running"]),
        logs: ["out\n", "err\n"],
        stopped: [true],
        dry: true,
      });
      expect(result.ended).toMatch(/^exited/);
    } finally {
      execFileSync("docker", ["rm", "-f", result.id], { stdio: "ignore" });
      execFileSync("sh", ["-c", `docker volume ls -q --filter label=io.oneoff.ledger.app=${name} | xargs -r docker volume rm`], {
        stdio: "ignore",
      });
    }
  }, 60_000);
});
