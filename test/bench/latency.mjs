// npm run bench: oneoff's cost next to the docker CLI, measured side by side in one run.
// Runs are interleaved (docker, floor, oneoff, docker, ...) so drift hits all alike; each
// figure is a median, and ratios are against `docker run --rm` from the same run.
// BENCH_RUNS (default 15) sets the number of runs per command.
import { execFileSync, spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";

const IMAGE = process.env.BENCH_IMAGE ?? "oneoff-test/busybox:latest";
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BIN = fileURLToPath(new URL("../../bin/oneoff.js", import.meta.url));
const FLOOR = fileURLToPath(new URL("./raw-floor.mjs", import.meta.url));
const node = process.execPath;

const imageId = execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", IMAGE], { encoding: "utf8" }).trim();

const commands = {
  "docker run --rm IMAGE true": ["docker", ["run", "--rm", IMAGE, "true"]],
  "raw Engine API floor (node, no deps)": [node, [FLOOR, imageId, "true"]],
  "oneoff run -- true": [node, [BIN, "run", "-q", "--release", IMAGE, "--", "true"]],
  "node -e 0": [node, ["-e", "0"]],
  "oneoff --version": [node, [BIN, "--version"]],
  "oneoff run --dry-run -- true": [node, [BIN, "run", "--dry-run", "--release", imageId, "--", "true"]],
};

function timeOnce([file, args]) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

for (const command of Object.values(commands)) timeOnce(command); // warm caches
const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, command] of Object.entries(commands)) samples[name].push(timeOnce(command));
}

const docker = median(samples["docker run --rm IMAGE true"]);
const bare = median(samples["node -e 0"]);
console.log(`oneoff latency benchmark: ${RUNS} interleaved runs each, medians; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
console.log("");
console.log("| command | median ms | vs docker run --rm | vs node -e 0 |");
console.log("|---|---:|---:|---:|");
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`| ${name} | ${m.toFixed(0)} | ${(m / docker).toFixed(2)}x | ${(m / bare).toFixed(2)}x |`);
}
const leftovers = execFileSync("docker", ["ps", "-aq", "--filter", "label=io.oneoff.managed"], { encoding: "utf8" }).trim();
if (leftovers) {
  console.error(`one-off containers left behind: ${leftovers.split("\n").length}`);
  process.exitCode = 1;
}
