// What the benchmarks share: knobs from the environment, timing a process with its peak
// memory, medians, the machine's description, and counting what was left behind.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const IMAGE = process.env.BENCH_IMAGE ?? "oneoff-test/busybox:latest";
export const BIN = fileURLToPath(new URL("../../bin/oneoff.js", import.meta.url));
export const node = process.execPath;

// One-offs of the benchmarks run from an empty directory (no oneoff.yaml above it) and
// write their audit lines to a file of their own, not the user's log.
export const WORKDIR = mkdtempSync(path.join(os.tmpdir(), "oneoff-bench-"));
process.env.ONEOFF_AUDIT_LOG ??= path.join(WORKDIR, "audit.jsonl");
process.on("exit", () => rmSync(WORKDIR, { recursive: true, force: true }));

/** A whole number from the environment, e.g. BENCH_RUNS. */
export function intKnob(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name}=${value}: give a whole number of 1 or more`);
  return number;
}

/** A comma-separated list from the environment, each item parsed by `parse`. */
export function listKnob(name, fallback, parse) {
  const value = process.env[name];
  return (value === undefined || value === "" ? fallback : value).split(",").map((item) => parse(item.trim(), name));
}

const UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
/** "16MiB", "1GiB", "512KiB", "100B" or plain bytes. */
export function parseSize(text, name = "size") {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/.exec(text);
  if (!match) throw new Error(`${name}: "${text}" is not a size such as 16MiB or 1GiB`);
  return Number(match[1]) * UNITS[match[2] ?? "B"];
}

export function formatSize(bytes) {
  for (const unit of ["GiB", "MiB", "KiB"]) if (bytes >= UNITS[unit] && bytes % UNITS[unit] === 0) return `${bytes / UNITS[unit]} ${unit}`;
  return `${bytes} B`;
}

export const formatMs = (ms) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
export const formatRate = (bytes, ms) => `${(bytes / UNITS.MiB / (ms / 1000)).toFixed(0)} MiB/s`;
/** KiB as MiB: whole MiB for sampled peaks, one decimal (`digits`) for exact ones (exactPeakRssKiB). */
export const formatKiB = (kib, digits = 0) => (kib === undefined ? "n/a" : `${(kib / 1024).toFixed(digits)} MiB`);
export const ratio = (value, base) => `${(value / base).toFixed(2)}x`;

export function median(values) {
  const sorted = [...values].filter((value) => value !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const devNull = () => openSync("/dev/null", "w");

/** Peak resident memory of a live process so far, in KiB (the kernel's high-water mark). */
function peakRss(pid) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  } catch {
    return undefined; // gone already
  }
}

/**
 * Runs FILE ARGS with the given stdio and resolves when it exits: its wall time, exit code,
 * peak RSS (VmHWM, read every 20 ms: a high-water mark, so the last reading before exit is
 * the peak but for its final 20 ms) and its stdout when that is "pipe".
 * `started` is called with the child right after the spawn (to hand a pipe's end over).
 */
export function timeProcess(file, args, { stdio = ["ignore", "ignore", "pipe"], started } = {}) {
  return new Promise((resolve) => {
    const begin = process.hrtime.bigint();
    const child = spawn(file, args, { stdio, cwd: WORKDIR });
    let hwm;
    const sample = () => {
      const value = peakRss(child.pid);
      if (value !== undefined && !Number.isNaN(value)) hwm = value;
    };
    const sampler = setInterval(sample, 20);
    started?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => {
      clearInterval(sampler);
      resolve({ ms: Number(process.hrtime.bigint() - begin) / 1e6, code: -1, hwmKiB: hwm, stdout, stderr: String(error) });
    });
    child.on("exit", () => {
      const ms = Number(process.hrtime.bigint() - begin) / 1e6;
      clearInterval(sampler);
      child.on("close", (code) => resolve({ ms, code, hwmKiB: hwm, stdout, stderr }));
    });
    sample();
  });
}

/**
 * The exact peak RSS of FILE ARGS in KiB, as the kernel accounts it when the process is
 * reaped (getrusage of children: python3 is on every machine of this kind; Node has no way to
 * read a child's). For short processes, where sampling /proc misses the peak.
 */
export function exactPeakRssKiB(file, args) {
  const script =
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
  const [code, kib] = execFileSync("python3", ["-c", script, file, ...args], { cwd: WORKDIR, encoding: "utf8" })
    .trim()
    .split(" ")
    .map(Number);
  if (code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${code}`);
  return kib;
}

/** Fails loudly: a benchmark of a failing command measures nothing. */
export function check(result, what) {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return result;
}

/** Times [FILE, ARGS] (timeProcess) and fails loudly unless it exits 0. */
export async function timeSuccess([file, args]) {
  return check(await timeProcess(file, args), `${file} ${args.join(" ")}`);
}

/** The containers carrying LABEL (key=value) that still exist. */
export function containersLeft(label) {
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=${label}`], { encoding: "utf8" }).trim();
  return ids ? ids.split("\n").length : 0;
}

/** A label of this benchmark run's own, so leftovers are counted among its containers only. */
export const benchLabel = (what) => `oneoff.bench=${what}-${process.pid}-${Date.now().toString(36)}`;

export function imageId(image = IMAGE) {
  return execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", image], { encoding: "utf8" }).trim();
}

/** The machine and software the figures come from, as Markdown list items. */
/** `docker run --rm IMAGE true`, its container carrying LABEL: what the latency benchmarks compare with. */
export const dockerRunTrue = (label) => ["docker", ["run", "--rm", "--label", label, IMAGE, "true"]];

/**
 * The short commands the latency benchmarks time on the node binary NODE, each [FILE, ARGS]:
 * the raw floor (raw-floor.cjs: a run's Engine API calls from a dependency-free script, given
 * the image's ID), the same calls through dockerode (dockerode-floor.cjs), `oneoff run -- true`, `node -e 0` and `oneoff --version`. The one-offs
 * carry LABEL.
 */
export function shortCommands(node, label, imageId) {
  return {
    floor: [node, [fileURLToPath(new URL("./raw-floor.cjs", import.meta.url)), "--label", label, imageId, "true"]],
    dockerodeFloor: [node, [fileURLToPath(new URL("./dockerode-floor.cjs", import.meta.url)), "--label", label, imageId, "true"]],
    run: [node, [BIN, "run", "-q", "--label", label, "--release", IMAGE, "--", "true"]],
    bare: [node, ["-e", "0"]],
    version: [node, [BIN, "--version"]],
  };
}

export function machineDescription() {
  const docker = (format) => {
    try {
      return execFileSync("docker", ["version", "-f", format], { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  };
  const info = (format) => {
    try {
      return execFileSync("docker", ["info", "-f", format], { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  };
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? "?"}; memory ${(os.totalmem() / UNITS.GiB).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node ${process.version}; docker CLI ${docker("{{.Client.Version}}")}; engine ${docker("{{.Server.Version}}")} (API ${docker("{{.Server.APIVersion}}")}), ${info("{{.Driver}}")}, cgroup v${info("{{.CgroupVersion}}")}`,
    `- Image: \`${IMAGE}\` (${imageId().slice(7, 19)})`,
  ].join("\n");
}

/** A Markdown table. */
export function table(header, rows) {
  const align = header.map((cell, i) => (i === 0 ? "---" : "---:"));
  return [header, align, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}
