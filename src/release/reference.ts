/**
 * Image references, parsed just enough to decide how to resolve them. Pure.
 *   sha256:<64 hex> | <64 hex>          an image ID: used as is, never pulled
 *   <12-63 hex>                          a short image ID (the engine resolves the prefix)
 *   repo[:tag] | repo@sha256:<digest>   a name: inspected, pulled when missing
 */
export type ReleaseReference =
  { kind: "id"; id: string; text: string } | { kind: "name"; repository: string; tag?: string; digest?: string; text: string };

const FULL_ID = /^(sha256:)?([a-f0-9]{64})$/;
const SHORT_ID = /^(sha256:)?[a-f0-9]{12,63}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
// As docker reads it, the first component names a registry only if it has a "." or a port or
// is localhost; otherwise it is part of the (lowercase) repository path.
const LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const REGISTRY = `(?:localhost|${LABEL}(?:\\.${LABEL})+|${LABEL}(?=:\\d))(?::\\d+)?`;
const REPOSITORY = new RegExp(`^(?:${REGISTRY}/)?${COMPONENT}(?:/${COMPONENT})*$`);

export function parseReleaseReference(text: string): ReleaseReference | undefined {
  const full = FULL_ID.exec(text);
  if (full) return { kind: "id", id: `sha256:${full[2]}`, text };
  if (SHORT_ID.test(text)) return { kind: "id", id: text, text };
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  // A colon after the last slash starts a tag; one before it belongs to a registry host:port.
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (!REPOSITORY.test(rest)) return undefined;
  return { kind: "name", repository: rest, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }), text };
}

/**
 * What `image:` and `release:` (or --release / ONEOFF_RELEASE) name together. A release that
 * is only a tag (`v42`, or a git SHA: `3f2a9c1b...`, 40 hex digits) or only a digest
 * (`@sha256:...`) is combined with `image:`; anything else stands on its own. Beside `image:`,
 * only `sha256:HEX` or a full 64-hex ID is an image ID: a shorter hex word is a tag there (CI
 * tags images with the commit's SHA), where on its own it would be an ID prefix, as in
 * `docker run`.
 */
export function combineImageAndRelease(image: string | undefined, release: string | undefined): string | undefined {
  if (release === undefined || release === "") return image;
  if (image === undefined || image === "") return release;
  if (release.startsWith("@")) return `${image}${release}`;
  if (FULL_ID.test(release) || (release.startsWith("sha256:") && SHORT_ID.test(release))) return release;
  if (TAG.test(release) && !release.includes("/")) return `${image}:${release}`;
  return release;
}

/**
 * Whether a release can only be a tag of `image:` (`v42`): no repository, registry, digest or
 * image ID in it. On its own, the engine would read it as an image of that name on Docker Hub.
 */
export function isTagOnly(release: string): boolean {
  return TAG.test(release) && !SHORT_ID.test(release) && !FULL_ID.test(release);
}

/** The name `docker pull` would use: a missing tag means latest. */
export function pullName(reference: Extract<ReleaseReference, { kind: "name" }>): { repository: string; tag: string } {
  if (reference.digest) return { repository: reference.repository, tag: reference.digest };
  return { repository: reference.repository, tag: reference.tag ?? "latest" };
}
