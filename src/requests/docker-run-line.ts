/**
 * The `docker run` command line equivalent to a ContainerSpec, for --dry-run: users can read,
 * diff or paste it. Secret values are redacted. Pure.
 */
import { shellQuote } from "../formats/words.js";
import { redactEnvList } from "../output/redact.js";
import type { ContainerSpec } from "./create-body.js";
import { mountFlagValue } from "./mounts.js";
import { runtimeFlagWords, runtimeFromHostConfig } from "./runtime-settings.js";

export function dockerRunLine(spec: ContainerSpec): string {
  const { body } = spec;
  const args: string[] = ["docker", "run", "--rm", "--name", spec.name];
  if (body.OpenStdin && body.Tty) args.push("-it");
  else if (body.OpenStdin) args.push("-i");
  else if (body.Tty) args.push("-t");
  for (const entry of redactEnvList(body.Env)) args.push("-e", entry);
  if (spec.platform) args.push("--platform", spec.platform);
  // Several --network flags need docker 25+; older engines take one and a `network connect`.
  for (const network of [body.HostConfig.NetworkMode, ...spec.extraNetworks]) if (network) args.push("--network", network);
  for (const bind of body.HostConfig.Binds ?? []) args.push("-v", bind);
  for (const target of Object.keys(body.Volumes ?? {})) args.push("-v", target);
  for (const mount of body.HostConfig.Mounts ?? []) args.push("--mount", mountFlagValue(mount));
  if (body.StopTimeout !== undefined) args.push("--stop-timeout", String(body.StopTimeout));
  args.push(...runtimeFlagWords(runtimeFromHostConfig(body.HostConfig, {}, body)));
  for (const [key, value] of Object.entries(body.Labels)) args.push("--label", `${key}=${value}`);
  // docker run takes one entrypoint word; the rest of a longer entrypoint goes before the command.
  const [entrypoint, ...entrypointArgs] = body.Entrypoint ?? [];
  if (entrypoint !== undefined) args.push("--entrypoint", entrypoint);
  args.push(body.Image, ...entrypointArgs, ...body.Cmd);
  return args.map(shellQuote).join(" ");
}
