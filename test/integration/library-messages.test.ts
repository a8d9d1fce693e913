/**
 * What the built library (dist/index.js) says of its own, from a Node process of its own: nothing
 * on the process's stderr unless the caller gives `messages`, the command's stderr where it
 * went before, and errors that name the library's options rather than the CLI's flags.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, ROOT } from "./helpers.js";

expectNoLeftovers();

let work: string;
let script: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), "oneoff-library-messages-"));
  script = path.join(work, "calls.mjs");
  // A detached one-off; one stopped through `signal` once it has started (its command writes
  // "err" to its stderr first); three bad options. With argv[2] "messages", oneoff's own lines
  // go to a sink the script prints; else the context is the default one.
  writeFileSync(
    script,
    `
import { Writable } from "node:stream";
import { run } from ${JSON.stringify(path.join(ROOT, "dist/index.js"))};
const sink = (onWrite = () => {}) => {
  const chunks = [];
  const stream = new Writable({ write(chunk, _e, done) { chunks.push(chunk); onWrite(); done(); } });
  stream.text = () => Buffer.concat(chunks).toString();
  return stream;
};
const messages = process.argv[2] === "messages" ? sink() : undefined;
const given = messages ? { messages } : {};
const detached = await run({ release: ${JSON.stringify(IMAGE)}, command: ["sleep", "30"], detach: true, keepFor: 60_000 }, given);
const controller = new AbortController();
const stopped = await run(
  { release: ${JSON.stringify(IMAGE)}, command: ["sh", "-c", "trap 'exit 9' TERM; echo err >&2; echo started; while true; do sleep 0.1; done"] },
  { stdout: sink(() => controller.abort()), signal: controller.signal, ...given },
);
const errors = [];
for (const options of [{ memory: "lots" }, { timeout: "soon" }, { env: { "BAD NAME": "x" } }, { compose: "compose.yaml" }]) {
  const error = await run({ release: ${JSON.stringify(IMAGE)}, command: ["true"], ...options }, given).catch((e) => e);
  errors.push({ name: error.name, message: error.message, hint: error.hint, exitCode: error.exitCode });
}
console.log(JSON.stringify({ detached: detached.id, stopped: stopped.exitCode, errors, messages: messages?.text() ?? null }));
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Calls {
  detached: string;
  stopped: number;
  errors: { name: string; message: string; hint?: string; exitCode: number }[];
  messages: string | null;
}

const ran = new Map<string, { result: Calls; stderr: string }>();

/** The script's calls in one process (once per mode), the one-off it detached removed. */
function calls(mode: "default" | "messages"): { result: Calls; stderr: string } {
  const earlier = ran.get(mode);
  if (earlier) return earlier;
  const child = spawnSync(process.execPath, [script, mode], { cwd: work, encoding: "utf8", timeout: 60_000 });
  if (child.status !== 0) throw new Error(`the script failed (${child.status}): ${child.stderr}`);
  const result = JSON.parse(child.stdout) as Calls;
  docker("rm", "-f", result.detached);
  ran.set(mode, { result, stderr: child.stderr });
  return { result, stderr: child.stderr };
}

describe("the library's own lines", () => {
  it("prints nothing of oneoff's own on the process's stderr when the caller gives no messages stream", () => {
    const { result, stderr } = calls("default");
    expect(result.detached).toMatch(/^[0-9a-f]{64}$/);
    expect(result.stopped).toBe(9);
    // Only the command's own stderr: no "follow it with", no "SIGTERM forwarded".
    expect(stderr).toBe("err\n");
  }, 60_000);

  it("writes them to `messages` when given, and the command's stderr still to stderr", () => {
    const { result, stderr } = calls("messages");
    expect(stderr).toBe("err\n");
    expect(result.messages).toContain(`follow it with: oneoff logs -f ${result.detached.slice(0, 12)}`);
    expect(result.messages).toMatch(/^oneoff: SIGTERM forwarded to the one-off/m);
  }, 60_000);
});

describe("the library's errors", () => {
  it("name the option the caller gave, not the CLI's flag", () => {
    const { result } = calls("default");
    const [memory, timeout, env, compose] = result.errors;
    expect(memory).toMatchObject({ name: "OneoffError", exitCode: 125, message: 'memory: "lots": not a memory size' });
    expect(timeout?.message).toMatch(/^timeout: "soon": not a duration/);
    expect(env?.message).toBe('env: "BAD NAME=...": variable name "BAD NAME" contains whitespace');
    expect(compose?.message).toBe("compose needs service");
    for (const error of result.errors) expect(`${error.message} (${error.hint ?? ""})`).not.toMatch(/(^|\s)--?[a-z]/);
  }, 60_000);
});
