/**
 * What a run leaves on record: its audit line (every run, whatever the ending) and, for the
 * release phase, its ledger entry on the engine.
 */
import type { RunPlan } from "../types/plan.js";
import { NameInUse, type ContainerEngine } from "../engine/types.js";
import { ExitCode, exitCodeOf, formatErrorLine } from "../output/errors.js";
import { auditableCommand } from "../output/redact.js";
import type { Reporter } from "../output/reporter.js";
import type { RunResult } from "../types/result.js";
import { filesAndSecretsForTheRecord } from "../session/files-and-secrets.js";
import type { OneOffIdentity } from "../requests/labels.js";
import { appendAudit, auditLogPath, type AuditEntry, type AuditOutcome, type AuditStart } from "./audit.js";
import { lastSuccess, readLedger, recordRelease } from "./ledger.js";
import { LockHeld } from "./lock.js";
import { DEFAULT_HISTORY_KEEP, recordedCommand, type RunRecord } from "./run-records.js";
import { writeEndRecord, writeStartRecord } from "./run-records-engine.js";

type Identity = Pick<OneOffIdentity, "startedBy" | "startedAt" | "runId" | "version">;

/** What both of a run's audit lines say: who ran what, on which release. */
function auditedRun(plan: RunPlan, identity: Identity) {
  return {
    runId: identity.runId,
    startedAt: identity.startedAt.toISOString(),
    by: identity.startedBy,
    app: plan.app,
    releaseReference: plan.releaseReference,
    task: plan.task,
    command: auditableCommand(plan.command),
    lock: plan.lock,
    ...filesAndSecretsForTheRecord(plan),
  };
}

/** The start line, before anything reaches an engine: a oneoff killed later still leaves it. */
export function writeAuditStart(
  env: Readonly<Record<string, string | undefined>>,
  plan: RunPlan,
  identity: Identity,
  report: Reporter,
): void {
  append(env, { ...auditedRun(plan, identity), event: "start" }, report);
}

export function writeAudit(
  env: Readonly<Record<string, string | undefined>>,
  plan: RunPlan,
  identity: Identity,
  result: RunResult | undefined,
  failure: unknown,
  report: Reporter,
): void {
  const endedAt = result?.endedAt ?? new Date();
  append(
    env,
    {
      ...auditedRun(plan, identity),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - identity.startedAt.getTime(),
      imageId: result?.imageId,
      // The audit log's name, kept for the lines already written and `history --json` (version 1):
      // for a job it holds the service's ID, as the run document's `id` does.
      ...(result?.id ? { containerId: result.id } : {}),
      exitCode: result ? result.exitCode : exitCodeOf(failure),
      outcome: result ? (result.ending as AuditOutcome) : failureOutcome(failure),
      signal: result?.signal,
      ...(failure === undefined ? {} : { error: formatErrorLine(failure).replace(/^oneoff: /, "") }),
      ...(result?.outputFailure ? { error: result.outputFailure } : {}),
    },
    report,
  );
}

/**
 * Runs whose start line could not be written and said so: the end line's failure is the start
 * line's, said once. A run leaves the set with its end line (a library process runs many).
 */
const unwritableRuns = new Set<string>();

function append(env: Readonly<Record<string, string | undefined>>, line: AuditEntry | AuditStart, report: Reporter): void {
  const saidForStart = line.runId !== undefined && unwritableRuns.delete(line.runId);
  try {
    appendAudit(env, line);
  } catch (error) {
    if (saidForStart) return;
    if (line.runId !== undefined && "event" in line) unwritableRuns.add(line.runId);
    report.warn(
      `could not write the audit log ${auditLogPath(env)}: ${(error as Error).message} (set ONEOFF_AUDIT_LOG to a writable file)`,
    );
  }
}

function failureOutcome(failure: unknown): AuditOutcome {
  if (failure instanceof LockHeld) return "lock-refused";
  const code = exitCodeOf(failure);
  if (code === ExitCode.commandNotFound) return "not-found";
  if (code === ExitCode.cannotInvoke) return "cannot-invoke";
  return "failed";
}

/**
 * The one line `oneoff release` says of a release task that ran, as the ledger records it:
 * a pipeline's log shows what happened without a terminal's banner.
 */
