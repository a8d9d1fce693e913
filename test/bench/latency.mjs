// npm run bench: oneoff's cost next to the docker CLI, measured side by side in one run.
// Runs are interleaved (docker, floor, oneoff, docker, ...) so drift hits all alike; each
// figure is a median, and ratios are against `docker run --rm` and the raw floor (the same
// Engine API calls from a dependency-free Node script) from the same run. Peak RSS: the
// highest of 3 more runs each, as the kernel accounts it (exactPeakRssKiB).
// BENCH_RUNS (default 15) sets the number of runs per command. Markdown on stdout.
import {
  BIN,
  IMAGE,
  benchLabel,
  containersLeft,
  dockerRunTrue,
  exactPeakRssKiB,
  formatKiB,
  imageId as imageIdOf,
  intKnob,
  median,
  node,
  shortCommands,
  timeSuccess,
} from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 15);
const LABEL = benchLabel("latency");

const imageId = imageIdOf(IMAGE);

const short = shortCommands(node, LABEL, imageId);
const commands = {
  "docker run --rm IMAGE true": dockerRunTrue(LABEL),
  "raw Engine API floor (node, no deps)": short.floor,
  "the floor's calls through dockerode": short.dockerodeFloor,
  "oneoff run -- true": short.run,
  "node -e 0": short.bare,
  "oneoff --version": short.version,
  "oneoff run --dry-run -- true": [node, [BIN, "run", "--dry-run", "--release", imageId, "--", "true"]],
};

for (const command of Object.values(commands)) await timeSuccess(command); // warm caches
const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, { ms: [], hwm: [] }]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, command] of Object.entries(commands)) samples[name].ms.push((await timeSuccess(command)).ms);
}
for (let run = 0; run < 3; run++) {
  for (const [name, [file, args]] of Object.entries(commands)) samples[name].hwm.push(exactPeakRssKiB(file, args));
}

const docker = median(samples["docker run --rm IMAGE true"].ms);
const floor = median(samples["raw Engine API floor (node, no deps)"].ms);
const bare = median(samples["node -e 0"].ms);
console.log("### Latency\n");
console.log(`One short command, start to exit: ${RUNS} interleaved run${RUNS === 1 ? "" : "s"} each, medians; ${process.version}.\n`);
console.log("| command | median ms | vs docker run --rm | vs raw floor | vs node -e 0 | peak RSS |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, { ms, hwm }] of Object.entries(samples)) {
  const m = median(ms);
  console.log(
    `| ${name} | ${m.toFixed(0)} | ${(m / docker).toFixed(2)}x | ${(m / floor).toFixed(2)}x | ${(m / bare).toFixed(2)}x | ${formatKiB(Math.max(...hwm), 1)} |`,
  );
}
const left = containersLeft(LABEL);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
