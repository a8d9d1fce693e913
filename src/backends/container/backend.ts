/**
 * A one-off as a container on a Docker engine (or Podman's Docker API): created from the
 * release image ID, attached before it starts, waited for, removed (session.ts); or created,
 * started and left running (detached.ts). Its lock is its container name (lock.ts).
 */
import { createHoldingLock } from "./lock.js";
import { findContainerOneOff, listOneOffs, reapContainers } from "./existing.js";
import { runContainerSession } from "./session.js";
import { keysForHumans } from "../../session/stdin.js";
import { DEFAULT_DETACH_KEYS } from "../../config/value-rules.js";
import { startDetachedContainer } from "./detached.js";
import { registryLogins } from "../../release/credentials.js";
import { resolveRelease } from "../../release/resolve.js";
import { dryRunImageDocument, unresolvedLabel } from "../../release/dry-run-image.js";
import { auditableCommand, redactEnvList } from "../../output/redact.js";
import { describeEngine } from "../../engine/connect.js";
import { filesAndSecretsForDryRun, filesAndSecretsFor, reportSkippedCopyOut } from "../../session/files-and-secrets.js";
import { buildContainerSpec, type ContainerSpec } from "../../requests/create-body.js";
import { dockerRunLine } from "../../requests/docker-run-line.js";
import { Labels } from "../../requests/labels.js";
import type { Backend, ConnectedRun } from "../backend.js";

export const containerBackend: Backend = {
  kind: "container",
  list: listOneOffs,
  find: findContainerOneOff,
  reap: reapContainers,

  // A container can do everything a plan asks.
  refuse() {},

  // Any engine runs containers; a named volume it lacks it would create empty.
  preflight: { checkEngine: async () => [], volumesMustExist: true },

  dryRun({ plan, identity, suffix }, located, image) {
    // The image as the engine resolves the reference now (read-only), which a real run pins;
    // one the engine lacks is shown as referenced, with the registry's digest it would pull.
    const pinned = image.resolved === "id";
    const imageShown = pinned ? image.imageId : plan.releaseReference;
    const spec = buildContainerSpec(
      plan,
      { ...identity, imageId: imageShown },
      suffix,
      located ? located.connection.kind === "unix" : true,
    );
    const labels = pinned ? spec.body.Labels : { ...spec.body.Labels, [Labels.releaseImageId]: unresolvedLabel(image) };
    const body = { ...spec.body, Cmd: auditableCommand(spec.body.Cmd), Env: redactEnvList(spec.body.Env), Labels: labels };
    return {
      name: spec.name,
      imageShown,
      document: {
        engine: located ? describeEngine(located) : undefined,
        name: spec.name,
        request: { method: "POST", path: `/containers/create?name=${spec.name}${spec.platform ? `&platform=${spec.platform}` : ""}`, body },
        ...(spec.extraNetworks.length ? { connectNetworks: spec.extraNetworks } : {}),
        ...filesAndSecretsForDryRun(plan),
        image: dryRunImageDocument(plan.releaseReference, image),
        provenance: plan.provenance,
        dockerRun: dockerRunLine({ ...spec, body }),
      },
    };
  },

  async resolve(run) {
    const release = await resolveRelease(
      run.client,
      run.plan.releaseReference,
      run.plan.pull,
      run.report,
      loginsFor(run),
      run.plan.settings.platform,
    );
    return { imageId: release.imageId, image: release.imageId };
  },

  async prepare(run, release) {
    const { plan, client, report, identity, suffix } = run;
    const spec = buildContainerSpec(plan, { ...identity, imageId: release.imageId }, suffix, client.onThisMachine);
    const filesAndSecrets = filesAndSecretsFor(plan, client, report, run.secrets);
    return {
      name: spec.name,
      bannerNoun: `a one-off container, removed on exit${
        plan.tty && plan.interactive
          ? `; ${keysForHumans(plan.detachKeys ?? DEFAULT_DETACH_KEYS)} detaches, Ctrl-C three times stops it`
          : ""
      }`,
      async runAttached(session) {
        if (plan.tty) session.banner();
        const ended = await runContainerSession({
          client,
          spec,
          plan,
          io: session.io,
          interrupts: session.interrupts,
          report,
          watchdog: session.watchdog,
          create: plan.lock ? (cancelled: () => boolean) => lockedCreate(run, spec, cancelled) : undefined,
          beforeStart: session.beforeStart,
          beforeRemoval: session.beforeRemoval,
          ...filesAndSecrets.hooks,
        });
        reportSkippedCopyOut(plan, ended.ending, report, filesAndSecrets.copiedOut());
        return {
          exitCode: ended.exitCode,
          id: ended.containerId,
          ending: ended.ending,
          signal: ended.signal,
          outputFailure: ended.outputFailure,
        };
      },
      async startDetached() {
        const containerId = await startDetachedContainer(
          client,
          spec,
          plan.lock ? () => lockedCreate(run, spec, () => false) : undefined,
          filesAndSecrets.hooks.prepare,
        );
        report.info(`started detached one-off ${spec.name}; follow it with: oneoff logs -f ${containerId.slice(0, 12)}`);
        return { id: containerId };
      },
    };
  },
};

function loginsFor({ plan, env }: Pick<ConnectedRun, "plan" | "env">) {
  return registryLogins({ env, registryAuth: plan.registryAuth });
}

function lockedCreate({ plan, client, report }: ConnectedRun, spec: ContainerSpec, cancelled: () => boolean): Promise<string> {
  return createHoldingLock({
    client,
    lock: plan.lock as string,
    name: spec.name,
    body: spec.body,
    platform: spec.platform,
    report,
    cancelled,
    waitMs: plan.waitLockMs,
  });
}
