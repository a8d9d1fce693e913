/**
 * A release reference -> the immutable image ID the one-off is created from. Tags move;
 * the ID does not, so the container, its labels and every report name the ID.
 */
import { PullTally } from "./pull-tally.js";
import type { PullPolicy } from "../types/config.js";
import type { ContainerEngine, PullProgress } from "../engine/types.js";
import { OneoffError } from "../output/errors.js";
import type { Reporter } from "../output/reporter.js";
import type { RegistryLogin } from "./credentials.js";
import { parseReleaseReference, pullName } from "./reference.js";
import { describeRefusal, isAuthRefusal } from "./registry-auth.js";

export interface ResolvedRelease {
  imageId: string;
  reference: string;
  pulled: boolean;
}

/** The credentials for pulling a reference, looked up only when a pull happens. */
export type RegistryLoginSource = (reference: string) => Promise<RegistryLogin>;

export async function resolveRelease(
  client: ContainerEngine,
  reference: string,
  policy: PullPolicy,
  report: Reporter,
  login?: RegistryLoginSource,
  /** os/arch[/variant]: the platform pulled (docker run --platform). */
  platform?: string,
): Promise<ResolvedRelease> {
  const parsed = parseReleaseReference(reference);
  if (!parsed) {
    throw new OneoffError(`release "${reference}" is not a valid image reference`, {
      hint: "use repo:tag, repo@sha256:digest or an image ID",
    });
  }
  if (parsed.kind === "id") {
    const image = await client.inspectImage(parsed.id);
    if (!image) {
      throw new OneoffError(`image ${reference} is not present on the engine at ${client.endpoint}`, {
        hint: "image IDs cannot be pulled: give the release as repo:tag or repo@digest, or load the image first",
      });
    }
    return { imageId: image.id, reference, pulled: false };
  }

  // The engine also reads a bare hex word as an image ID prefix, however short ("5" would run
  // whichever image's ID starts with 5): allow that only for an image really named so.
  const looksLikeShortId = /^[a-f0-9]{1,11}$/.test(reference);
  if (looksLikeShortId) {
    const named = await client.inspectImage(reference);
    if (named?.repoTags.includes(`${reference}:latest`)) return { imageId: named.id, reference, pulled: false };
    throw new OneoffError(`release "${reference}" is too short to be an image ID, and no image is named ${reference}`, {
      hint: "give at least 12 hex digits of the image ID, or a repo:tag",
    });
  }
  if (policy !== "always") {
    const present = await client.inspectImage(reference);
    if (present) return { imageId: present.id, reference, pulled: false };
    if (policy === "never") {
      throw new OneoffError(`image ${reference} is not present on the engine at ${client.endpoint}`, {
        hint: "pull it first, or allow pulling with --pull missing",
      });
    }
  }
  const { repository, tag } = pullName(parsed);
  await pullWithProgress(client, repository, tag, reference, report, await login?.(reference), platform);
  const pulled = await client.inspectImage(reference);
  if (!pulled) {
    throw new OneoffError(`pulled ${reference} but the engine does not list it`, {
      hint: "check the reference; a digest must match the pulled manifest",
    });
  }
  return { imageId: pulled.id, reference, pulled: true };
}

/** Without a terminal, a pull says how far it is at most this often. */
const PROGRESS_LINE_EVERY_MS = 5_000;

async function pullWithProgress(
  client: ContainerEngine,
  repository: string,
  tag: string,
  reference: string,
  report: Reporter,
  login: RegistryLogin | undefined,
  platform: string | undefined,
): Promise<void> {
  report.info(`pulling ${reference}${platform ? ` for ${platform}` : ""}`);
  const tally = new PullTally();
  const started = Date.now();
  // On a terminal, a line per layer redrawn as events come, as docker pull draws them; in a
  // log, a line every few seconds.
  let lastLine = started;
  const onProgress = (event: PullProgress) => {
    tally.add(event);
    if (report.interactive) {
      report.status([`pulling ${reference}: ${tally.summary()}`, ...tally.layerLines()]);
    } else if (Date.now() - lastLine >= PROGRESS_LINE_EVERY_MS) {
      lastLine = Date.now();
      report.info(`pulling ${reference}: ${tally.summary()}`);
    }
  };
  try {
    await client.pullImage(repository, tag, onProgress, login?.header, platform);
    const ended = `pulled ${reference}: ${tally.summary()} in ${((Date.now() - started) / 1000).toFixed(1)}s`;
    // A terminal keeps the layers' last lines, as docker pull leaves them; a log gets a line.
    if (report.interactive) {
      report.status([ended, ...tally.layerLines()]);
      report.endStatus({ keep: true });
    } else report.info(ended);
  } catch (error) {
    if (error instanceof OneoffError && login && (await refusedForCredentials(client, reference, error.message, login))) {
      throw credentialsRefused(reference, login, error);
    }
    if (error instanceof OneoffError && !error.hint) {
      // The engine's words tell which: the registry did not answer, or it did and said no.
      const unreachable = /connection refused|no such host|i\/o timeout|network is unreachable|TLS handshake/i.test(error.message);
      const hint = unreachable
        ? "check that the registry is up and reachable from the engine"
        : "check the image name and tag, and that you are logged in to its registry (docker login)";
      throw new OneoffError(error.message, { hint, cause: error });
    }
    throw error;
  } finally {
    report.endStatus();
  }
}

/**
 * Whether a failed pull was the registry asking for (other) credentials. The pull's own words
 * may not say so: an engine that treats the registry as insecure (127.0.0.0/8 by default)
 * retries over plain HTTP after the 401 and reports that attempt's error instead. The
 * manifest lookup makes no such retry, so it is asked for a second opinion.
 */
async function refusedForCredentials(client: ContainerEngine, reference: string, message: string, login: RegistryLogin): Promise<boolean> {
  if (isAuthRefusal(message)) return true;
  if (/connection refused|no such host|i\/o timeout|network is unreachable|manifest unknown|not found/i.test(message)) return false;
  const lookup = await client.registryHas(reference, login.header).catch(() => undefined);
  return lookup !== undefined && !lookup.ok && isAuthRefusal(lookup.why);
}

function credentialsRefused(reference: string, login: RegistryLogin, error: OneoffError): OneoffError {
  const { why, hint } = describeRefusal(login.registry, login.source, error.message);
  return new OneoffError(`pull ${reference}: ${why}`, { hint, cause: error });
}

/** Whether `reference` names image `imageId` on this engine as it is now: asked, never pulled. */
export async function namesImage(client: ContainerEngine, reference: string, imageId: string): Promise<boolean> {
  if (!parseReleaseReference(reference)) return false;
  return (await client.inspectImage(reference))?.id === imageId;
}
