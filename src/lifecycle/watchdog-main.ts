/**
 * The watchdog process (see watchdog.ts). Reads `engine JSON` / `watch NAME` / `done` lines on stdin; at EOF
 * without `done` it removes every watched container, retrying for a while in case the engine
 * is restarting. Afterwards (rate-limited per host) it reaps orphans left by earlier crashes.
 */
import { statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { connectEngine, connectTo, type Connection } from "../engine/connect.js";
import type { ContainerEngine } from "../engine/types.js";
import { reapOrphans } from "./reaper.js";
import { SERVICE_WATCH_PREFIX } from "./watchdog.js";
import { removeJob } from "./job-oneoffs.js";

const RETRY_FOR_MS = 120_000;
const REAP_EVERY_MS = 10 * 60_000;

const watched = new Set<string>();
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
    else if (line.startsWith("watch ")) watched.add(line.slice("watch ".length));
    else if (line === "done") released = true;
  }
});
process.stdin.on("error", () => {});
process.stdin.on("close", () => void finish());

// This is a process of its own (not the CLI), with no output to lose; it exits explicitly
// because dockerode's keep-alive sockets would otherwise hold it for seconds.
async function finish(): Promise<void> {
  if (!released && watched.size > 0) await removeWithRetries();
  await reapNowAndThen().catch(() => {});
  process.exit(0);
}

/** The engine oneoff used: the one it named, or (for library callers' own engines) the environment's. */
function engineOfOneoff(): Promise<ContainerEngine> {
  return connection ? connectTo(connection) : connectEngine(process.env);
}

async function removeWithRetries(): Promise<void> {
  const engine = await engineOfOneoff();
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let delay = 250; watched.size > 0 && Date.now() < deadline; delay = Math.min(delay * 2, 5_000)) {
    for (const name of [...watched]) {
      try {
        if (name.startsWith(SERVICE_WATCH_PREFIX)) await removeJob(engine, name.slice(SERVICE_WATCH_PREFIX.length));
        else await engine.remove(name);
        watched.delete(name);
      } catch {
        // engine unreachable or restarting: try again after the delay
      }
    }
    if (watched.size > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Reaps orphans at most once per REAP_EVERY_MS per user on this host, for each engine. */
async function reapNowAndThen(): Promise<void> {
  const engine = await engineOfOneoff();
  const which = createHash("sha256").update(engine.endpoint).digest("hex").slice(0, 12);
  const stamp = path.join(os.tmpdir(), `oneoff-reaped-${process.getuid?.() ?? "user"}-${which}`);
  try {
    if (Date.now() - statSync(stamp).mtimeMs < REAP_EVERY_MS) return;
  } catch {
    // no stamp yet
  }
  writeFileSync(stamp, "");
  await reapOrphans(engine);
}
