/**
 * Container one-offs as the engine knows them (found by oneoff's labels): listing them and
 * reading their labels back into something to show (ps, through existing.ts), and finding one
 * by ID or name with its details (oneoff attach).
 */
import type { ContainerDetails, ContainerEngine } from "../../engine/types.js";
import { OneoffError } from "../../output/errors.js";
import { commandOf, isDetached, Labels } from "../../requests/labels.js";
import type { OneOffView } from "../../types/oneoff-view.js";

/** Pure: what `ps` shows of a one-off. */
export function viewOf(container: ContainerDetails): OneOffView {
  const labels = container.labels;
  const command = commandOf(labels);
  const ended = container.state === "exited" || container.state === "dead";
  const start = container.startedAt ?? (labels[Labels.startedAt] ? new Date(labels[Labels.startedAt] as string) : undefined);
  return {
    id: container.id,
    name: container.name,
    app: labels[Labels.app] ?? "",
    ...(labels[Labels.task] ? { task: labels[Labels.task] as string } : {}),
    command,
    imageId: labels[Labels.releaseImageId] ?? container.imageId,
    releaseReference: labels[Labels.releaseReference] ?? "",
    startedBy: labels[Labels.startedBy] ?? "",
    ...(labels[Labels.startedAt] ? { startedAt: labels[Labels.startedAt] as string } : {}),
    state: container.state,
    detached: isDetached(container),
    ...(labels[Labels.lock] ? { lock: labels[Labels.lock] as string } : {}),
    ...(ended ? { exitCode: container.exitCode } : {}),
    ...(ended && start && container.finishedAt ? { durationMs: container.finishedAt.getTime() - start.getTime() } : {}),
  };
}

export async function listOneOffs(client: ContainerEngine, options: { all: boolean; app?: string }): Promise<OneOffView[]> {
  const label = options.app ? `${Labels.app}=${options.app}` : `${Labels.managed}=true`;
  const summaries = (await client.listContainers(label)).filter((container) => container.labels[Labels.managed] === "true");
  const wanted = options.all ? summaries : summaries.filter((container) => container.state === "running" || container.state === "created");
  const details = await Promise.all(wanted.map((container) => client.inspectContainer(container.id)));
  return details.filter((detail) => detail !== undefined).map(viewOf);
}

/** A one-off by full or short ID or by name; anything without oneoff's marker is refused. */
export async function findOneOff(client: ContainerEngine, reference: string): Promise<ContainerDetails> {
  const container = await client.inspectContainer(reference);
  if (!container) {
    throw new OneoffError(`no one-off ${reference} on the engine at ${client.endpoint}`, { hint: "list them with oneoff ps --all" });
  }
  if (container.labels[Labels.managed] !== "true") {
    throw new OneoffError(`${reference} is not a one-off container (it has no ${Labels.managed} label)`, {
      hint: "oneoff only acts on its own containers; use docker for others",
    });
  }
  return container;
}
