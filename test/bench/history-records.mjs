/**
 * What 10,000 run records of an app cost (docs/benchmarks.md, "History on the engine"): the
 * engine's filtered volume list, `oneoff history`, and `oneoff run -- true` with none and with
 * them all. The records are made straight through the Engine API (as a run writes them, one
 * volume each), with some of another app beside them, and removed afterwards.
 *
 *   node test/bench/history-records.mjs [COUNT] [OTHER_APP_COUNT]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/oneoff.js", import.meta.url));
const COUNT = Number(process.argv[2] ?? 10_000);
const OTHER = Number(process.argv[3] ?? 2_000);
const SOCKET = "/var/run/docker.sock";
const tag = Math.random().toString(16).slice(2, 8);
const APP = `benchhist${tag}`;
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
function labels(app, index) {
  const runId = `${tag}${index.toString(16).padStart(10, "0")}`;
  const startedAt = new Date(Date.now() - index * 60_000).toISOString();
  return {
    runId,
    labels: {
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
      "oneoff.bench": "history",
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeMs(work, times = 5) {
  const took = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await work();
    took.push(performance.now() - start);
  }
  return Math.round(median(took));
}

function oneoff(args, cwd) {
  const result = spawnSync(process.execPath, ["--", BIN, ...args], {
    cwd,
    env: { ...process.env, ONEOFF_AUDIT_LOG: path.join(cwd, "audit.jsonl") },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`oneoff ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-bench-history-"));
writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${APP}\nimage: oneoff-test/busybox\nrelease: latest\nlabels: {oneoff.bench: history}\n`);
const list = (app) => request("GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: [`io.oneoff.record.app=${app}`] }))}`);
const runTrue = () => oneoff(["run", "-q", "--", "true"], dir);
/** What a run's start and end records cost the engine: a volume created, then removed. */
const recordRoundTrips = async () => {
  const name = `oneoff-record-${tag}probe`;
  await request("POST", "/volumes/create", { Name: name, Labels: labels(APP, 0).labels });
  await request("DELETE", `/volumes/${name}`);
};

const figures = { records: COUNT, otherAppRecords: OTHER };
figures.recordCreateRemoveMsAt0 = await timeMs(recordRoundTrips, 21);
figures.runTrueMsAt0 = await timeMs(runTrue, 9);
const made = [
  ...Array.from({ length: COUNT }, (_, i) => labels(APP, i + 10)),
  ...Array.from({ length: OTHER }, (_, i) => labels(OTHER_APP, i)),
];
try {
  const start = performance.now();
  await inParallel(made, async ({ runId, labels: volumeLabels }) => {
    const created = await request("POST", "/volumes/create", { Name: `oneoff-record-${runId}`, Labels: volumeLabels });
    if (created.status !== 201) throw new Error(`volume create: ${created.status} ${created.body}`);
  });
  figures.createAllSeconds = Math.round((performance.now() - start) / 100) / 10;
  figures.engineListMs = await timeMs(() => list(APP));
  figures.engineListOtherAppMs = await timeMs(() => list(OTHER_APP));
  figures.historyMs = await timeMs(() => oneoff(["history"], dir));
  figures.historyJsonAllMs = await timeMs(() => oneoff(["history", "--json", "-n", String(COUNT + 100)], dir));
  figures.recordCreateRemoveMsAt10k = await timeMs(recordRoundTrips, 21);
  figures.runTrueMsAt10k = await timeMs(runTrue, 9);
} finally {
  await inParallel(made, ({ runId }) => request("DELETE", `/volumes/oneoff-record-${runId}`));
  for (const volume of execFileSync("docker", ["volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${APP}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean))
    execFileSync("docker", ["volume", "rm", volume]);
}
figures.engineVersion = execFileSync("docker", ["version", "-f", "{{.Server.Version}}"], { encoding: "utf8" }).trim();
figures.node = process.version;
figures.loadAverage = os
  .loadavg()
  .map((load) => load.toFixed(1))
  .join(" ");
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
