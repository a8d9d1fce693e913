// N one-offs at once through the library, in this one process:
//   node library-batch.mjs N IMAGE LABEL
// prints {"ms": wall time of the batch, "failures": n, "errors": [first few]} as JSON.
import { Writable } from "node:stream";

const [count, image, label] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const { run } = await import(new URL("../../dist/index.js", import.meta.url).href);
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

const begin = process.hrtime.bigint();
const results = await Promise.allSettled(
  Array.from({ length: count }, () =>
    run({ release: image, command: ["true"], label: [label], quiet: true }, { stdout: discard(), stderr: discard() }),
  ),
);
const ms = Number(process.hrtime.bigint() - begin) / 1e6;
const failed = results.filter((result) => result.status === "rejected" || result.value.exitCode !== 0);
const errors = failed
  .slice(0, 3)
  .map((result) => (result.status === "rejected" ? String(result.reason?.message ?? result.reason) : `exit ${result.value.exitCode}`));
process.stdout.write(`${JSON.stringify({ ms, failures: failed.length, errors })}\n`);
