/**
 * The watchdog process (see watchdog.ts). Reads `engine JSON` / `run ID KIND` / `ended ...` /
 * `done` lines on stdin; at EOF without `done` it removes what its run created (everything
 * labelled with the run's ID), retrying for a while in case the engine is restarting, and
 * looking again shortly after for a create that was still in flight. Afterwards (rate-limited
 * per user and engine) it reaps orphans left by earlier crashes.
 *
 * It always ends: every request has a timeout, and from EOF on a deadline that keeps nothing
 * alive by itself exits the process whatever it is still waiting for.
 */
import { connectTo, locate, type Connection } from "../engine/connect.js";
import type { ContainerEngine } from "../engine/types.js";
import { parseDuration } from "../formats/units.js";
import { Labels } from "../requests/labels.js";
import { reapDue } from "./reap-schedule.js";
import { endOpenRun } from "./run-records-engine.js";
import { OWNER_GONE } from "./run-records.js";
import { WATCHDOG_DEADLINE_MS } from "./watchdog.js";
// A process entry point: it may use the backends and the pipeline, which nothing in
// lifecycle/ otherwise does.
import { removeJob } from "../backends/swarm-job/oneoffs.js";
import { cleanupEngine } from "../pipeline/oneoffs.js";
import type { RunKind } from "../types/plan.js";

/**
 * From EOF: past this the watchdog exits, even with an engine that accepts and never answers.
 * ONEOFF_WATCHDOG_DEADLINE (a duration) shortens it, and everything below with it.
 */
const DEADLINE_MS = Math.min(parseDuration(process.env.ONEOFF_WATCHDOG_DEADLINE ?? "") ?? Infinity, WATCHDOG_DEADLINE_MS);
const REQUEST_TIMEOUT_MS = Math.min(20_000, DEADLINE_MS / 4);
/** How long removal is retried while the engine does not answer (it may be restarting). */
const RETRY_FOR_MS = DEADLINE_MS - 2 * REQUEST_TIMEOUT_MS;
/** A create in flight when oneoff died lands a moment later: look again after these. */
const LOOK_AGAIN_AFTER_MS = [500, 1_500];

let run: { id: string; kind: RunKind } | undefined;
/** How the run ended, when its oneoff saw the end before it abandoned removal to the watchdog. */
let seen: { endedAt: string; ending: string; exitCode: number; signal?: string } | undefined;
let released = false;
let connection: Connection | undefined;
let pending = "";

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    if (line.startsWith("engine ")) connection = JSON.parse(line.slice("engine ".length)) as Connection;
    else if (line.startsWith("run ")) {
      const [id, kind] = line.slice("run ".length).split(" ");
      if (id && /^[0-9a-f]+$/.test(id) && (kind === "container" || kind === "job")) run = { id, kind };
    } else if (line.startsWith("ended ")) seen = seenEnding(line.slice("ended ".length));
    else if (line === "done") released = true;
  }
});
process.stdin.on("error", () => {});
process.stdin.on("close", () => void finish());

/** `ENDED-AT ENDING EXIT-CODE [SIGNAL]`, checked word by word: anything else is not an ending. */
function seenEnding(words: string): typeof seen {
  const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) ([a-z-]+) (\d{1,3})(?: (SIG[A-Z0-9]+))?$/.exec(words);
  if (!match) return undefined;
  const [, endedAt, ending, exitCode, signal] = match as unknown as [string, string, string, string, string | undefined];
  return { endedAt, ending, exitCode: Number(exitCode), ...(signal ? { signal } : {}) };
}

// This is a process of its own (not the CLI), with no output to lose; it exits explicitly
// because dockerode's keep-alive sockets would otherwise hold it for seconds.
async function finish(): Promise<void> {
  setTimeout(() => process.exit(0), DEADLINE_MS).unref();
  const client = await clientOfOneoff().catch(() => undefined);
  if (client && !released && run) await removeWithRetries(client, run);
  if (client) await reapNowAndThen(client).catch(() => {});
  process.exit(0);
}

/** A client of the engine oneoff used: the one it named, or (for library callers' own engines) the environment's. */
function clientOfOneoff(): Promise<ContainerEngine> {
  return connectTo(connection ?? locate(process.env).connection, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
}

/**
 * Removes the run's one-off, then records how the run ended when its oneoff wrote a start
 * record and no end: as oneoff saw it end, if it did; otherwise owner-gone, with the exit code
 * its container had, if it had exited.
 */
async function removeWithRetries(client: ContainerEngine, what: { id: string; kind: RunKind }): Promise<void> {
  const deadline = Date.now() + RETRY_FOR_MS;
  let passes = 0;
  let exitCode: number | undefined;
  for (let delay = 250; Date.now() < deadline;) {
    try {
      exitCode = (await removeRun(client, what)) ?? exitCode;
      if (passes >= LOOK_AGAIN_AFTER_MS.length) {
        const end = seen ?? { endedAt: new Date().toISOString(), ending: OWNER_GONE, ...(exitCode === undefined ? {} : { exitCode }) };
        await endOpenRun(client, what.id, end).catch(() => {});
        return;
      }
      await sleep(LOOK_AGAIN_AFTER_MS[passes++] as number);
    } catch {
      // engine unreachable or restarting: try again after the delay
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** Removes every container, or job service, that carries the run's ID; the exit code of one that had exited. */
async function removeRun(client: ContainerEngine, what: { id: string; kind: RunKind }): Promise<number | undefined> {
  const label = `${Labels.run}=${what.id}`;
  let exitCode: number | undefined;
  if (what.kind === "job") {
    const jobs = client.swarm?.();
    for (const service of jobs ? await jobs.listServices(label) : []) {
      exitCode = (await jobs!.listTasks(service.id).catch(() => []))[0]?.exitCode ?? exitCode;
      await removeJob(client, service.id);
    }
    return exitCode;
  }
  for (const container of await client.listContainers(label)) {
    // Read before removal: afterwards nothing on the engine knows it.
    const details = container.state === "exited" || container.state === "dead" ? await client.inspectContainer(container.id) : undefined;
    exitCode = details?.exitCode ?? exitCode;
    await client.remove(container.id);
  }
  return exitCode;
}

/**
 * Reaps orphans at most once per REAP_EVERY_MS per user and engine. Stamped only once a reap
 * ran: an engine that could not be reached is tried again by the next run's watchdog, not
 * ten minutes later. (Two watchdogs reaping at once only remove the same things twice.)
 */
async function reapNowAndThen(client: ContainerEngine): Promise<void> {
  if (!reapDue(process.env, client.endpoint)) return;
  // The reap `oneoff cleanup` does, which stamps the engine's reap time once it ran.
  await cleanupEngine(client, process.env, { dryRun: false });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
