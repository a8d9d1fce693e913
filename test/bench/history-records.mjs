// What run records cost (issue 33 items 4 and 5; docs/benchmarks.md, "Run records"), on Node
// 24 (the current LTS; BENCH_NODE for another binary):
// - `oneoff run -- true` at 0 and at BENCH_RECORDS (default 10,000) records of its app, with
//   BENCH_OTHER_RECORDS (default 2,000) of another app beside them, interleaved with `docker run
//   --rm` and with the same command built from the tree before run records
//   (BENCH_RECORDS_BASELINE, default 1f682b2^): the cost of writing a run's two records;
// - `oneoff history` and `oneoff history --json` over them all, and the engine's own filtered
//   list of one app's record volumes.
// The records are made straight through the Engine API (one volume each, as a run writes
// them) and removed afterwards. Medians of BENCH_RUNS (default 15). Markdown on stdout.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, IMAGE, WORKDIR, benchLabel, containersLeft, dockerRunTrue, intKnob, median, table, timeSuccess } from "./lib.mjs";

const RUNS = intKnob("BENCH_RUNS", 15);
const COUNT = intKnob("BENCH_RECORDS", 10_000);
const OTHER = intKnob("BENCH_OTHER_RECORDS", 2_000);
const BASELINE = process.env.BENCH_RECORDS_BASELINE || "1f682b2^";
const NODE =
  process.env.BENCH_NODE || (existsSync("/var/cache/oneoff-node/v24/bin/node") ? "/var/cache/oneoff-node/v24/bin/node" : process.execPath);
const LABEL = benchLabel("records");
const SOCKET = "/var/run/docker.sock";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const tag = Math.random().toString(16).slice(2, 8);
const APP = `benchrec${tag}`;
const OTHER_APP = `benchother${tag}`;

function request(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: SOCKET, method, path: url, headers: { "content-type": "application/json" } }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A record as a run writes it (lifecycle/run-records.ts), started `index` minutes before now. */
function recordVolume(app, index) {
  const runId = `${tag}${index.toString(16).padStart(10, "0")}`;
  const startedAt = new Date(Date.now() - index * 60_000).toISOString();
  return {
    Name: `oneoff-record-${runId}`,
    Labels: {
      "io.oneoff.record": "end",
      "io.oneoff.record.run": runId,
      "io.oneoff.record.app": app,
      "io.oneoff.record.command": JSON.stringify(["bin/rails", "runner", `Report.nightly(${index})`]),
      "io.oneoff.record.kind": "container",
      "io.oneoff.record.release": "registry.example/shop:v42",
      "io.oneoff.record.image-id": "sha256:7ac29e490eba2a965bbd3c0d4f23b488154e8af741c0f33213738858a17471a1",
      "io.oneoff.record.by": "ci@runner-7",
      "io.oneoff.record.version": "0.1.0",
      "io.oneoff.record.started-at": startedAt,
      "io.oneoff.record.ended-at": new Date(Date.parse(startedAt) + 4_000).toISOString(),
      "io.oneoff.record.ending": "exited",
      "io.oneoff.record.exit-code": "0",
      "io.oneoff.record.keep-count": "100000",
      "oneoff.bench": "records",
    },
  };
}

async function inParallel(items, work, width = 16) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * bin/oneoff.js of the tree at BASELINE, built in a temporary folder with this checkout's
 * node_modules; undefined (and said on stderr) where there is no git history to build it from.
 */
function baselineBin() {
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-bench-baseline-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    execFileSync("bash", ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "-", ROOT, BASELINE, dir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    execFileSync("npm", ["run", "--silent", "build"], { cwd: dir, stdio: "ignore" }); // that tree's own build (tsc, then its bundles)
    return path.join(dir, "bin/oneoff.js");
  } catch (error) {
    process.stderr.write(`bench: could not build ${BASELINE} for the before-records row: ${String(error).split("\n")[0]}\n`);
    return undefined;
  }
}

