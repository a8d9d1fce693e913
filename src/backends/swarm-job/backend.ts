/**
 * A one-off as a Swarm replicated job: the same plan, release and container spec as a
 * container one-off, restated as a job service (src/requests/service-spec.ts) and run by
 * session.ts; its lock is the service's name (lock.ts). Copies and file secrets go through a
 * container's archive endpoint, which a job's container on another node does not offer: refused.
 */
import { dryRunImageDocument, unresolvedLabel } from "../../release/dry-run-image.js";
import { swarmOf } from "../../engine/swarm/of-engine.js";
import type { SwarmNode } from "../../engine/swarm/types.js";
import { describeEngine } from "../../engine/connect.js";
import type { ContainerEngine } from "../../engine/types.js";
import { OneoffError } from "../../output/errors.js";
import { auditableCommand, redactEnvList } from "../../output/redact.js";
import { registryAuthHeader, registryLogins } from "../../release/credentials.js";
import { parseReleaseReference } from "../../release/reference.js";
import { resolveRelease } from "../../release/resolve.js";
import { buildContainerSpec } from "../../requests/create-body.js";
import { Labels } from "../../requests/labels.js";
import { isServiceName, jobServiceName } from "../../requests/job-name.js";
import { runtimeNotForJobs } from "../../requests/job-runtime.js";
import { buildJobServiceSpec, type ServiceSpec } from "../../requests/service-spec.js";
import type { Backend, ConnectedRun, PlannedRun } from "../backend.js";
import { createJobHoldingLock } from "./lock.js";
import { findJob, listJobs, reapJobsAndTheirContainers } from "./existing.js";
import { checkManager } from "./preflight.js";
import { runSwarmJob } from "./session.js";

export const swarmJobBackend: Backend = {
  kind: "job",
  list: listJobs,
  find: findJob,
  reap: reapJobsAndTheirContainers,
  // On a swarm, each node makes a service's named volumes where its task runs.
  preflight: { checkEngine: checkManager, volumesMustExist: false },

  refuse(plan) {
    const unsupported = runtimeNotForJobs(plan.settings);
    if (unsupported.length) {
      const [first] = unsupported[0] as [keyof typeof plan.provenance, string];
      const from = plan.provenance[first];
      throw new OneoffError(
        `--engine swarm cannot give a job ${unsupported.map(([, flag]) => flag).join(", ")}${from ? ` (from ${from})` : ""}: a service has no such setting`,
        { hint: "run it with --engine docker on a node's engine, or leave the setting out for the one-off" },
      );
    }
    if (plan.files.copyIn.length || plan.files.copyOut.length) {
      throw new OneoffError(`${plan.files.copyIn.length ? "--copy-in" : "--copy-out"} is not available with --engine swarm`, {
        hint: "run with --engine docker against a node's engine, or ship the file in the image or a volume",
      });
    }
    if (plan.name !== undefined && !isServiceName(plan.name)) {
      throw new OneoffError(`--name "${plan.name}": --engine swarm cannot name a job so (a service's name is a DNS label)`, {
        hint: "use at most 63 letters, digits, - and _, starting and ending with a letter or digit, or leave --name out",
      });
    }
    // A service's mounts are the Mounts form, which has no SELinux relabelling.
    const labelled = plan.settings.volume?.find((mount) => mount.selinuxLabel);
    if (labelled) {
      throw new OneoffError(
        `--engine swarm cannot relabel ${labelled.target} for SELinux (:${labelled.selinuxLabel}): a service's mounts have no such option`,
        {
          hint: "leave z/Z out of the mount's mode for the job, or run it with --engine docker on a node's engine",
        },
      );
    }
    const asFile = plan.secrets.find((secret) => secret.delivery.as === "file");
    if (asFile) {
      throw new OneoffError(`secret ${asFile.name} (${asFile.sourceAt}) is delivered as a file, which --engine swarm cannot do`, {
        hint: "use a Swarm secret on the service (docker secret create; --from copies it), or deliver it with as: env",
      });
    }
  },

  dryRun(run, located, image) {
    const { plan } = run;
    const spec = jobSpec(run, plan.releaseReference, plan.releaseReference);
    const container = spec.TaskTemplate.ContainerSpec;
    const labels = { ...spec.Labels, [Labels.releaseImageId]: image.resolved === "id" ? image.imageId : unresolvedLabel(image) };
    const body = {
      ...spec,
      Labels: labels,
      TaskTemplate: {
        ...spec.TaskTemplate,
        ContainerSpec: { ...container, Args: auditableCommand(container.Args ?? []), Env: redactEnvList(container.Env ?? []) },
      },
    };
    return {
      name: spec.Name,
      imageShown: plan.releaseReference,
      document: {
        engine: located ? describeEngine(located) : undefined,
        runsAs: "swarm job",
        name: spec.Name,
        request: { method: "POST", path: "/services/create", body },
        image: dryRunImageDocument(plan.releaseReference, image),
        note: "A job's image is shown as referenced; a real run gives the nodes its registry digest where there is one, else the image ID.",
        from: run.service ? `service ${run.service.name} (${run.service.id.slice(0, 12)})` : undefined,
        provenance: plan.provenance,
      },
    };
  },

  async resolve(run) {
    const swarmNode = await swarmOf(run.client).node();
    if (!swarmNode) throw notAManager(run.client);
    return { ...(await resolveJobImage(run, swarmNode)), swarmNode };
  },

  async prepare(run, release) {
    const { plan, client, report } = run;
    const jobs = swarmOf(client);
    const spec = jobSpec(run, release.imageId, release.image);
    const registryAuth = await nodeRegistryAuth(run, release.image);
    const create = (cancelled: () => boolean) =>
      plan.lock ? lockedJob(run, spec, cancelled, registryAuth) : jobs.createService(spec, registryAuth);
    return {
      name: spec.Name,
      bannerNoun: `a Swarm job, removed on exit (press Enter for a prompt)${plan.tty && plan.interactive ? "; Ctrl-C three times stops it" : ""}`,
      async runAttached(session) {
        const ended = await runSwarmJob({
          client,
          jobs,
          spec,
          plan,
          // A job's terminal session attaches once its task runs: the banner comes then.
          onAttach: plan.tty ? session.banner : undefined,
          io: session.io,
          interrupts: session.interrupts,
          report,
          watchdog: session.watchdog,
          create,
          node: release.swarmNode,
          beforeStart: session.beforeStart,
          beforeRemoval: session.beforeRemoval,
        });
        return {
          exitCode: ended.exitCode,
          id: ended.serviceId,
          ending: ended.ending,
          signal: ended.signal,
          outputFailure: ended.outputFailure,
          job: {
            serviceId: ended.serviceId,
            ...(ended.nodeId ? { nodeId: ended.nodeId } : {}),
            ...(ended.createToExitMs === undefined ? {} : { createToExitMs: ended.createToExitMs }),
          },
        };
      },
      async startDetached() {
        const serviceId = await create(() => false);
        report.info(`started detached job ${spec.Name}; follow it with: oneoff logs -f ${spec.Name}`);
        return { id: serviceId, job: { serviceId } };
      },
    };
  },
};

