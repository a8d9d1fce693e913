// Throughput: bytes through `oneoff run` next to `docker run --rm`, measured side by side in
// one run (interleaved: docker, oneoff, docker, ...; medians), with each one's peak RSS.
//   - BENCH_BYTES (default 1GiB) of stdout into /dev/null, and through a pipe into cat;
//     the same of stdin (-i) into wc -c, whose count is checked
//   - growth: stdout of each of BENCH_SIZES (default 1MiB,16MiB,256MiB,1GiB) into /dev/null:
//     time and RSS as the output grows (RSS should not: output is streamed, never held)
// BENCH_RUNS (default 3) runs of each. Prints Markdown on stdout, progress on stderr.
import { spawn } from "node:child_process";
import {
  BIN,
  IMAGE,
  benchLabel,
  check,
  containersLeft,
  devNull,
  formatKiB,
  formatMs,
  formatRate,
  formatSize,
  intKnob,
  listKnob,
  median,
  node,
  parseSize,
  ratio,
  table,
  timeProcess,
} from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 3);
const BYTES = parseSize(process.env.BENCH_BYTES || "1GiB", "BENCH_BYTES");
const SIZES = listKnob("BENCH_SIZES", "1MiB,16MiB,256MiB,1GiB", parseSize);
const LABEL = benchLabel("throughput");

const runners = {
  docker: (options, command) => ["docker", ["run", "--rm", ...options, "--label", LABEL, IMAGE, ...command]],
  oneoff: (options, command) => [node, [BIN, "run", "-q", ...options, "--label", LABEL, "--release", IMAGE, "--", ...command]],
};
const produce = (bytes) => ["head", "-c", String(bytes), "/dev/zero"];

/** COMMAND's stdout into /dev/null. */
function toDevNull([file, args]) {
  return timeProcess(file, args, { stdio: ["ignore", devNull(), "pipe"] });
}

/** COMMAND's stdout through a pipe into `cat > /dev/null`; done when both have exited. */
async function throughPipe([file, args]) {
  const cat = spawn("cat", [], { stdio: ["pipe", devNull(), "inherit"] });
  const catDone = new Promise((resolve) => cat.on("exit", resolve));
  // The pipe's writing end goes to the command; ours is closed so cat sees its EOF.
  const result = await timeProcess(file, args, { stdio: ["ignore", cat.stdin, "pipe"], started: () => cat.stdin.destroy() });
  const catCode = await catDone;
  return { ...result, code: result.code || catCode };
}

/** BYTES from the host into the command's stdin (`wc -c`), whose count must be BYTES. */
async function intoStdin([file, args], bytes) {
  const producer = spawn("head", ["-c", String(bytes), "/dev/zero"], { stdio: ["ignore", "pipe", "inherit"] });
  const result = await timeProcess(file, args, { stdio: [producer.stdout, "pipe", "pipe"], started: () => producer.stdout.destroy() });
  if (result.code === 0 && result.stdout.trim() !== String(bytes))
    return { ...result, code: -2, stderr: `wc -c counted ${result.stdout.trim()}, not ${bytes}` };
  return result;
}

/** Runs each case for docker and oneoff, interleaved, RUNS times; medians per runner. */
async function measure(name, runCase) {
  const samples = { docker: [], oneoff: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const runner of ["docker", "oneoff"]) {
      process.stderr.write(`throughput: ${name}, ${runner}, run ${run + 1}/${RUNS}\n`);
      samples[runner].push(check(await runCase(runners[runner]), `${runner}: ${name}`));
    }
  }
  const summary = (list) => ({ ms: median(list.map((s) => s.ms)), hwmKiB: Math.max(...list.map((s) => s.hwmKiB ?? 0)) || undefined });
  return { docker: summary(samples.docker), oneoff: summary(samples.oneoff) };
}

const row = (label, bytes, { docker, oneoff }) => [
  label,
  `${formatMs(docker.ms)} (${formatRate(bytes, docker.ms)})`,
  `${formatMs(oneoff.ms)} (${formatRate(bytes, oneoff.ms)})`,
  ratio(oneoff.ms, docker.ms),
  formatKiB(oneoff.hwmKiB),
  formatKiB(docker.hwmKiB),
];

const size = formatSize(BYTES);
// Warm up both (page cache, the engine's image lookups) once, unmeasured.
for (const runner of ["docker", "oneoff"]) check(await toDevNull(runners[runner]([], produce(1024))), `${runner}: warm-up`);

const transfers = [
  [`${size} stdout → /dev/null`, await measure(`${size} to /dev/null`, (runner) => toDevNull(runner([], produce(BYTES))))],
  [`${size} stdout → pipe → cat`, await measure(`${size} through a pipe`, (runner) => throughPipe(runner([], produce(BYTES))))],
  [`${size} stdin (-i) → wc -c`, await measure(`${size} of stdin`, (runner) => intoStdin(runner(["-i"], ["wc", "-c"]), BYTES))],
];
const growth = [];
for (const bytes of SIZES)
  growth.push([formatSize(bytes), await measure(`${formatSize(bytes)} output`, (runner) => toDevNull(runner([], produce(bytes))))]);

const left = containersLeft(LABEL);
const header = ["", "docker run --rm", "oneoff run", "oneoff / docker", "oneoff peak RSS", "docker CLI peak RSS"];
console.log(`### Throughput\n`);
console.log(
  `${RUNS} interleaved run${RUNS === 1 ? "" : "s"} each, medians (time, and the rate it makes); peak RSS is the highest of the runs.\n`,
);
console.log(
  table(
    header,
    transfers.map(([label, result]) => row(label, BYTES, result)),
  ),
);
console.log(`\n### Output size\n`);
console.log(`stdout into /dev/null; time and oneoff's memory as the output grows.\n`);
console.log(
  table(
    ["output", ...header.slice(1)],
    growth.map(([label, result], i) => row(label, SIZES[i], result)),
  ),
);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
