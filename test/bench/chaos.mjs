// Cleanup under chaos: BENCH_CHAOS (default 30) `oneoff run` processes at once; when all their
// containers run, a third get SIGKILL (their watchdogs remove the containers), a third SIGTERM
// (forwarded: the command exits, oneoff removes it) and a third end by themselves. Measures the
// time from the kills until no container of the batch and no process of it (oneoff or
// watchdog, found by a token in their environment) is left. Markdown on stdout.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { BIN, IMAGE, WORKDIR, formatMs, intKnob, node } from "./lib.mjs";

const COUNT = intKnob("BENCH_CHAOS", 30);
const token = randomBytes(6).toString("hex");
const label = `oneoff.bench=chaos-${token}`;

const containers = (...filters) =>
  execFileSync("docker", ["ps", "-aq", "--filter", `label=${label}`, ...filters.flatMap((filter) => ["--filter", filter])], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean).length;
const processes = () =>
  readdirSync("/proc").filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/environ`, "latin1").includes(`ONEOFF_BENCH_CHAOS=${token}`);
    } catch {
      return false;
    }
  }).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The two thirds to be killed carry a second label: the kills come once all of them run.
const longLabel = `oneoff.bench.chaos-long=${token}`;
const longOnes = COUNT - Math.floor(COUNT / 3);
const children = Array.from({ length: COUNT }, (_, i) => {
  const long = i % 3 !== 2;
  const script = `trap 'exit 143' TERM; sleep ${long ? 60 : 3} & wait`;
  const labels = ["--label", label, ...(long ? ["--label", longLabel] : [])];
  return spawn(node, [BIN, "run", "-q", ...labels, "--release", IMAGE, "--", "sh", "-c", script], {
    cwd: WORKDIR,
    env: { ...process.env, ONEOFF_BENCH_CHAOS: token },
    stdio: "ignore",
  });
});
const deadline = Date.now() + 120_000;
while (containers("status=running", `label=${longLabel}`) < longOnes) {
  if (Date.now() > deadline) throw new Error("the batch's containers did not all start within 2 minutes");
  await sleep(50);
}
const killed = process.hrtime.bigint();
children.forEach((child, i) => (i % 3 === 0 ? child.kill("SIGKILL") : i % 3 === 1 ? child.kill("SIGTERM") : undefined));
let containersGone;
let allGone;
while (allGone === undefined && Date.now() < deadline + 60_000) {
  const elapsed = Number(process.hrtime.bigint() - killed) / 1e6;
  const left = containers();
  if (left === 0) containersGone ??= elapsed;
  if (left === 0 && processes() === 0) allGone = elapsed;
  else await sleep(50);
}
console.log("### Cleanup under chaos\n");
console.log(
  `${COUNT} \`oneoff run\` processes at once; once all their containers ran, a third got SIGKILL, a third SIGTERM, a third ended by themselves (after 3 s). From the kills:\n`,
);
console.log("| no container left | no oneoff or watchdog process left |\n| ---: | ---: |");
console.log(
  `| ${containersGone === undefined ? "not within 3 min" : formatMs(containersGone)} | ${allGone === undefined ? "not within 3 min" : formatMs(allGone)} |`,
);
if (allGone === undefined) process.exitCode = 1;
