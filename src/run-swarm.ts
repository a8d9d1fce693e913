/**
 * `oneoff run --engine swarm`: the same plan, release and container spec as a container
 * one-off, restated as a Swarm job service (src/spec/service-spec.ts) and run by
 * src/session/swarm-job.ts. Called from run.ts, which owns the audit line.
 */
import type { Readable, Writable } from "node:stream";
import type { RunPlan } from "./types/plan.js";
import { swarmOf } from "./config/sources.js";
import type { ServiceDefinition } from "./engine/swarm/types.js";
import type { ContainerEngine } from "./engine/types.js";
import { describeEngine, type LocatedEngine } from "./engine/connect.js";
import { createJobHoldingLock } from "./lifecycle/swarm-lock.js";
import { recordInLedger, releaseDone } from "./lifecycle/run-records.js";
import type { Watchdog } from "./lifecycle/watchdog.js";
import { OneoffError } from "./output/errors.js";
import { auditableCommand, redactedJson, redactEnvList } from "./output/redact.js";
import type { Reporter } from "./output/reporter.js";
import { parseReleaseReference } from "./release/reference.js";
import { resolveRelease } from "./release/resolve.js";
import { registryAuthHeader, registryLogins } from "./release/credentials.js";
import { describe, type Identity } from "./run-describe.js";
import type { RunContext } from "./types/context.js";
import type { RunResult } from "./types/result.js";
import { abortInterrupts, noInterrupts } from "./session/interrupts.js";
import { runSwarmJob } from "./session/swarm-job.js";
import { buildContainerSpec } from "./spec/create-body.js";
import { Labels } from "./spec/labels.js";
import { buildJobServiceSpec, type ServiceSpec } from "./spec/service-spec.js";

export interface JobRun {
  plan: RunPlan;
  identity: Identity;
  suffix: string;
  engine: ContainerEngine;
  report: Reporter;
  /** The long-running service the job copies (--from), if any. */
  service: ServiceDefinition | undefined;
  /** Where registry credentials are read from (DOCKER_CONFIG, --registry-auth's variable). */
  env: Readonly<Record<string, string | undefined>>;
}

function credentialOptions(run: Pick<JobRun, "plan" | "env">) {
  return { env: run.env, ...(run.plan.registryAuth ? { registryAuth: run.plan.registryAuth } : {}) };
}

/** The nodes pull the job's image themselves: they get the same credentials the manager's pull had. */
async function nodeRegistryAuth(run: JobRun, image: string): Promise<string | undefined> {
  return parseReleaseReference(image)?.kind === "name" ? registryAuthHeader(image, credentialOptions(run)) : undefined;
}

/** The job's service spec for a resolved release. */
function jobSpec(run: Pick<JobRun, "plan" | "identity" | "suffix" | "service">, imageId: string, image: string): ServiceSpec {
  const container = buildContainerSpec(run.plan, { ...run.identity, imageId }, run.suffix);
  return buildJobServiceSpec(container, {
    image,
    stopGraceSeconds: run.plan.stopTimeoutSeconds,
    constraints: run.plan.constraints,
    ...(run.service ? { base: run.service.spec } : {}),
  });
}

/**
 * What the nodes run. A digest reference pins the release on every node (each pulls that exact
 * manifest); an image ID means nothing to a registry, so it only serves where the image is.
 */
