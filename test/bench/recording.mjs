// What recording a terminal session costs (issue 33 item 5; docs/benchmarks.md, "Recorded
// sessions"), on Node 24 (BENCH_NODE for another binary): a one-off printing about
// BENCH_RECORDING_BYTES (default 100MiB) of hex lines to a terminal, through a pty (`script`,
// output to /dev/null), timed three ways interleaved: `docker run -t`, `oneoff run -t` and
// `oneoff run -t --record` (record_limit raised above the output, so the whole session is
// recorded, masked, compressed and stored). Medians of BENCH_RECORDING_RUNS (default 3).
// The recordings and run records it makes are removed afterwards. Markdown on stdout.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, IMAGE, WORKDIR, benchLabel, containersLeft, formatMs, intKnob, median, parseSize, table, timeSuccess } from "./lib.mjs";

const RUNS = intKnob("BENCH_RECORDING_RUNS", 3);
const BYTES = parseSize(process.env.BENCH_RECORDING_BYTES ?? "100MiB", "BENCH_RECORDING_BYTES");
const NODE =
  process.env.BENCH_NODE || (existsSync("/var/cache/oneoff-node/v24/bin/node") ? "/var/cache/oneoff-node/v24/bin/node" : process.execPath);
const LABEL = benchLabel("recording");
const APP = `benchrecording${Math.random().toString(16).slice(2, 8)}`;

// od writes 16 input bytes as a line of 49 characters (" xx" x 16, newline): about 3x.
const inputBytes = Math.ceil(BYTES / 3.0625);
const probe = `head -c ${inputBytes} /dev/urandom | od -An -tx1 -v`;
const quote = (word) => `'${word.replaceAll("'", `'\\''`)}'`;
/** The command line run under `script`, which gives it a pty and sends what the pty shows to /dev/null. */
const inPty = (argv) => ["script", ["-qec", argv.map(quote).join(" "), "/dev/null"]];

writeFileSync(path.join(WORKDIR, "oneoff.yaml"), `app: ${APP}\nrecord_limit: ${Math.ceil((BYTES * 2) / 1024 ** 2)}m\n`);
const commands = {
  "docker run --rm -t": inPty(["docker", "run", "--rm", "-t", "--label", LABEL, IMAGE, "sh", "-c", probe]),
  "oneoff run -t": inPty([NODE, BIN, "run", "-q", "-t", "--label", LABEL, "--release", IMAGE, "--", "sh", "-c", probe]),
  "oneoff run -t --record": inPty([
    NODE,
    BIN,
    "run",
    "-q",
    "-t",
    "--record",
    "--label",
    LABEL,
    "--release",
    IMAGE,
    "--",
    "sh",
    "-c",
    probe,
  ]),
};

const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
try {
  for (let run = 0; run < RUNS; run++)
    for (const [name, command] of Object.entries(commands)) samples[name].push((await timeSuccess(command)).ms);
} finally {
  for (const label of ["io.oneoff.recording.app", "io.oneoff.record.app"]) {
    const volumes = execFileSync("docker", ["volume", "ls", "-q", "--filter", `label=${label}=${APP}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    if (volumes.length) execFileSync("docker", ["volume", "rm", ...volumes], { stdio: "ignore" });
  }
}

const medians = Object.fromEntries(Object.entries(samples).map(([name, ms]) => [name, median(ms)]));
const docker = medians["docker run --rm -t"];
const plain = medians["oneoff run -t"];
const nodeVersion = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
console.log("### Recorded sessions\n");
console.log(
  `A terminal one-off printing ${(BYTES / 1024 ** 2).toFixed(0)} MiB of hex lines (\`od\` of random bytes) to a pty (\`script\`, into /dev/null): ${RUNS} interleaved runs each on node ${nodeVersion}, medians. Recorded, the whole session is decoded, masked, compressed and stored on the engine (record_limit above the output).\n`,
);
console.log(
  table(
    ["command", "median", "vs docker run -t", "vs oneoff run -t"],
    Object.keys(commands).map((name) => [
      name,
      formatMs(medians[name]),
      `${(medians[name] / docker).toFixed(2)}x`,
      `${(medians[name] / plain).toFixed(2)}x`,
    ]),
  ),
);
const left = containersLeft(LABEL);
console.log(`\nContainers left behind: ${left}.`);
if (left) process.exitCode = 1;
