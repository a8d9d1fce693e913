// npm run bench: runs latency.mjs, node-versions.mjs, history-records.mjs, recording.mjs, throughput.mjs, scale.mjs,
// chaos.mjs and swarm.mjs one after the other (never side by side: each measures the engine alone) and writes their tables, with a
// description of the machine, to docs/benchmarks.md (BENCH_DOC to write elsewhere).
// The knobs each script reads (BENCH_RUNS, BENCH_BYTES, BENCH_SIZES, BENCH_CONCURRENCY,
// BENCH_LEVELS, BENCH_SWARM_RUNS, BENCH_IMAGE) pass through; a quick smoke run:
//   BENCH_RUNS=1 BENCH_BYTES=16MiB BENCH_SIZES=1MiB,16MiB BENCH_CONCURRENCY=2 BENCH_LEVELS=1 \
//   BENCH_DOC=/tmp/benchmarks.md node test/bench/report.mjs
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { machineDescription, node } from "./lib.mjs";

const DOC = process.env.BENCH_DOC || fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const SCRIPTS = [
  "latency.mjs",
  "node-versions.mjs",
  "history-records.mjs",
  "recording.mjs",
  "throughput.mjs",
  "scale.mjs",
  "chaos.mjs",
  "swarm.mjs",
];
const KNOBS = [
  "BENCH_RUNS",
  "BENCH_BYTES",
  "BENCH_SIZES",
  "BENCH_CONCURRENCY",
  "BENCH_LEVELS",
  "BENCH_IMAGE",
  "BENCH_NODES",
  "BENCH_CHAOS",
  "BENCH_RECORDS",
  "BENCH_OTHER_RECORDS",
  "BENCH_RECORDS_BASELINE",
  "BENCH_NODE",
  "BENCH_RECORDING_RUNS",
  "BENCH_RECORDING_BYTES",
];

const started = new Date();
const sections = [];
let failed = false;
for (const script of SCRIPTS) {
  process.stderr.write(`bench: ${script}\n`);
  // stdout (the Markdown) comes back to us; progress on stderr goes straight through.
  const result = spawnSync(node, [fileURLToPath(new URL(script, import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    failed = true;
    process.stderr.write(`bench: ${script} exited ${result.status ?? result.signal}\n`);
  }
  sections.push(
    `${result.stdout.trim()}${result.status === 0 ? "" : `\n\n**${script} failed (exit ${result.status ?? result.signal}); its figures above are incomplete or missing.**`}`,
  );
}

const knobs = KNOBS.filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`);
const document = `# Benchmarks

Written by \`npm run bench\` (test/bench/report.mjs) on ${started.toISOString().slice(0, 10)}; run it again to
refresh. Each figure is measured next to the docker CLI doing the same thing on the same
engine in the same run, interleaved, so ratios compare like with like; medians throughout.
oneoff runs as its bundled CLI (\`bin/oneoff.js\`), or through the library (\`dist/index.js\`)
where it says so.

${machineDescription()}
- Settings: ${knobs.length ? knobs.join(", ") : "the defaults (see test/bench/*.mjs)"}

${sections.join("\n\n")}

## Earlier figures

Kept by hand in test/bench/earlier.md, to compare with the figures above.

${readFileSync(new URL("./earlier.md", import.meta.url), "utf8")
  .replace(/^<!--[\s\S]*?-->\n/, "")
  .trim()}
`;
writeFileSync(DOC, document);
process.stderr.write(`bench: wrote ${DOC}\n`);
if (failed) process.exitCode = 1;
