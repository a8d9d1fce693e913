/**
 * Secrets delivered as env, put in the plan's environment before any backend sees it: the
 * container's create body, the job's service spec, --dry-run and diff all read them from there.
 * Outside the env row's layers: planning reads no secret, so their values come after it.
 */
import type { SecretValue } from "../config/secret-values.js";
import { envValueProblem } from "../formats/env-rules.js";
import { userKeyed } from "../formats/user-keys.js";
import { OneoffError } from "../output/errors.js";
import { REDACTED } from "../output/redact.js";
import type { RunPlan } from "../types/plan.js";

/**
 * The plan with its env-delivered secrets in the environment: their values, or (for
 * --dry-run, which reads no secret) a placeholder.
 */
export function withSecretEnv(plan: RunPlan, values: readonly SecretValue[] | undefined): RunPlan {
  const envSecrets = plan.secrets.filter((secret) => secret.delivery.as === "env");
  if (!envSecrets.length) return plan;
  const env = userKeyed<string | null>(Object.entries(plan.settings.env));
  const provenance = userKeyed(Object.entries(plan.provenance));
  for (const secret of envSecrets) {
    const variable = (secret.delivery as { variable: string }).variable;
    const value = values ? (values.find((item) => item.secret === secret)?.value.toString("utf8") ?? "") : REDACTED;
    const problem = envValueProblem(variable, value);
    if (problem)
      throw new OneoffError(`secret ${secret.name}: ${problem.replace(value, REDACTED)}`, { hint: "deliver it as a file (drop as: env)" });
    // Over an `-e NAME` unset here, as a value alone: after the other values (settings/env-row.ts).
    if (env[variable] === null) delete env[variable];
    env[variable] = value;
    provenance[`env.${variable}`] = `secret ${secret.name}`;
  }
  return { ...plan, settings: { ...plan.settings, env }, provenance };
}