function credentialOptions(run: Pick<ConnectedRun, "plan" | "env">) {
  return { env: run.env, registryAuth: run.plan.registryAuth };
}

/** The nodes pull the job's image themselves: they get the same credentials the manager's pull had. */
async function nodeRegistryAuth(run: ConnectedRun, image: string): Promise<string | undefined> {
  return parseReleaseReference(image)?.kind === "name" ? registryAuthHeader(image, credentialOptions(run)) : undefined;
}

/** The job's service spec for a resolved release. */
function jobSpec(run: PlannedRun, imageId: string, image: string): ServiceSpec {
  const container = buildContainerSpec(run.plan, { ...run.identity, imageId }, run.suffix);
  return buildJobServiceSpec(container, {
    name: jobServiceName(run.plan, run.suffix),
    image,
    constraints: run.plan.constraints,
    base: run.service?.spec,
  });
}

/**
 * What the nodes run. A digest reference pins the release on every node (each pulls that exact
 * manifest); an image ID means nothing to a registry, so it only serves where the image is.
 */
async function resolveJobImage(run: ConnectedRun, swarm: SwarmNode): Promise<{ imageId: string; image: string }> {
  const { plan, client, report } = run;
  const release = await resolveRelease(client, plan.releaseReference, plan.pull, report, registryLogins(credentialOptions(run)));
  const parsed = parseReleaseReference(plan.releaseReference);
  if (parsed?.kind === "name" && parsed.digest) return { imageId: release.imageId, image: plan.releaseReference };
  const image = await client.inspectImage(release.imageId);
  const repository = parsed?.kind === "name" ? parsed.repository : undefined;
  const digested =
    image?.repoDigests.find((digest) => repository !== undefined && digest.startsWith(`${repository}@`)) ?? image?.repoDigests[0];
  if (digested) return { imageId: release.imageId, image: digested };
  if (parsed?.kind === "id" || !image?.repoTags.length) {
    if (swarm.nodes > 1)
      throw new OneoffError(`release ${plan.releaseReference} has no name a node could pull`, {
        hint: "give the release as repo:tag or repo@digest from a registry",
      });
    return { imageId: release.imageId, image: image?.repoTags[0] ?? plan.releaseReference };
  }
  if (swarm.nodes > 1)
    report.info(
      `release ${plan.releaseReference} has no registry digest: each node runs its own copy of that tag (push it to a registry to pin it)`,
    );
  return { imageId: release.imageId, image: plan.releaseReference };
}

function notAManager(client: ContainerEngine): OneoffError {
  return new OneoffError(`the engine at ${client.endpoint} is not a swarm manager`, {
    hint: "point DOCKER_HOST at a manager node (docker node ls there), or run without --engine swarm",
  });
}

function lockedJob(run: ConnectedRun, spec: ServiceSpec, cancelled: () => boolean, registryAuth: string | undefined): Promise<string> {
  return createJobHoldingLock({
    registryAuth,
    jobs: swarmOf(run.client),
    lock: run.plan.lock as string,
    spec,
    report: run.report,
    cancelled,
    waitMs: run.plan.waitLockMs,
  });
}
