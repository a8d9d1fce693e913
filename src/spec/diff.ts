/**
 * `oneoff diff`: the one-off oneoff would create, next to a running process. Pure. Secret
 * values are never shown, only whether they differ.
 */
import type { ProcessDefinition } from "../types/process.js";
import { envListToMap, PER_CONTAINER_ENV } from "../formats/env-rules.js";
import { isSecretName, redactEnvValue } from "../output/redact.js";
import type { ContainerSpec } from "./create-body.js";

export interface DiffRow {
  /** "image", "user", "workdir", "networks", "mounts", or "env NAME". */
  what: string;
  oneOff: string;
  running: string;
  same: boolean;
}

/** `imageEnv`: the release image's own ENV, which the one-off gets under the spec's env. */
export function diffAgainstProcess(spec: ContainerSpec, process: ProcessDefinition, imageEnv: readonly string[] = []): DiffRow[] {
  const { body } = spec;
  const row = (what: string, oneOff: string, running: string): DiffRow => ({ what, oneOff, running, same: oneOff === running });
  const rows = [
    row("image", body.Image, process.imageId),
    row("user", body.User ?? "", process.user),
    row("workdir", body.WorkingDir ?? "", process.workdir),
    row(
      "networks",
      [body.HostConfig.NetworkMode, ...spec.extraNetworks].filter(Boolean).sort().join(", "),
      [...process.networks].sort().join(", "),
    ),
    row(
      "mounts",
      (body.HostConfig.Mounts ?? [])
        .map((mount) => `${mount.Source ?? ""}:${mount.Target}${mount.ReadOnly ? ":ro" : ""}`)
        .sort()
        .join(", "),
      process.mounts
        .map((mount) => `${mount.source}:${mount.target}${mount.readOnly ? ":ro" : ""}`)
        .sort()
        .join(", "),
    ),
  ];
  const ours = { ...envListToMap(imageEnv), ...envListToMap(body.Env) };
  const theirs = envListToMap(process.env);
  for (const name of [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort()) {
    if (PER_CONTAINER_ENV.has(name)) continue;
    const a = ours[name];
    const b = theirs[name];
    const same = a === b;
    // A secret's value is never printed: only whether it is there and whether it differs.
    const show = (value: string | undefined) =>
      value === undefined ? "(unset)" : isSecretName(name) ? (same ? "(secret)" : "(secret, differs)") : redactEnvValue(name, value);
    rows.push({ what: `env ${name}`, oneOff: show(a), running: show(b), same });
  }
  return rows;
}
