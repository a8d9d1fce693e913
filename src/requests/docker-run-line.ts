/**
 * The `docker run` command line equivalent to a ContainerSpec, for --dry-run: users can read,
 * diff or paste it. Secret values are redacted (the env row's shown words). Pure.
 */
import { shellQuote } from "../formats/words.js";
import type { ContainerSpec } from "./create-body.js";
import { runtimeFlagWords, runtimeOfSpec, runtimeWordsAfterImage } from "./runtime-settings.js";

export function dockerRunLine(spec: ContainerSpec): string {
  const { body } = spec;
  const args: string[] = ["docker", "run", "--rm", "--name", spec.name];
  if (body.OpenStdin && body.Tty) args.push("-it");
  else if (body.OpenStdin) args.push("-i");
  else if (body.Tty) args.push("-t");
  // The table's rows, -e first (its words mask secret values); several --network flags need
  // docker 25+, older engines take one and a `network connect`.
  const runtime = runtimeOfSpec(spec);
  args.push(...runtimeFlagWords(runtime));
  // The labels the label row does not read back as the user's (oneoff's own), after the row's.
  for (const [key, value] of Object.entries(body.Labels))
    if (!Object.hasOwn(runtime.label ?? {}, key)) args.push("--label", `${key}=${value}`);
  args.push(body.Image, ...runtimeWordsAfterImage(runtime), ...body.Cmd);
  return args.map(shellQuote).join(" ");
}
