/**
 * Whether a run's session is recorded: `record:` at the most specific level of oneoff.yaml that
 * says anything (a task, then its environment, then the top level), or --record. A config's
 * `record: false` wins over the flag: a team decides that a task showing customer data is never
 * recorded, and an operator cannot turn a recording the team asked for off (there is no
 * --no-record). Pure.
 */
import type { AppConfig, EnvironmentDefinition, TaskDefinition } from "../types/config.js";
import type { RecordingPlan } from "../types/plan.js";

/** The cast's cap when record_limit: does not say: 64 MiB of uncompressed cast. */
export const DEFAULT_RECORD_LIMIT_BYTES = 64 * 1024 ** 2;

export function recordingChoice(
  flag: boolean | undefined,
  config: Pick<AppConfig, "record" | "recordLimitBytes"> | undefined,
  environment: Pick<EnvironmentDefinition, "name" | "record"> | undefined,
  task: Pick<TaskDefinition, "name" | "record"> | undefined,
  detach = false,
): { recording?: RecordingPlan; recordingRefused?: string } {
  const said =
    task?.record !== undefined
      ? { setting: task.record, where: `tasks.${task.name}.record` }
      : environment?.record !== undefined
        ? { setting: environment.record, where: `environments.${environment.name}.record` }
        : config?.record !== undefined
          ? { setting: config.record, where: "record" }
          : undefined;
  if (said?.setting === false) {
    return flag
      ? { recordingRefused: `not recording this session: ${said.where} is false in oneoff.yaml, which --record does not override` }
      : {};
  }
  if (!said && !flag) return {};
  if (detach) return { recordingRefused: "not recording: a detached one-off has no session to record (oneoff logs shows its output)" };
  return { recording: { input: said?.setting === "input", limitBytes: config?.recordLimitBytes ?? DEFAULT_RECORD_LIMIT_BYTES } };
}
