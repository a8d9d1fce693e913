/**
 * What a one-off carries besides its settings: files copied in before start (--copy-in and
 * secrets delivered as files), secrets delivered as env, and files copied out after exit
 * (--copy-out). One place that turns the plan into the session's prepare/collect hooks and
 * into what --dry-run and the audit log say, so a backend only wires them. (Secrets as env
 * are put in the plan itself: plan/secret-env.ts.)
 */
import type { RunPlan } from "../types/plan.js";
import type { SecretValue } from "../config/secret-values.js";
import { sourceLocation } from "../config/secrets.js";
import type { ContainerEngine } from "../engine/types.js";
import { redactSecretValues } from "../output/redact.js";
import type { Reporter } from "../output/reporter.js";
import type { Ending } from "../types/result.js";

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
  client: ContainerEngine,
  report: Reporter,
  secrets: readonly SecretValue[] = [],
): FilesAndSecrets {
  const { copyIn, copyOut } = plan.files;
  const secretFiles = secrets.filter(({ secret }) => secret.delivery.as === "file");
  // Loaded on demand: runs without files never pay for tar-fs and tar-stream.
  const prepare = async (containerId: string, signal?: AbortSignal) => {
    const [{ copyIntoOneOff }, { deliverSecretFiles }] = await Promise.all([import("./files.js"), import("./secret-files.js")]);
    await copyIntoOneOff(client, containerId, copyIn, signal);
    // After copy-in: a secret is never overwritten by a copied file.
    await deliverSecretFiles(client, containerId, secretFiles, plan.settings.volume);
  };
  let attempted = false;
  const collect = async (containerId: string, exitCode: number, signal?: AbortSignal) => {
    attempted = true;
    const { copyOutOfOneOff } = await import("./files.js");
    return copyOutOfOneOff(client, containerId, copyOut, exitCode, report, { limitBytes: plan.files.copyOutLimitBytes, signal });
  };
  return {
    hooks: { prepare: copyIn.length || secretFiles.length ? prepare : undefined, collect: copyOut.length ? collect : undefined },
    copiedOut: () => attempted,
  };
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
