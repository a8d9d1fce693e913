/**
 * Labelled volumes, as the release ledger keeps its records (lifecycle/ledger.ts). Used by
 * the engine adapter.
 */
import type Docker from "dockerode";
import { NameInUse } from "../types.js";
import { statusCodeOf, translateEngineError } from "./errors.js";

/** Rejects with NameInUse when a volume of that name exists: a record is never overwritten. */
export async function createVolume(docker: Docker, endpoint: string, name: string, labels: Record<string, string>): Promise<void> {
  try {
    const existing = await docker
      .getVolume(name)
      .inspect()
      .catch(() => undefined);
    if (existing) throw new NameInUse(name);
    await docker.createVolume({ Name: name, Labels: labels });
  } catch (error) {
    throw translateEngineError(error, endpoint, `create volume ${name}`);
  }
}

export async function listVolumes(
  docker: Docker,
  endpoint: string,
  label: string,
): Promise<Array<{ name: string; labels: Record<string, string> }>> {
  try {
    const result = await docker.listVolumes({ filters: JSON.stringify({ label: [label] }) } as Docker.VolumeListOptions);
    return (result.Volumes ?? []).map((volume) => ({ name: volume.Name, labels: volume.Labels ?? {} }));
  } catch (error) {
    throw translateEngineError(error, endpoint, "list volumes");
  }
}

export async function removeVolume(docker: Docker, endpoint: string, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (error) {
    if (statusCodeOf(error) === 404) return;
    throw translateEngineError(error, endpoint, `remove volume ${name}`);
  }
}