async function resolveJobImage(run: JobRun): Promise<{ imageId: string; image: string }> {
  const { plan, engine, report } = run;
  const release = await resolveRelease(engine, plan.releaseReference, plan.pull, report, registryLogins(credentialOptions(run)));
  const parsed = parseReleaseReference(plan.releaseReference);
  if (parsed?.kind === "name" && parsed.digest) return { imageId: release.imageId, image: plan.releaseReference };
  const image = await engine.inspectImage(release.imageId);
  const repository = parsed?.kind === "name" ? parsed.repository : undefined;
  const digested = image?.repoDigests.find((digest) => repository !== undefined && digest.startsWith(`${repository}@`)) ?? image?.repoDigests[0];
  if (digested) return { imageId: release.imageId, image: digested };
  const swarm = await swarmOf(engine).node();
  if (!swarm) throw notAManager(engine);
  if (parsed?.kind === "id" || !image?.repoTags.length) {
    if (swarm.nodes > 1) throw new OneoffError(`release ${plan.releaseReference} has no name a node could pull`, { hint: "give the release as repo:tag or repo@digest from a registry" });
    return { imageId: release.imageId, image: image?.repoTags[0] ?? plan.releaseReference };
  }
  if (swarm.nodes > 1) report.info(`release ${plan.releaseReference} has no registry digest: each node runs its own copy of that tag (push it to a registry to pin it)`);
  return { imageId: release.imageId, image: plan.releaseReference };
}

function notAManager(engine: ContainerEngine): OneoffError {
  return new OneoffError(`the engine at ${engine.endpoint} is not a swarm manager`, {
    hint: "point DOCKER_HOST at a manager node (docker node ls there), or run without --engine swarm",
  });
}

export async function attachedJob(
  run: JobRun,
  context: Partial<RunContext>,
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
  watchdog: Watchdog,
): Promise<RunResult> {
  const { plan, engine, report, identity } = run;
  try {
    const jobs = swarmOf(engine);
    if (!(await jobs.node())) throw notAManager(engine);
    const { imageId, image } = await resolveJobImage(run);
    const spec = jobSpec(run, imageId, image);
    const registryAuth = await nodeRegistryAuth(run, image);
    const alreadyDone = plan.release && !plan.release.force ? () => releaseDone(engine, plan, imageId, report) : undefined;
    if (alreadyDone && (await alreadyDone())) {
      watchdog.release();
      return { ...describe(plan, identity, { name: spec.Name }, imageId), exitCode: 0, containerId: "", ending: "skipped", endedAt: new Date() };
    }
    const banner = `${plan.app} one-off${plan.task ? ` ${plan.task}` : ""}: release ${imageId.replace(/^sha256:/, "").slice(0, 12)} (${plan.releaseReference}) as ${identity.startedBy}; a Swarm job, removed on exit (press Enter for a prompt)`;
    const session = await runSwarmJob({
      engine,
      jobs,
      spec,
      command: plan.command,
      tty: plan.tty,
      interactive: plan.interactive,
      ...(plan.tty ? { onAttach: () => report.info(banner) } : {}),
      ...(plan.detachKeys ? { detachKeys: plan.detachKeys } : {}),
      stopTimeoutSeconds: plan.stopTimeoutSeconds,
      ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
      io,
      interrupts: context.interrupts ?? (context.signal ? abortInterrupts(context.signal) : noInterrupts),
      report,
      watchdog,
      create: (cancelled: () => boolean) => (plan.lock ? lockedJob(run, spec, cancelled, registryAuth) : jobs.createService(spec, registryAuth)),
      ...(alreadyDone ? { beforeStart: async () => !(await alreadyDone()) } : {}),
      // Recorded while the job, and so the lock, still exists.
      ...(plan.release ? { beforeRemoval: (ended: { exitCode: number }) => recordInLedger(engine, plan, identity, imageId, ended.exitCode, report) } : {}),
    });
    return {
      ...describe(plan, identity, { name: spec.Name }, imageId),
      exitCode: session.exitCode,
      containerId: session.serviceId,
      ending: session.ending,
      ...(session.signal ? { signal: session.signal } : {}),
      job: { serviceId: session.serviceId, ...(session.nodeId ? { nodeId: session.nodeId } : {}), ...(session.createToExitMs === undefined ? {} : { createToExitMs: session.createToExitMs }) },
      endedAt: new Date(),
    };
  } catch (error) {
    watchdog.release();
    throw error;
  }
}

