/**
 * `oneoff run --dry-run` for a container one-off: the create request oneoff would send, with
 * secrets redacted, and the equivalent `docker run` line. Talks to no engine. (A Swarm job's
 * is dryRunJob in run-swarm.ts.)
 */
import type { Writable } from "node:stream";
import type { RunPlan } from "./types/plan.js";
import { describeEngine, type LocatedEngine } from "./engine/connect.js";
import { auditableCommand, redactedJson, redactEnvList } from "./output/redact.js";
import { parseReleaseReference } from "./release/reference.js";
import { describe, type Identity } from "./run-describe.js";
import type { RunResult } from "./types/result.js";
import { dryRunPayload } from "./session/payload.js";
import { buildContainerSpec } from "./spec/create-body.js";
import { dockerRunLine } from "./spec/docker-run-line.js";
import { Labels } from "./spec/labels.js";

export function dryRun(plan: RunPlan, identity: Identity, suffix: string, stdout: Writable, located: LocatedEngine | undefined): RunResult {
  // A dry run talks to no engine: the image stays as referenced, noted as such.
  const parsed = parseReleaseReference(plan.releaseReference);
  const pinned = parsed?.kind === "id";
  const imageId = pinned ? parsed.id : plan.releaseReference;
  const spec = buildContainerSpec(plan, { ...identity, imageId }, suffix);
  const labels = pinned ? spec.body.Labels : { ...spec.body.Labels, [Labels.releaseImageId]: "<resolved at run time>" };
  const body = { ...spec.body, Cmd: auditableCommand(spec.body.Cmd), Env: redactEnvList(spec.body.Env), Labels: labels };
  const document = {
    config: plan.configPath ?? null,
    ...(located ? { engine: describeEngine(located) } : {}),
    name: spec.name,
    request: { method: "POST", path: `/containers/create?name=${spec.name}`, body },
    ...(spec.extraNetworks.length ? { connectNetworks: spec.extraNetworks } : {}),
    ...dryRunPayload(plan),
    ...(pinned ? {} : { note: `Image is shown as referenced; a real run pins it to the image ID ${plan.releaseReference} resolves to.` }),
    provenance: plan.provenance,
    dockerRun: dockerRunLine({ ...spec, body }),
  };
  stdout.write(`${redactedJson(document, 2)}\n`);
  const now = new Date();
  return { ...describe(plan, identity, spec, imageId), exitCode: 0, containerId: "", ending: "dry-run", endedAt: now };
}
