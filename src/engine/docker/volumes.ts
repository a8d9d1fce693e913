/**
 * Labelled volumes, as the release ledger keeps its records (lifecycle/ledger.ts). Used by
 * the engine adapter.
 */
import { NameInUse } from "../types.js";
import { statusCodeOf, translateEngineError } from "./errors.js";
import { jsonRequest, pathPart, type RequestTarget } from "./requests.js";

const volumePath = (name: string) => `/volumes/${pathPart(name)}`;

/**
 * One request, no lookup first: record names are unique (a run's ID; the ledger's time and
 * random suffix), and a second create of a name cannot change the first's labels, so a record
 * is never overwritten. Docker answers it with the volume as it was; an engine that refuses it
 * (Podman: 409) rejects with NameInUse.
 */
export async function createVolume(target: RequestTarget, name: string, labels: Record<string, string>): Promise<void> {
  try {
    await jsonRequest(target, "POST", "/volumes/create", { body: { Name: name, Labels: labels } });
  } catch (error) {
    if (statusCodeOf(error) === 409) throw new NameInUse(name, "a volume");
    throw translateEngineError(error, target.connection.endpoint, `create volume ${name}`);
  }
}

export async function listVolumes(target: RequestTarget, label: string): Promise<Array<{ name: string; labels: Record<string, string> }>> {
  try {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
    const result = (await jsonRequest(target, "GET", `/volumes?filters=${filters}`)) as
      { Volumes?: Array<{ Name: string; Labels?: Record<string, string> | null }> | null } | undefined;
    return (result?.Volumes ?? []).map((volume) => ({ name: volume.Name, labels: volume.Labels ?? {} }));
  } catch (error) {
    throw translateEngineError(error, target.connection.endpoint, "list volumes");
  }
}

export async function removeVolume(target: RequestTarget, name: string): Promise<void> {
  try {
    await jsonRequest(target, "DELETE", volumePath(name));
  } catch (error) {
    if (statusCodeOf(error) === 404) return;
    throw translateEngineError(error, target.connection.endpoint, `remove volume ${name}`);
  }
}
