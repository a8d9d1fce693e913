/**
 * What a one-off carries besides its settings: files copied in before start (--copy-in and
 * secrets delivered as files), secrets delivered as env, and files copied out after exit
 * (--copy-out). One place that turns the plan into the session's prepare/collect hooks and
 * into what --dry-run and the audit log say, so a backend only wires them.
 */
import type { RunPlan } from "../types/plan.js";
import { envValueProblem } from "../formats/env-rules.js";
import type { SecretValue } from "../config/secret-values.js";
import { sourceLocation } from "../config/secrets.js";
import type { ContainerEngine } from "../engine/types.js";
import { OneoffError } from "../output/errors.js";
import { REDACTED, redactSecretValues } from "../output/redact.js";
import type { Reporter } from "../output/reporter.js";
import type { Ending } from "../types/result.js";
import { userKeyed } from "../formats/user-keys.js";

interface FileAndSecretHooks {
  prepare?: (containerId: string, signal?: AbortSignal) => Promise<void>;
  collect?: (containerId: string, exitCode: number, signal?: AbortSignal) => Promise<number>;
}

export interface FilesAndSecrets {
  hooks: FileAndSecretHooks;
  /** Whether copy-out was attempted (it is not after a timeout or an interrupt of the command). */
  copiedOut(): boolean;
}

export function filesAndSecretsFor(
  plan: RunPlan,
  engine: ContainerEngine,
  report: Reporter,
  secrets: readonly SecretValue[] = [],
): FilesAndSecrets {
  const { copyIn, copyOut } = plan.files;
  const secretFiles = secrets.filter(({ secret }) => secret.delivery.as === "file");
  // Loaded on demand: runs without files never pay for tar-fs and tar-stream.
  const prepare = async (containerId: string, signal?: AbortSignal) => {
    const [{ copyIntoOneOff }, { deliverSecretFiles }] = await Promise.all([import("./files.js"), import("./secret-files.js")]);
    await copyIntoOneOff(engine, containerId, copyIn, signal);
    // After copy-in: a secret is never overwritten by a copied file.
    await deliverSecretFiles(engine, containerId, secretFiles, plan.settings.mounts);
  };
  let attempted = false;
  const collect = async (containerId: string, exitCode: number, signal?: AbortSignal) => {
    attempted = true;
    const { copyOutOfOneOff } = await import("./files.js");
    return copyOutOfOneOff(engine, containerId, copyOut, exitCode, report, { limitBytes: plan.files.copyOutLimitBytes, signal });
  };
  return {
    hooks: { ...(copyIn.length || secretFiles.length ? { prepare } : {}), ...(copyOut.length ? { collect } : {}) },
    copiedOut: () => attempted,
  };
}

/**
 * The plan with its env-delivered secrets in the environment: their values, or (for
 * --dry-run, which reads no secret) a placeholder.
 */
export function withSecretEnv(plan: RunPlan, values: readonly SecretValue[] | undefined): RunPlan {
  const envSecrets = plan.secrets.filter((secret) => secret.delivery.as === "env");
  if (!envSecrets.length) return plan;
  const env = userKeyed(Object.entries(plan.settings.env));
  const provenance = userKeyed(Object.entries(plan.provenance));
  for (const secret of envSecrets) {
    const variable = (secret.delivery as { variable: string }).variable;
    const value = values ? (values.find((item) => item.secret === secret)?.value.toString("utf8") ?? "") : REDACTED;
    const problem = envValueProblem(variable, value);
    if (problem)
      throw new OneoffError(`secret ${secret.name}: ${problem.replace(value, REDACTED)}`, { hint: "deliver it as a file (drop as: env)" });
    env[variable] = value;
    provenance[`env.${variable}`] = `secret ${secret.name}`;
  }
  return { ...plan, settings: { ...plan.settings, env }, provenance };
}

/**
 * Copy-out happens only for a command that exited by itself: say so when it did not (an
 * interrupted copy-out has said so itself).
 */
export function reportSkippedCopyOut(plan: RunPlan, ending: Ending | "detached", report: Reporter, attempted: boolean): void {
  if (!plan.files.copyOut.length || attempted || ending === "exited" || ending === "skipped") return;
  const why =
    ending === "timeout"
      ? "it timed out"
      : ending === "interrupted"
        ? "it was interrupted"
        : ending === "detached"
          ? "the session detached"
          : ending === "output-failed"
            ? "its output could not be written"
            : "its output stream was lost";
  report.warn(`--copy-out skipped: the one-off did not finish by itself (${why}), so its files may be partial`);
}

/** For the audit log: paths (a secret value typed into one masked) and secret names only. */
export function filesAndSecretsForTheRecord(plan: RunPlan): { copyIn?: string[]; copyOut?: string[]; secrets?: string[] } {
  const { copyIn, copyOut } = plan.files;
  return {
    ...(copyIn.length ? { copyIn: copyIn.map((copy) => redactSecretValues(`${copy.local} -> ${copy.container}`)) } : {}),
    ...(copyOut.length ? { copyOut: copyOut.map((copy) => redactSecretValues(`${copy.container} -> ${copy.local}`)) } : {}),
    ...(plan.secrets.length ? { secrets: plan.secrets.map((secret) => secret.name) } : {}),
  };
}

/** For --dry-run: what would be copied, and where each secret would come from and go, never a value. */
export function filesAndSecretsForDryRun(plan: RunPlan): Record<string, unknown> {
  const { secrets: _names, ...copies } = filesAndSecretsForTheRecord(plan);
  return {
    ...copies,
    ...(plan.secrets.length
      ? {
          secrets: plan.secrets.map((secret) => ({
            name: secret.name,
            from:
              secret.source.kind === "command" ? `command at ${sourceLocation(secret)}` : `${secret.source.kind} ${secret.source.value}`,
            to:
              secret.delivery.as === "file"
                ? `file ${secret.delivery.target} (mode 0400, owned by the one-off's user)`
                : `env ${secret.delivery.variable}`,
          })),
        }
      : {}),
  };
}