writeFileSync(path.join(WORKDIR, "oneoff.yaml"), `app: ${APP}\n`);
const before = baselineBin();
const runs = {
  "docker run --rm IMAGE true": dockerRunTrue(LABEL),
  "oneoff run -- true": [NODE, [BIN, "run", "-q", "--label", LABEL, "--release", IMAGE, "--", "true"]],
  ...(before
    ? { [`the same before run records (${BASELINE})`]: [NODE, [before, "run", "-q", "--label", LABEL, "--release", IMAGE, "--", "true"]] }
    : {}),
};
const history = {
  "oneoff history": [NODE, [BIN, "history"]],
  "oneoff history --json (every record)": [NODE, [BIN, "history", "--json", "-n", String(COUNT + 100)]],
};

/** Medians of each command, interleaved run by run so drift hits all alike. */
async function interleaved(commands, times) {
  for (const command of Object.values(commands)) await timeSuccess(command); // warm caches
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let run = 0; run < times; run++)
    for (const [name, command] of Object.entries(commands)) samples[name].push((await timeSuccess(command)).ms);
  return Object.fromEntries(Object.entries(samples).map(([name, ms]) => [name, median(ms)]));
}

const list = (app) => request("GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: [`io.oneoff.record.app=${app}`] }))}`);
async function listMs(app) {
  const took = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await list(app);
    took.push(performance.now() - start);
  }
  return median(took);
}

const at0 = await interleaved(runs, RUNS);
const made = [
  ...Array.from({ length: COUNT }, (_, i) => recordVolume(APP, i + 10)),
  ...Array.from({ length: OTHER }, (_, i) => recordVolume(OTHER_APP, i)),
];
let at10k;
let historyMs;
let listOne;
let created;
try {
  const start = performance.now();
  await inParallel(made, async (volume) => {
    const answer = await request("POST", "/volumes/create", volume);
    if (answer.status !== 201) throw new Error(`volume create: ${answer.status} ${answer.body}`);
  });
  created = (performance.now() - start) / 1000;
  at10k = await interleaved(runs, RUNS);
  historyMs = await interleaved(history, 5);
  listOne = await listMs(APP);
} finally {
  await inParallel(made, (volume) => request("DELETE", `/volumes/${volume.Name}`));
  const left = execFileSync("docker", ["volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${APP}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  if (left.length) execFileSync("docker", ["volume", "rm", ...left]);
}

const nodeVersion = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
const docker0 = at0["docker run --rm IMAGE true"];
const docker10k = at10k["docker run --rm IMAGE true"];
const beforeName = Object.keys(runs)[2];
console.log("### Run records\n");
console.log(
  `\`oneoff run -- true\` writes a start and an end record per run (two volumes made, one removed). ${RUNS} interleaved runs each on node ${nodeVersion}, medians, with none and with ${COUNT.toLocaleString("en")} records of the run's app (and ${OTHER.toLocaleString("en")} of another app) on the engine; ${beforeName ? `the last row is the same command built from ${BASELINE}, the tree before run records` : "no before-records row: the tree before run records could not be built here"}.\n`,
);
console.log(
  table(
    ["command", "ms at 0 records", "vs docker", `ms at ${COUNT.toLocaleString("en")}`, "vs docker"],
    Object.keys(runs).map((name) => [
      name,
      at0[name].toFixed(0),
      `${(at0[name] / docker0).toFixed(2)}x`,
      at10k[name].toFixed(0),
      `${(at10k[name] / docker10k).toFixed(2)}x`,
    ]),
  ),
);
if (beforeName) {
  const cost = (at) => `${((at["oneoff run -- true"] / at[beforeName] - 1) * 100).toFixed(1)}%`;
  console.log(
    `\nThe records' cost on a run, against the tree before them: ${cost(at0)} at 0 records, ${cost(at10k)} at ${COUNT.toLocaleString("en")}.`,
  );
}
console.log(
  `\nOver ${COUNT.toLocaleString("en")} records (made in ${created.toFixed(1)} s): \`oneoff history\` ${historyMs["oneoff history"].toFixed(0)} ms, \`oneoff history --json\` of every record ${historyMs["oneoff history --json (every record)"].toFixed(0)} ms (medians of 5); the engine's list of the app's record volumes alone ${listOne.toFixed(0)} ms. The other app's records are not sent: the engine filters by label.`,
);
const left = containersLeft(LABEL);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
