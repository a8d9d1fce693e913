/**
 * The parent side of the watchdog: a small detached process that outlives oneoff and removes
 * the one-off's container if oneoff dies without doing so (SIGKILL, a crash, an engine that
 * was down when oneoff tried). It learns what to watch over a pipe, and it learns that oneoff
 * is gone when that pipe closes, which the kernel does for any death, SIGKILL included.
 *
 * Protocol, one line each: `engine JSON` (the resolved Connection: oneoff's engine may come
 * from flags or oneoff.yaml, which the watchdog cannot see), `run ID KIND` (the run's ID, which
 * every container or job service it creates carries as io.oneoff.run, and whether they are
 * containers or jobs), then `done` once oneoff removed them itself, or, when it abandons removal
 * to the watchdog after it saw the one-off end, `ended ENDED-AT ENDING EXIT-CODE [SIGNAL]`: the
 * watchdog records that ending, not owner-gone (oneoff's own end record may not have reached an
 * engine that went away).
 *
 * It removes only what carries its run's ID: never a name, which may be held by another run
 * (a lock's container name belongs to whichever run created it; a run killed while waiting for
 * that lock created nothing). What a create still in flight makes carries the ID too.
 *
 * Two stages, so that a run that ends well costs no second Node process: /bin/sh holds the
 * pipe (it starts in about a millisecond) and only when the pipe closes without `done` (oneoff
 * died, or abandoned removal to it), or with a `reap` line (a reap of orphans is due), does it
 * start Node on watchdog-main.js with the lines it read. A Node process starting beside every
 * run took ~70 ms of CPU on a 2-core machine, in the middle of the engine starting the
 * container. Without /bin/sh (Windows), Node is the first stage.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Connection } from "../engine/connect.js";
import type { RunKind } from "../types/plan.js";
import { reapDue } from "./reap-schedule.js";

export interface Watchdog {
  /** Everything this run created is removed: the watchdog can stand down. */
  release(): void;
  /**
   * oneoff could not remove what it created: the watchdog takes over, retrying. `seen`: how
   * the one-off ended, when oneoff saw it end; the watchdog records it if no end is recorded.
   */
  abandon(seen?: { ending: string; exitCode: number; signal?: string }): void;
}

/**
 * The longest a watchdog works after its oneoff dies (watchdog-main.ts): a run record still
 * open past this, with nothing of its run left on the engine, had no one to end it.
 */
export const WATCHDOG_DEADLINE_MS = 160_000;

export const noWatchdog: Watchdog = { release() {}, abandon() {} };

/**
 * Where the watchdog's entry point is: beside this module in dist/lifecycle/, or, bundled,
 * dist/bundle/watchdog-main.cjs beside the CLI's bundle this code lands in. Under tests that
 * import src/*.ts, the compiled one in dist/ (node cannot start a .ts file).
 */
function watchdogEntry(): string | undefined {
  const candidates = ["./watchdog-main.js", "./watchdog-main.cjs"].map((relative) => {
    const file = fileURLToPath(new URL(relative, import.meta.url));
    return file.includes("/src/lifecycle/") ? file.replace("/src/lifecycle/", "/dist/lifecycle/") : file;
  });
  return candidates.find((file) => existsSync(file));
}

/**
 * The first stage: reads the lines; at EOF exits when they hold `done` and no `reap`, and
 * otherwise hands them to Node ($1) running watchdog-main.js ($2) on its stdin. `read -r` keeps
 * every byte of a line; a line cut short by oneoff's death is dropped, as watchdog-main drops it.
 */
const FIRST_STAGE = `lines=''; released=''; reap=''
while IFS= read -r line; do
  case $line in done) released=1 ;; reap) reap=1 ;; esac
  lines="$lines$line
"
done
if [ -n "$released" ] && [ -z "$reap" ]; then exit 0; fi
printf '%s' "$lines" | exec "$1" "$2"`;

const SHELL = "/bin/sh";

/** Without a `connection`, the watchdog finds the engine from `env` as oneoff would without flags. */
export function startWatchdog(
  env: Readonly<Record<string, string | undefined>>,
  run: { id: string; kind: RunKind },
  connection?: Connection,
): Watchdog {
  const entry = watchdogEntry();
  if (!entry) return noWatchdog;
  const [command, args] = existsSync(SHELL)
    ? [SHELL, ["-c", FIRST_STAGE, "oneoff-watchdog", process.execPath, entry]]
    : [process.execPath, [entry]];
  const child = spawn(command, args, {
    // Its own session: a Ctrl-C or hang-up meant for oneoff's terminal must not reach it.
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: env as NodeJS.ProcessEnv,
  });
  child.on("error", () => {});
  child.unref();
  const pipe = child.stdin;
  pipe.on("error", () => {});
  let ended = false;
  const send = (line: string) => {
    if (!ended) pipe.write(`${line}\n`);
  };
  const end = () => {
    if (ended) return;
    ended = true;
    pipe.end();
  };
  // Addresses and certificate paths only: no secret travels here.
  if (connection) send(`engine ${JSON.stringify(connection)}`);
  send(`run ${run.id} ${run.kind}`);
  return {
    release() {
      // The engine the watchdog would reap is the one named, or (unnamed) the environment's,
      // whose stamp only the watchdog itself can find.
      if (!connection || reapDue(env, connection.endpoint)) send("reap");
      send("done");
      end();
    },
    abandon(seen) {
      if (seen) send(["ended", new Date().toISOString(), seen.ending, seen.exitCode, ...(seen.signal ? [seen.signal] : [])].join(" "));
      end();
    },
  };
}
