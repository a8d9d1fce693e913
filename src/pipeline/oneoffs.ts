/**
 * One-offs already on the engine, whatever their backend: listed for ps, found for logs, stop
 * and wait, reaped for cleanup and the watchdog. Each backend knows its own kind; this asks
 * them all.
 */
import type { ContainerEngine } from "../engine/types.js";
import type { OneOffView } from "../types/oneoff-view.js";
import type { ReapOptions, ReapResult } from "../lifecycle/reaper.js";
import type { LabelFilter } from "../lifecycle/reap-scope.js";
import { OneoffError } from "../output/errors.js";
import type { FoundOneOff } from "../backends/backend.js";
import { ALL_BACKENDS } from "../backends/choose.js";
import { endStoppedRun, settleAndPruneRecords } from "../lifecycle/run-records-engine.js";
import { WATCHDOG_DEADLINE_MS } from "../lifecycle/watchdog.js";
import { stampReap } from "../lifecycle/reap-schedule.js";

/** Newest first. */
export async function listAllOneOffs(client: ContainerEngine, scope: { all: boolean; app?: string }): Promise<OneOffView[]> {
  const oneOffs = (await Promise.all(ALL_BACKENDS.map((backend) => backend.list(client, scope)))).flat();
  return oneOffs.sort((a, b) => (b.startedAt ?? "").localeCompare(a.startedAt ?? ""));
}

/** What `logs` says of a one-off that is not there: most often one that ran attached. */
export const NO_LOGS_HINT =
  "attached one-offs are removed when they end: their output went to the terminal that ran them; detached ones (run -d) keep theirs, and oneoff ps --all lists them";

/**
 * The one-off `reference` (ID, unique prefix or name) names, of whichever kind; containers
 * first. `hint`: what to do when there is none, as the caller knows it.
 */
export async function findAnyOneOff(
  client: ContainerEngine,
  reference: string,
  hint = "list them with oneoff ps --all",
): Promise<FoundOneOff> {
  for (const backend of ALL_BACKENDS) {
    const found = await backend.find(client, reference);
    if (found) return found;
  }
  throw new OneoffError(`no one-off ${reference} on the engine at ${client.endpoint}`, { hint });
}

/** What a cleanup did: the one-offs it removed or could not, and the run records it ended and pruned (none with dryRun). */
export interface CleanupResult extends ReapResult {
  records: { ended: number; pruned: number };
}

/**
 * Removes every backend's orphans and expired one-offs. First the run records are settled (a
 * detached one-off that exited gets its end, with the exit code it is about to lose) and each
 * app's pruned to its history_keep: this runs rate-limited (the watchdog's reap, `cleanup`), so
 * listing every record never lands on a run's path. `records`: how many it ended and pruned.
 */
async function reapAll(client: ContainerEngine, options: ReapOptions = {}): Promise<CleanupResult> {
  const records = options.dryRun
    ? { ended: 0, pruned: 0 }
    : await settleAndPruneRecords(client, options.now ?? new Date(), WATCHDOG_DEADLINE_MS, options.scope).catch(() => ({
        ended: 0,
        pruned: 0,
      }));
  const result = { removed: [] as ReapResult["removed"], failed: [] as ReapResult["failed"], records };
  for (const backend of ALL_BACKENDS) {
    const reaped = await backend.reap(client, options);
    result.removed.push(...reaped.removed);
    result.failed.push(...reaped.failed);
  }
  return result;
}

/**
 * `oneoff cleanup` and the library's cleanup(): a reap (reapAll) that stamps the engine's reap
 * time as a watchdog's reap does, so the watchdogs of the next ten minutes' runs do not do it
 * again, nor prune records while a user reads them. `dryRun` changes nothing, the stamp included.
 * `scope` (cleanup --filter): only the one-offs and run records that pass these label filters;
 * such a reap covers only part of the engine, so it leaves the stamp as it is.
 */
export async function cleanupEngine(
  client: ContainerEngine,
  env: Readonly<Record<string, string | undefined>>,
  options: { dryRun: boolean; scope?: readonly LabelFilter[] },
): Promise<CleanupResult> {
  const result = await reapAll(client, options);
  if (!options.dryRun && !options.scope?.length) {
    try {
      stampReap(env, client.endpoint);
    } catch {
      // No stamp (an unwritable state folder): the next watchdog reaps again, which costs only time.
    }
  }
  return result;
}

/**
 * Stops a one-off (SIGTERM, then SIGKILL after `seconds`, or after its own stop timeout), and
 * ends its run's record as stopped or killed: the CLI's `stop` and the library's `stop()` both
 * go through here.
 */
export async function stopOneOff(client: ContainerEngine, found: FoundOneOff, seconds?: number): Promise<void> {
  await found.stop(seconds);
  // Never worth a failure: the one-off is stopped either way.
  if (found.runId) await endStoppedRun(client, found.runId, new Date()).catch(() => false);
}