export async function detachedJob(run: JobRun): Promise<RunResult> {
  const { plan, engine, report, identity } = run;
  const jobs = swarmOf(engine);
  if (!(await jobs.node())) throw notAManager(engine);
  const { imageId, image } = await resolveJobImage(run);
  const spec = jobSpec(run, imageId, image);
  const registryAuth = await nodeRegistryAuth(run, image);
  const serviceId = plan.lock ? await lockedJob(run, spec, () => false, registryAuth) : await jobs.createService(spec, registryAuth);
  report.info(`started detached job ${spec.Name}; follow it with: oneoff logs -f ${spec.Name}`);
  return { ...describe(plan, identity, { name: spec.Name }, imageId), exitCode: 0, containerId: serviceId, ending: "detached", job: { serviceId }, endedAt: new Date() };
}

function lockedJob(run: JobRun, spec: ServiceSpec, cancelled: () => boolean, registryAuth: string | undefined): Promise<string> {
  return createJobHoldingLock({
    ...(registryAuth ? { registryAuth } : {}),
    jobs: swarmOf(run.engine),
    lock: run.plan.lock as string,
    spec,
    report: run.report,
    cancelled,
    ...(run.plan.waitLockMs === undefined ? {} : { waitMs: run.plan.waitLockMs }),
  });
}

/** --dry-run: the service create request, redacted, without talking to an engine. */
export function dryRunJob(run: Omit<JobRun, "engine" | "report" | "env">, stdout: Writable, located: LocatedEngine | undefined): RunResult {
  const { plan, identity } = run;
  const parsed = parseReleaseReference(plan.releaseReference);
  const pinned = parsed?.kind === "name" && parsed.digest !== undefined;
  const spec = jobSpec(run, plan.releaseReference, plan.releaseReference);
  const container = spec.TaskTemplate.ContainerSpec;
  const labels = { ...spec.Labels, [Labels.releaseImageId]: "<resolved at run time>" };
  const body = {
    ...spec,
    Labels: labels,
    TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, Args: auditableCommand(container.Args ?? []), Env: redactEnvList(container.Env ?? []) } },
  };
  const document = {
    config: run.plan.configPath ?? null,
    ...(located ? { engine: describeEngine(located) } : {}),
    runsAs: "swarm job",
    name: spec.Name,
    request: { method: "POST", path: "/services/create", body },
    ...(pinned ? {} : { note: `Image is shown as referenced; a real run pins it to the digest (or image ID) ${plan.releaseReference} resolves to.` }),
    ...(run.service ? { from: `service ${run.service.name} (${run.service.id.slice(0, 12)})` } : {}),
    provenance: plan.provenance,
  };
  stdout.write(`${redactedJson(document, 2)}\n`);
  return { ...describe(plan, identity, { name: spec.Name }, plan.releaseReference), exitCode: 0, containerId: "", ending: "dry-run", endedAt: new Date() };
}

/**
 * What a Swarm job cannot do that a container one-off can: oneoff copies files in and out
 * through the container's archive endpoint, which a job's container on another node does not
 * offer. Refused before anything is created.
 */
export function refuseContainerOnly(plan: RunPlan): void {
  if (plan.files.copyIn.length || plan.files.copyOut.length) {
    throw new OneoffError(`${plan.files.copyIn.length ? "--copy-in" : "--copy-out"} is not available with --engine swarm`, {
      hint: "run with --engine docker against a node's engine, or ship the file in the image or a volume",
    });
  }
  const asFile = plan.secrets.find((secret) => secret.delivery.as === "file");
  if (asFile) {
    throw new OneoffError(`secret ${asFile.name} (${asFile.sourceAt}) is delivered as a file, which --engine swarm cannot do`, {
      hint: "use a Swarm secret on the service (docker secret create; --from copies it), or deliver it with as: env",
    });
  }
}
