/**
 * Labelled volumes, as the release ledger keeps its records (lifecycle/ledger.ts). Used by
 * the engine adapter.
 */
import { NameInUse } from "../types.js";
import { statusCodeOf, translateEngineError } from "./errors.js";
import { jsonRequest, pathPart, type RequestTarget } from "./requests.js";

const volumePath = (name: string) => `/volumes/${pathPart(name)}`;

/** Rejects with NameInUse when a volume of that name exists: a record is never overwritten. */
export async function createVolume(target: RequestTarget, name: string, labels: Record<string, string>): Promise<void> {
  try {
    const existing = await jsonRequest(target, "GET", volumePath(name)).catch(() => undefined);
    if (existing) throw new NameInUse(name, "a volume");
    await jsonRequest(target, "POST", "/volumes/create", { body: { Name: name, Labels: labels } });
  } catch (error) {
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
