// Scale: many one-offs at once, next to as many `docker run --rm` at once, in one run.
// At each concurrency of BENCH_LEVELS (default 1,10,50; BENCH_CONCURRENCY, default 50, is
// always one of them), BENCH_RUNS (default 3) times, interleaved:
//   - N `docker run --rm IMAGE true` processes at once
//   - N `oneoff run -- true` CLI processes at once (each with its peak RSS)
//   - N `run()` calls at once through the library, in one Node process (its peak RSS)
// Reports wall time of the batch, each one-off's latency, failures and containers left
// behind (both must be 0: the script exits 1 otherwise). Markdown on stdout.
import { fileURLToPath } from "node:url";
import {
  BIN,
  IMAGE,
  benchLabel,
  containersLeft,
  dockerRunTrue,
  formatKiB,
  formatMs,
  intKnob,
  listKnob,
  median,
  node,
  ratio,
  table,
  timeProcess,
} from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 3);
const CONCURRENCY = intKnob("BENCH_CONCURRENCY", 50);
const LEVELS = [
  ...new Set([
    ...listKnob("BENCH_LEVELS", "1,10,50", (item, name) => {
      const level = Number(item);
      if (!Number.isInteger(level) || level < 1) throw new Error(`${name}: "${item}" is not a whole number of 1 or more`);
      return level;
    }),
    CONCURRENCY,
  ]),
].sort((a, b) => a - b);
const BATCH = fileURLToPath(new URL("./library-batch.mjs", import.meta.url));

/** N processes at once; the batch's wall time, each one's time and peak RSS, the failures. */
async function processBatch(count, command) {
  const begin = process.hrtime.bigint();
  const results = await Promise.all(Array.from({ length: count }, () => timeProcess(...command())));
  const failed = results.filter((result) => result.code !== 0);
  return {
    ms: Number(process.hrtime.bigint() - begin) / 1e6,
    each: results.map((result) => result.ms),
    hwmKiB: results.map((result) => result.hwmKiB),
    failures: failed.length,
    errors: failed.slice(0, 3).map((result) => `exit ${result.code}: ${result.stderr.trim().split("\n").pop()}`),
  };
}

async function libraryBatch(count, label) {
  const result = await timeProcess(node, [BATCH, String(count), IMAGE, label], { stdio: ["ignore", "pipe", "pipe"] });
  if (result.code !== 0)
    return { ms: result.ms, each: [], hwmKiB: [result.hwmKiB], failures: count, errors: [result.stderr.trim().split("\n").pop()] };
  const batch = JSON.parse(result.stdout);
  return { ms: batch.ms, each: [], hwmKiB: [result.hwmKiB], failures: batch.failures, errors: batch.errors };
}

const kinds = {
  docker: {
    label: benchLabel("scale-docker"),
    batch: (count, label) => processBatch(count, () => dockerRunTrue(label)),
  },
  cli: {
    label: benchLabel("scale-cli"),
    batch: (count, label) => processBatch(count, () => [node, [BIN, "run", "-q", "--label", label, "--release", IMAGE, "--", "true"]]),
  },
  library: { label: benchLabel("scale-library"), batch: libraryBatch },
};

// Warm-up, unmeasured: one of each.
for (const kind of Object.values(kinds)) await kind.batch(1, kind.label);

const results = {}; // results[level][kind] = batches
for (const level of LEVELS) {
  results[level] = { docker: [], cli: [], library: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const [name, kind] of Object.entries(kinds)) {
      process.stderr.write(`scale: ${level} at once, ${name}, run ${run + 1}/${RUNS}\n`);
      const batch = await kind.batch(level, kind.label);
      for (const error of batch.errors) process.stderr.write(`scale: ${name} failure: ${error}\n`);
      results[level][name].push(batch);
    }
  }
}
const left = Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, containersLeft(kind.label)]));

const wall = (batches) => median(batches.map((batch) => batch.ms));
const failures = (batches) => batches.reduce((sum, batch) => sum + batch.failures, 0);
const peak = (batches) => Math.max(...batches.flatMap((batch) => batch.hwmKiB).filter((value) => value !== undefined), 0) || undefined;
const typical = (batches) => median(batches.flatMap((batch) => batch.hwmKiB));

const top = results[CONCURRENCY];
const dockerWall = wall(top.docker);
console.log(`### ${CONCURRENCY} one-offs at once\n`);
console.log(
  `${RUNS} interleaved run${RUNS === 1 ? "" : "s"} each, medians of the batch's wall time; failures and peak RSS over all runs; containers left after all of them.\n`,
);
console.log(
  table(
    ["", "wall time", "vs docker", "failures", "containers left", "peak RSS"],
    [
      [
        `${CONCURRENCY} × \`docker run --rm IMAGE true\``,
        formatMs(dockerWall),
        "1.00x",
        failures(top.docker),
        left.docker,
        `${formatKiB(typical(top.docker))} each (docker CLI)`,
      ],
      [
        `${CONCURRENCY} × \`oneoff run -- true\` (CLI processes)`,
        formatMs(wall(top.cli)),
        ratio(wall(top.cli), dockerWall),
        failures(top.cli),
        left.cli,
        `${formatKiB(typical(top.cli))} each, ${formatKiB(peak(top.cli))} at most`,
      ],
      [
        `${CONCURRENCY} × \`run()\` in one process (library)`,
        formatMs(wall(top.library)),
        ratio(wall(top.library), dockerWall),
        failures(top.library),
        left.library,
        `${formatKiB(peak(top.library))} (the process)`,
      ],
    ],
  ),
);

console.log(`\n### Growth with concurrency\n`);
console.log(`Per one-off: the median of each process's own time, over all runs. Wall: the batch's, median of runs.\n`);
console.log(
  table(
    [
      "at once",
      "docker: each / wall",
      "oneoff CLI: each / wall",
      "CLI vs docker (wall)",
      "oneoff RSS each (median / max)",
      "library: wall",
      "library vs docker",
      "library process RSS",
    ],
    LEVELS.map((level) => {
      const { docker, cli, library } = results[level];
      const each = (batches) => median(batches.flatMap((batch) => batch.each));
      return [
        level,
        `${formatMs(each(docker))} / ${formatMs(wall(docker))}`,
        `${formatMs(each(cli))} / ${formatMs(wall(cli))}`,
        ratio(wall(cli), wall(docker)),
        `${formatKiB(typical(cli))} / ${formatKiB(peak(cli))}`,
        formatMs(wall(library)),
        ratio(wall(library), wall(docker)),
        formatKiB(peak(library)),
      ];
    }),
  ),
);

const totalFailures = LEVELS.reduce(
  (sum, level) => sum + Object.values(results[level]).reduce((s, batches) => s + failures(batches), 0),
  0,
);
const totalLeft = Object.values(left).reduce((sum, count) => sum + count, 0);
console.log(`\nFailures: ${totalFailures}. Containers left behind: ${totalLeft}.`);
if (totalFailures || totalLeft) process.exitCode = 1;
