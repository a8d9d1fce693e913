/**
 * Shared helpers for tests that drive the real `oneoff` CLI against a real engine.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, expect } from "vitest";
import os from "node:os";
import { currentPlace, formatOwner, processStartTime } from "../../src/lifecycle/owner.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/oneoff.js", import.meta.url));
export const IMAGE = "oneoff-test/busybox:latest";
export const REGISTRY = "127.0.0.1:5055";
export const MARKER_LABEL = "io.oneoff.managed";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface CliOptions {
  input?: Buffer | string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Leave the child's stdin open (for the test to write to or end). */
  holdStdin?: boolean;
  /** Called once the process is spawned, e.g. to send it signals. */
  onSpawn?: (child: ChildProcess) => void;
  /** A command oneoff runs under (`nsenter ... --`), with its arguments. */
  within?: string[];
}

export function oneoff(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  // "--" as the shebang has it: Node 20 would take --env-file for itself.
  // With no input, stdin is /dev/null, as a CI job's is: a pipe is input oneoff passes on.
  const stdin = options.input !== undefined || options.holdStdin ? "pipe" : "ignore";
  const [command, ...words] = [...(options.within ?? []), process.execPath, "--", BIN, ...args] as [string, ...string[]];
  const child = spawn(command, words, { cwd: options.cwd ?? ROOT, env, stdio: [stdin, "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin?.on("error", () => {});
  if (options.input !== undefined) child.stdin?.end(options.input);
  options.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr }));
  });
}

export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * This test file's run: a label every one-off it starts carries (ONEOFF_LABELS, inherited by
 * every oneoff process it spawns and read by the library it calls), so that its "nothing left
 * behind" checks count its own one-offs only while other files run beside it on the engine.
 * A benchmark's one-offs carry `oneoff.bench` instead, and are never counted.
 */
const FILE_RUN_KEY = "oneoff.test-run";
export const FILE_RUN = `${path.basename(expect.getState().testPath ?? "unknown")}-${process.pid}-${Date.now().toString(36)}`;
export const FILE_RUN_LABEL = `${FILE_RUN_KEY}=${FILE_RUN}`;
process.env.ONEOFF_LABELS = FILE_RUN_LABEL;

/** The label every one-off of `npm run bench` carries. */
const BENCH_LABEL = "oneoff.bench";

/** IDs of this file's one-off containers (any state; `filters` narrow it: "status=created"). */
export function oneOffContainers(...filters: string[]): string[] {
  return lines(
    docker("ps", "-a", "-q", ...[`label=${MARKER_LABEL}`, `label=${FILE_RUN_LABEL}`, ...filters].flatMap((filter) => ["--filter", filter])),
  );
}

/** IDs of this file's Swarm job services. */
export function jobServices(): string[] {
  return lines(docker("service", "ls", "-q", "--filter", `label=${MARKER_LABEL}=true`, "--filter", `label=${FILE_RUN_LABEL}`));
}

const lines = (text: string) => text.split("\n").filter(Boolean);

export function imageId(reference: string): string {
  return docker("image", "inspect", "-f", "{{.Id}}", reference);
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Fails the test that leaves a one-off container behind, and cleans up so the next can run.
 * Run records (volumes) are meant to stay after a run: they are not counted, but this file's
 * are removed once it is done, so the engine does not fill up with them.
 */
export function expectNoLeftovers(): void {
  afterEach(() => {
    const left = oneOffContainers();
    if (left.length) docker("rm", "-f", ...left);
    expect(left, "one-off containers left behind").toEqual([]);
  });
  afterAll(() => removeRunRecords());
}

/**
 * Removes the run records this file's runs wrote: a record carries its run's own labels (the
 * file's run label among them, by ONEOFF_LABELS); `app`: those of an app (a run given its own env).
 */
export function removeRunRecords(app?: string): void {
  const filter = app === undefined ? `label=${FILE_RUN_LABEL}` : `label=io.oneoff.record.app=${app}`;
  const volumes = lines(docker("volume", "ls", "-q", "--filter", "label=io.oneoff.record", "--filter", filter));
  if (volumes.length) docker("volume", "rm", "-f", ...volumes);
}

/** Resolves once `predicate` holds for the text seen so far on the child's stdout. */
export function waitForOutput(
  child: Pick<ChildProcess, "stdout">,
  predicate: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for output; saw: ${seen.slice(-200)}`)), timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (predicate(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Polls an async `probe` until it returns a value, or fails after `timeoutMs` (a deadline for "never"). */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls until `probe` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An owner label as oneoff on this machine writes it, for a PID of this PID namespace: a dead
 * one (past pid_max) for an orphan, process.pid for a live owner; with a `startOffset`, a PID
 * that runs but started at another time than the owner did (the PID reused by another process).
 */
export function ownerLabel(pid: number, options: { startOffset?: number } = {}): string {
  const place = currentPlace();
  const start = (processStartTime(pid) ?? 1) + (options.startOffset ?? 0);
  return formatOwner({ host: os.hostname(), pid, start, ...(place ? { place } : {}) });
}

/** The command line of every process running here, words joined by spaces (for finding leftover ssh, watchdogs, ...). */
export function processCommandLines(): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      } catch {
        return "";
      }
    });
}

/**
 * A one-off container as the reaper sees one, created and never started, whose owner label is
 * `owner`, carrying this file's run label (or `runLabel`); `dockerCli` for another engine's.
 */
export function createdOneOff(owner: string, dockerCli: (...args: string[]) => string = docker, runLabel: string = FILE_RUN_LABEL): string {
  return dockerCli("create", "--label", `${MARKER_LABEL}=true`, "--label", `io.oneoff.owner=${owner}`, "--label", runLabel, IMAGE, "true");
}

/** Whether container `id` (full) still exists on the engine `dockerCli` reaches. */
export function containerExists(id: string, dockerCli: (...args: string[]) => string = docker): boolean {
  return dockerCli("ps", "-aq", "--no-trunc", "--filter", `id=${id}`) !== "";
}

/**
 * The npm package as a user installs it: `npm pack` of the built tree, unpacked in a new
 * folder under the system's temporary one (`prefix` names it). `dependencies` links the
 * repository's node_modules beside it (the library needs its dependencies; the bundled CLI
 * does not). The caller removes `work` when done.
 */
export function packedPackage(prefix: string, options: { dependencies?: boolean } = {}): { work: string; packageDir: string } {
  for (const built of ["dist/index.js", "dist/bundle/cli.cjs"]) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is not built: run npm run build`);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), prefix));
  // --ignore-scripts: prepack would rebuild dist/ under other tests' feet; it is built.
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: "pipe" }),
  ) as [{ filename: string }];
  execFileSync("tar", ["xzf", path.join(work, packed.filename), "-C", work]);
  const packageDir = path.join(work, "package");
  if (options.dependencies) symlinkSync(path.join(ROOT, "node_modules"), path.join(packageDir, "node_modules"));
  return { work, packageDir };
}

/** PIDs of the processes here whose environment holds `text` (a token a test set for its processes). */
export function processesWithEnvironment(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
