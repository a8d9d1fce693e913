// npm run bench: oneoff's cost next to the docker CLI, measured side by side in one run.
// Runs are interleaved (docker, floor, oneoff, docker, ...) so drift hits all alike; each
// figure is a median, and ratios are against `docker run --rm` from the same run.
// BENCH_RUNS (default 15) sets the number of runs per command. Markdown on stdout.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN, IMAGE, WORKDIR, benchLabel, containersLeft, imageId as imageIdOf, intKnob, median, node } from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 15);
const FLOOR = fileURLToPath(new URL("./raw-floor.mjs", import.meta.url));
const LABEL = benchLabel("latency");

const imageId = imageIdOf(IMAGE);

const commands = {
  "docker run --rm IMAGE true": ["docker", ["run", "--rm", "--label", LABEL, IMAGE, "true"]],
  "raw Engine API floor (node, no deps)": [node, [FLOOR, "--label", LABEL, imageId, "true"]],
  "oneoff run -- true": [node, [BIN, "run", "-q", "--label", LABEL, "--release", IMAGE, "--", "true"]],
  "node -e 0": [node, ["-e", "0"]],
  "oneoff --version": [node, [BIN, "--version"]],
  "oneoff run --dry-run -- true": [node, [BIN, "run", "--dry-run", "--release", imageId, "--", "true"]],
};

function timeOnce([file, args]) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ["ignore", "ignore", "pipe"], cwd: WORKDIR });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

for (const command of Object.values(commands)) timeOnce(command); // warm caches
const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, command] of Object.entries(commands)) samples[name].push(timeOnce(command));
}

const docker = median(samples["docker run --rm IMAGE true"]);
const bare = median(samples["node -e 0"]);
console.log("### Latency\n");
console.log(`One short command, start to exit: ${RUNS} interleaved run${RUNS === 1 ? "" : "s"} each, medians.\n`);
console.log("| command | median ms | vs docker run --rm | vs node -e 0 |");
console.log("|---|---:|---:|---:|");
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`| ${name} | ${m.toFixed(0)} | ${(m / docker).toFixed(2)}x | ${(m / bare).toFixed(2)}x |`);
}
const left = containersLeft(LABEL);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
