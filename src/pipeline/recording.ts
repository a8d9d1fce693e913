/**
 * A run's recorded session (record:, --record), from the session's streams to the engine:
 * started before the one-off's session, stored after it ends and before the run's end record,
 * which says it has one. Storing it is never worth the run: a failure is one warning.
 */
import type { Readable, Writable } from "node:stream";
import type { ContainerEngine } from "../engine/types.js";
import { auditableCommand, isSecretName, knownSecretValues } from "../output/redact.js";
import type { Reporter } from "../output/reporter.js";
import { storeRecording } from "../lifecycle/recordings.js";
import { recordSession, type SessionRecording } from "../session/recorder.js";
import type { RunPlan } from "../types/plan.js";
import type { RunResult } from "../types/result.js";

/** Secret values shorter than this are not masked: they would mask ordinary words (as redact.ts). */
const SHORTEST_MASKED = 4;

/** A run's recording: the session's streams to use instead of the run's, and how to store it once the run ends. */
export interface RunRecording {
  io: SessionRecording["io"];
  store(run: { plan: RunPlan; runId: string; result: RunResult | undefined }, report: Reporter): Promise<RecordedSize | undefined>;
}

type RecordedSize = { bytes: number; cut: boolean };

export function startRecording(
  plan: RunPlan,
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
  env: Readonly<Record<string, string | undefined>>,
  client: ContainerEngine,
): RunRecording | undefined {
  if (!plan.recording) return undefined;
  // The audit log's set (the run's secrets: values), and the values of variables whose names say secret.
  const secretEnv = Object.entries(plan.settings.env).flatMap(([name, value]) =>
    value !== null && isSecretName(name) && value.length >= SHORTEST_MASKED ? [value] : [],
  );
  const session = recordSession(io, {
    tty: plan.tty,
    input: plan.recording.input,
    limitBytes: plan.recording.limitBytes,
    secrets: [...knownSecretValues(), ...secretEnv],
    title: plan.task ?? auditableCommand(plan.command).join(" "),
    env: { TERM: env.TERM, SHELL: env.SHELL },
  });
  return { io: session.io, store: (run, report) => storeRunRecording(session, client, run, report) };
}

/** Stores the recording of a run that ran (not one skipped or failed before its one-off); what the end record says of it. */
async function storeRunRecording(
  recording: SessionRecording,
  client: ContainerEngine,
  run: { plan: RunPlan; runId: string; result: RunResult | undefined },
  report: Reporter,
): Promise<RecordedSize | undefined> {
  const finished = await recording.finish();
  if (!run.result || run.result.ending === "skipped" || run.result.ending === "detached") return undefined;
  try {
    await storeRecording(client, { runId: run.runId, app: run.plan.app, labels: run.plan.settings.label ?? {} }, finished.cast);
    report.info(`session recorded${finished.cut ? ` (cut at record_limit)` : ""}: oneoff replay ${run.runId}`);
    return { bytes: finished.bytes, cut: finished.cut };
  } catch (error) {
    report.warn(`could not store the session's recording on the engine: ${(error as Error).message} (oneoff replay will not find it)`);
    return undefined;
  }
}
