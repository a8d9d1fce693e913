/**
 * What pipelines do besides run, as calls: check a one-off before it runs, list one-offs, read
 * a one-off's logs, stop one-offs, clean up. Each reaches the engine the CLI would (host,
 * docker context, an environment of oneoff.yaml, then DOCKER_HOST and the docker CLI's
 * context), from the caller's working directory and environment.
 */
import type { Writable } from "node:stream";
import type { Check } from "../lifecycle/checks.js";
import type { OneOffView } from "../types/oneoff-view.js";
import { streamReporter } from "../output/reporter.js";
import { forwardOutput } from "../session/output.js";
import type { RunContext } from "../types/context.js";
import { clientOf, type EngineOptions } from "./client-of.js";
import { cleanupEngine, findAnyOneOff, listAllOneOffs, NO_LOGS_HINT, stopOneOff, type CleanupResult } from "./oneoffs.js";
import { checkRun } from "./check-run.js";
import { parseLabelFilter } from "../lifecycle/reap-scope.js";
import { toRunOptions, type LibraryRunOptions } from "./library-options.js";

/** Where a call runs; `client`: a test's own engine client, which clientOf then returns as it is. */
type Where = Pick<RunContext, "cwd" | "env" | "client">;

/** The pre-flight checks of a one-off (oneoff check): each with what was found, or what is wrong and the fix. */
export async function check(options: LibraryRunOptions, where: Where): Promise<Check[]> {
  return (await checkRun(toRunOptions(options), where)).checks;
}

/** One-offs on the engine, newest first: running ones (`all`: ended ones too), of `app` or every app. */
export async function list(options: EngineOptions & { all?: boolean; app?: string }, where: Where): Promise<OneOffView[]> {
  const client = await clientOf(options, where);
  return listAllOneOffs(client, { all: options.all === true, app: options.app });
}

/** Writes a one-off's output to `stdout` and `stderr` (kept apart), following it with `follow`. */
export async function logs(
  reference: string,
  options: EngineOptions & { follow?: boolean; timestamps?: boolean; stdout: Writable; stderr: Writable },
  where: Where,
): Promise<void> {
  const found = await findAnyOneOff(await clientOf(options, where), reference, NO_LOGS_HINT);
  const { stream, tty } = await found.logs({ follow: options.follow === true, timestamps: options.timestamps === true });
  const out = { stdout: options.stdout, stderr: options.stderr };
  const error = await forwardOutput(stream, out, { tty, report: streamReporter(options.stderr, { quiet: true }) });
  if (error) throw error;
}

/**
 * Stops one-offs: SIGTERM, then SIGKILL after `seconds`, by default after each one's own stop
 * timeout (--stop-timeout; else 10 s), as docker stop. Resolves with their IDs.
 */
export async function stop(references: string[], options: EngineOptions & { seconds?: number }, where: Where): Promise<string[]> {
  const client = await clientOf(options, where);
  const stopped: string[] = [];
  for (const reference of references) {
    const found = await findAnyOneOff(client, reference);
    await stopOneOff(client, found, options.seconds);
    stopped.push(found.id);
  }
  return stopped;
}

/** Removes orphaned and expired one-offs and settles run records (oneoff cleanup); `dryRun` only says which. */
export async function cleanup(options: EngineOptions & { dryRun?: boolean; filters?: string[] }, where: Where): Promise<CleanupResult> {
  const scope = (options.filters ?? []).map((text) => parseLabelFilter(text, "filters:"));
  return cleanupEngine(await clientOf(options, where), where.env, { dryRun: options.dryRun === true, scope });
}

export type { EngineOptions };
