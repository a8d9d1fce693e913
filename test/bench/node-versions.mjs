// The same short one-off on each Node.js version oneoff claims (20, 22, 24: the official builds
// test/setup/node-versions.sh unpacks under /var/cache/oneoff-node; BENCH_NODES to give other
// node binaries, comma-separated), next to `docker run --rm`, interleaved: start to exit of
// `node -e 0`, `oneoff --version`, the raw floor and `oneoff run -- true`, medians of
// BENCH_RUNS (default 11), with the exact peak RSS of `oneoff run -- true` and of the raw floor.
// Markdown on stdout.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import {
  IMAGE,
  benchLabel,
  containersLeft,
  dockerRunTrue,
  exactPeakRssKiB,
  formatKiB,
  imageId as imageIdOf,
  intKnob,
  median,
  shortCommands,
  table,
  timeSuccess,
} from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 11);
const LABEL = benchLabel("node-versions");
const imageId = imageIdOf(IMAGE);

const nodes = (
  process.env.BENCH_NODES ? process.env.BENCH_NODES.split(",") : [20, 22, 24].map((major) => `/var/cache/oneoff-node/v${major}/bin/node`)
)
  .map((file) => file.trim())
  .filter((file) => {
    if (existsSync(file)) return true;
    process.stderr.write(`bench: ${file} is missing (run test/setup/node-versions.sh); left out\n`);
    return false;
  })
  .map((file) => ({ file, version: execFileSync(file, ["--version"], { encoding: "utf8" }).trim() }));
if (nodes.length === 0) throw new Error("no node binary to measure");

const rows = (file) => {
  const short = shortCommands(file, LABEL, imageId);
  return {
    "node -e 0": short.bare,
    "oneoff --version": short.version,
    "raw floor": short.floor,
    "dockerode floor": short.dockerodeFloor,
    "oneoff run -- true": short.run,
  };
};
const docker = dockerRunTrue(LABEL);

const samples = {
  docker: [],
  ...Object.fromEntries(nodes.map(({ version }) => [version, Object.fromEntries(Object.keys(rows("")).map((row) => [row, []]))])),
};
for (const { file } of nodes) for (const command of Object.values(rows(file))) await timeSuccess(command); // warm caches
for (let run = 0; run < RUNS; run++) {
  samples.docker.push((await timeSuccess(docker)).ms);
  for (const { file, version } of nodes)
    for (const [row, command] of Object.entries(rows(file))) samples[version][row].push((await timeSuccess(command)).ms);
}
const dockerMs = median(samples.docker);
const body = nodes.map(({ file, version }) => {
  const m = Object.fromEntries(Object.entries(samples[version]).map(([row, values]) => [row, median(values)]));
  const peakRss = (row) => Math.max(...[0, 1, 2].map(() => exactPeakRssKiB(...rows(file)[row])));
  return [
    version,
    `${m["node -e 0"].toFixed(0)} ms`,
    `${m["oneoff --version"].toFixed(0)} ms (${(m["oneoff --version"] / m["node -e 0"]).toFixed(2)}x)`,
    `${m["raw floor"].toFixed(0)} ms (${(m["raw floor"] / dockerMs).toFixed(2)}x)`,
    `${m["oneoff run -- true"].toFixed(0)} ms`,
    `${(m["oneoff run -- true"] / m["raw floor"]).toFixed(2)}x`,
    `${(m["oneoff run -- true"] / dockerMs).toFixed(2)}x`,
    `${(m["dockerode floor"] / m["raw floor"]).toFixed(2)}x`,
    `${formatKiB(peakRss("oneoff run -- true"), 1)} (floor ${formatKiB(peakRss("raw floor"), 1)})`,
  ];
});
console.log("### Node.js versions\n");
console.log(
  `The same commands on each Node.js version, interleaved with \`docker run --rm IMAGE true\` (${dockerMs.toFixed(0)} ms, median): ${RUNS} runs each, medians; peak RSS of the run and of the raw floor, the highest of 3 each.\n`,
);
console.log(
  table(
    [
      "node",
      "node -e 0",
      "oneoff --version (vs node -e 0)",
      "raw floor (vs docker)",
      "oneoff run -- true",
      "vs raw floor",
      "vs docker run --rm",
      "the floor's calls through dockerode, vs raw floor",
      "peak RSS (raw floor's)",
    ],
    body,
  ),
);
const left = containersLeft(LABEL);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