export function reportReleaseOutcome(
  plan: RunPlan,
  identity: Identity,
  imageId: string,
  ended: { exitCode: number; ending: string },
  report: Reporter,
): void {
  const outcome =
    ended.ending === "timeout"
      ? `timed out, exit ${ended.exitCode}`
      : ended.exitCode === 0
        ? "succeeded"
        : `failed, exit ${ended.exitCode}`;
  const seconds = ((Date.now() - identity.startedAt.getTime()) / 1000).toFixed(1);
  report.info(
    `release task ${plan.task} of ${plan.releaseReference} (${imageId.replace(/^sha256:/, "").slice(0, 12)}) ${outcome}, ${seconds} s`,
  );
}

export async function releaseDone(client: ContainerEngine, plan: RunPlan, imageId: string, report: Reporter): Promise<boolean> {
  const done = lastSuccess(await readLedger(client, plan.app), imageId, plan.task ?? "");
  if (done) {
    report.info(
      `release task ${plan.task} already succeeded for release ${imageId.replace(/^sha256:/, "").slice(0, 12)} (at ${done.endedAt}, by ${done.by}); not running it again (--force runs it anyway)`,
    );
  }
  return done !== undefined;
}

export async function recordInLedger(
  client: ContainerEngine,
  plan: RunPlan,
  identity: Identity,
  imageId: string,
  exitCode: number,
  report: Reporter,
): Promise<void> {
  try {
    await recordRelease(
      client,
      {
        app: plan.app,
        imageId,
        task: plan.task ?? "",
        outcome: exitCode === 0 ? "succeeded" : "failed",
        exitCode,
        startedAt: identity.startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        by: identity.startedBy,
        forced: plan.release?.force ?? false,
      },
      plan.release?.ledgerKeep ?? 50,
    );
  } catch (error) {
    report.warn(`could not record the release task in the ledger: ${(error as Error).message} (it may run again for this release)`);
  }
}

/** A run's record on the engine (run-records.ts): its start before the one-off starts, its end as the run ends. */
export interface EngineRecorder {
  /** Issues the start record once the release image ID is known; what it returns settles (never rejects) once written or warned of. */
  start(imageId: string, how?: { detached: boolean }): Promise<void>;
  /**
   * Writes the end record, when a start was written. Never rejects: history is never worth a
   * run's failure. Says nothing when the run itself failed (its one error line is what the
   * operator needs; its watchdog or the next reap ends the record), or when the end is there
   * already (the first end written wins).
   */
  end(result: RunResult | undefined, failure: unknown, recording?: RunRecord["recording"]): Promise<void>;
}

export function engineRecorder(client: ContainerEngine, plan: RunPlan, identity: Identity, report: Reporter): EngineRecorder {
  let started: Promise<RunRecord | undefined> | undefined;
  const extra = plan.settings.label ?? {};
  const warn = (what: string, error: unknown) =>
    report.warn(
      `could not write the run's ${what} record on the engine: ${(error as Error).message} (oneoff history elsewhere will not show it)`,
    );
  return {
    start(imageId, how) {
      const record: RunRecord = {
        runId: identity.runId,
        app: plan.app,
        ...(plan.environment ? { environment: plan.environment } : {}),
        ...(plan.task ? { task: plan.task } : {}),
        command: recordedCommand(plan.command),
        kind: plan.kind,
        releaseReference: plan.releaseReference,
        imageId,
        by: identity.startedBy,
        version: identity.version,
        startedAt: identity.startedAt.toISOString(),
        keep: plan.historyKeep ?? DEFAULT_HISTORY_KEEP,
        ...(how?.detached ? { detached: true } : {}),
      };
      started = writeStartRecord(client, record, extra).then(
        () => record,
        (error: unknown) => {
          warn("start", error);
          return undefined;
        },
      );
      return started.then(() => {});
    },
    async end(result, failure, recording) {
      const record = await started;
      // A detached one-off has not ended: `oneoff wait` or the reap records its end and exit code.
      if (!record || result?.ending === "detached") return;
      const end = {
        endedAt: (result?.endedAt ?? new Date()).toISOString(),
        ending: result ? result.ending : failureOutcome(failure),
        exitCode: result ? result.exitCode : exitCodeOf(failure),
        ...(result?.signal ? { signal: result.signal } : {}),
      };
      await writeEndRecord(client, { ...record, ...(recording ? { recording } : {}), end }, extra).catch((error: unknown) => {
        if (failure === undefined && !(error instanceof NameInUse)) warn("end", error);
      });
    },
  };
}
