/**
 * `oneoff diff PROCESS` as a core call: the one-off oneoff would create (the plan, its release
 * resolved without pulling, its create body) against what the running process has.
 */
import path from "node:path";
import { findConfigFile } from "../config/load.js";
import { findProcess } from "../config/running.js";
import { rememberReadableSecrets } from "../config/secret-values.js";
import { OneoffError } from "../output/errors.js";
import type { ContainerEngine } from "../engine/types.js";
import { silentReporter } from "../output/reporter.js";
import { resolveRelease } from "../release/resolve.js";
import { buildContainerSpec } from "../requests/create-body.js";
import { diffAgainstProcess, type DiffRow, type SecretVariables } from "../requests/diff.js";
import { withSecretEnv } from "../plan/secret-env.js";
import type { RunContext } from "../types/context.js";
import type { RunOptions } from "../types/options.js";
import type { RunPlan } from "../types/plan.js";
import { planRun } from "./run.js";

export interface DiffResult {
  /** The running container compared with. */
  container: string;
  rows: DiffRow[];
  same: boolean;
}

export async function diffWithProcess(
  from: string,
  options: Pick<RunOptions, "config" | "release" | "host" | "dockerContext" | "envName">,
  context: Pick<RunContext, "cwd" | "env">,
  connect: () => Promise<ContainerEngine>,
): Promise<DiffResult> {
  if (!options.config && !options.release && !context.env.ONEOFF_RELEASE && !findConfigFile(context.cwd, context.env)) {
    throw new OneoffError(
      `nothing here describes a one-off to compare with ${from}: no oneoff.yaml in ${context.cwd} or above, and no --release`,
      {
        hint: "run oneoff diff in the app's directory, pass --config FILE, or --release IMAGE to compare that image",
      },
    );
  }
  // Planned first: a config problem is reported before anything about the engine. Without
  // ONEOFF_LABELS: they mark the one-offs this environment starts (a CI job's), as oneoff's own
  // labels mark every one-off, and neither is a setting the app's process could share.
  const planned = await planRun({ command: ["true"], ...options }, context.cwd, { ...context.env, ONEOFF_LABELS: undefined });
  const secretVariables = secretVariablesOf(planned, context);
  // The one-off has its env secrets (as --dry-run shows them, masked), whatever their values.
  const plan = withSecretEnv(planned, undefined);
  const client = await connect();
  const [running] = await findProcess(client, from, plan.app, "diff");
  const release = await resolveRelease(client, plan.releaseReference, "never", silentReporter);
  // Only the create body is compared: who starts it, and when, does not matter here.
  const spec = buildContainerSpec(
    plan,
    { imageId: release.imageId, startedBy: "", startedAt: new Date(0), version: "", owner: "", runId: "" },
    "diff",
  );
  const image = await client.inspectImage(release.imageId);
  const runningProcess = running as NonNullable<typeof running>;
  const rows = diffAgainstProcess(spec, runningProcess, image ?? undefined, secretVariables);
  return { container: runningProcess.name, rows, same: rows.every((row) => row.same) };
}

/**
 * The variables the plan's secrets are delivered in, with the values that can be read without
 * running anything (as --dry-run reads them): a secret's command is never run by diff.
 */
function secretVariablesOf(plan: RunPlan, context: Pick<RunContext, "cwd" | "env">): SecretVariables {
  const secretsDir = plan.configPath ? path.dirname(plan.configPath) : context.cwd;
  const read = rememberReadableSecrets(plan.secrets, context.env, secretsDir);
  const variables = new Map<string, string | undefined>();
  for (const secret of plan.secrets) {
    if (secret.delivery.as !== "env") continue;
    variables.set(secret.delivery.variable, read.find((item) => item.secret === secret)?.value.toString("utf8"));
  }
  return variables;
}
