/**
 * Which image a dry run's one-off would run, found read-only: the engine's image for the
 * reference (its ID, which a real run pins), else the registry's manifest digest the engine
 * would pull, else why it cannot be told. Never pulls, never creates.
 */
import type { ContainerEngine } from "../engine/types.js";
import { parseReleaseReference } from "./reference.js";
import { isAuthRefusal, registryOf } from "./registry-auth.js";
import type { PullPolicy } from "../types/config.js";

export type DryRunImage = { resolved: "id"; imageId: string } | { resolved: "registry"; digest: string } | { resolved: "no"; why: string };

/** How long a dry run waits for an engine before saying it could not ask it. */
const ENGINE_WAIT_MS = 5_000;

/** Asks without credentials: a dry run reads none, so a private registry's image stays unresolved. */
export async function dryRunImage(reference: string, connect: () => Promise<ContainerEngine>, policy: PullPolicy): Promise<DryRunImage> {
  const parsed = parseReleaseReference(reference);
  if (parsed?.kind === "id" && parsed.id.length === 71) return { resolved: "id", imageId: parsed.id };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ENGINE_WAIT_MS / 1000}s`)), ENGINE_WAIT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([ask(reference, await Promise.race([connect(), deadline]), policy), deadline]);
  } catch (error) {
    return { resolved: "no", why: `the engine could not be asked: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

async function ask(reference: string, client: ContainerEngine, policy: PullPolicy): Promise<DryRunImage> {
  const image = await client.inspectImage(reference);
  if (image) return { resolved: "id", imageId: image.id };
  // An air-gapped host says pull: never so that nothing reaches for a registry.
  if (policy === "never") return { resolved: "no", why: "not on the engine, and pull is never: a run would not pull it" };
  const found = await client.registryHas(reference);
  if (found.ok && found.digest) return { resolved: "registry", digest: found.digest };
  if (found.ok) return { resolved: "no", why: "the registry gave no digest" };
  // A private registry answers anonymous lookups alike for "no such image" and "not for you".
  if (isAuthRefusal(found.why)) {
    const { host } = registryOf(reference);
    return {
      resolved: "no",
      why: `not on the engine, and registry ${host} needs credentials to say more (a dry run reads none; a run looks them up when it pulls)`,
    };
  }
  return { resolved: "no", why: `not on the engine, and its registry says: ${found.why}` };
}

/** The release-image label's value in a dry run whose image is not pinned yet. */
export function unresolvedLabel(image: DryRunImage): string {
  return image.resolved === "registry"
    ? `<the image pulled for ${image.digest}>`
    : `<unresolved: ${image.resolved === "no" ? image.why : ""}>`;
}

/** The dry run document's `image`: which image would run, and how that is known. */
export function dryRunImageDocument(reference: string, image: DryRunImage): Record<string, string> {
  switch (image.resolved) {
    case "id":
      return { reference, imageId: image.imageId, how: "the engine has it: a real run pins this image ID" };
    case "registry":
      return {
        reference,
        digest: image.digest,
        how: "the engine lacks it: a real run pulls this digest (with --pull missing) and pins its ID",
      };
    case "no":
      return { reference, unresolved: image.why };
  }
}
