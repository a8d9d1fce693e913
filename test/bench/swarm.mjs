// npm run bench, Swarm part: a one-off as a Swarm job (`oneoff run --engine swarm`) next to
// what the docker CLI offers for the same (`docker service create --mode replicated-job
// --detach=false`, which waits for the job, then `docker service rm`; it shows no output and
// gives no exit code, so it is a floor, not an equal). Interleaved runs, medians.
// BENCH_SWARM_RUNS (default 9). Needs the engine to be a swarm manager (test/setup/swarm.sh).
import { spawnSync } from "node:child_process";
import { BIN, IMAGE, WORKDIR, benchLabel, intKnob, median, node } from "./lib.mjs";

// On the job service and its task container: a benchmark beside the tests is not theirs to count.
const LABEL = benchLabel("swarm");

const RUNS = intKnob("BENCH_SWARM_RUNS", 9);

function timed(file, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ["ignore", "pipe", "pipe"], cwd: WORKDIR, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function dockerJob() {
  const created = timed("docker", [
    "service",
    "create",
    "-q",
    "--detach=false",
    "--mode",
    "replicated-job",
    "--restart-condition",
    "none",
    "--label",
    LABEL,
    "--container-label",
    LABEL,
    IMAGE,
    "true",
  ]);
  const removed = timed("docker", ["service", "rm", created.stdout.trim()]);
  return created.ms + removed.ms;
}

function oneoffJob() {
  const { ms, stdout } = timed(node, [BIN, "run", "-q", "--json", "--engine", "swarm", "--label", LABEL, "--release", IMAGE, "--", "true"]);
  return { ms, createToExitMs: JSON.parse(stdout).job.createToExitMs };
}

dockerJob();
oneoffJob(); // warm caches
const docker = [];
const oneoff = [];
const createToExit = [];
for (let run = 0; run < RUNS; run++) {
  docker.push(dockerJob());
  const job = oneoffJob();
  oneoff.push(job.ms);
  createToExit.push(job.createToExitMs);
}
// Swarm leaves a removed job's container behind for a while; the docker CLI's are removed here.
const stale = spawnSync("docker", ["ps", "-aq", "--filter", "status=exited", "--filter", "label=com.docker.swarm.task"], {
  encoding: "utf8",
})
  .stdout.split("\n")
  .filter(Boolean);
const services = spawnSync("docker", ["service", "ls", "-q", "--filter", "label=io.oneoff.managed"], { encoding: "utf8" })
  .stdout.split("\n")
  .filter(Boolean);
if (stale.length) spawnSync("docker", ["rm", "-f", ...stale]);

const base = median(docker);
console.log("### Swarm jobs\n");
console.log(`One short command as a Swarm job placed on the manager oneoff talks to: ${RUNS} interleaved runs each, medians.\n`);
console.log("| what | median ms | vs docker service create + rm |");
console.log("|---|---:|---:|");
console.log(`| docker service create --mode replicated-job --detach=false, then docker service rm | ${base.toFixed(0)} | 1.00x |`);
console.log(
  `| oneoff run --engine swarm -- true (output, exit code, removal included) | ${median(oneoff).toFixed(0)} | ${(median(oneoff) / base).toFixed(2)}x |`,
);
console.log(
  `| of which: job create to exit code seen (oneoff's --json job.createToExitMs) | ${median(createToExit).toFixed(0)} | ${(median(createToExit) / base).toFixed(2)}x |`,
);
console.log(`\nJob services of oneoff left behind: ${services.length}.`);
if (services.length) process.exitCode = 1;
