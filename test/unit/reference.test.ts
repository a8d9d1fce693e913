import { describe, expect, it } from "vitest";
import { combineImageAndRelease, parseReleaseReference, pullName, type ReleaseReference } from "../../src/release/reference.js";

const HEX64 = "0123456789abcdef".repeat(4);
const DIGEST = `sha256:${"f".repeat(64)}`;

describe("parseReleaseReference", () => {
  it.each<[string, string, ReleaseReference]>([
    ["a full image ID", HEX64, { kind: "id", id: `sha256:${HEX64}`, text: HEX64 }],
    ["a full image ID with sha256:", `sha256:${HEX64}`, { kind: "id", id: `sha256:${HEX64}`, text: `sha256:${HEX64}` }],
    ["a 12-character short ID", "abcdef123456", { kind: "id", id: "abcdef123456", text: "abcdef123456" }],
    ["a 63-character short ID", HEX64.slice(0, 63), { kind: "id", id: HEX64.slice(0, 63), text: HEX64.slice(0, 63) }],
    ["a short ID with sha256:", "sha256:abcdef123456", { kind: "id", id: "sha256:abcdef123456", text: "sha256:abcdef123456" }],
    ["a repository", "shop", { kind: "name", repository: "shop", text: "shop" }],
    ["an 11-hex-digit name (too short for an ID)", "abcdef12345", { kind: "name", repository: "abcdef12345", text: "abcdef12345" }],
    ["repo:tag", "shop:v1", { kind: "name", repository: "shop", tag: "v1", text: "shop:v1" }],
    [
      "a namespaced repo with a dotted tag",
      "library/ubuntu:22.04",
      { kind: "name", repository: "library/ubuntu", tag: "22.04", text: "library/ubuntu:22.04" },
    ],
    [
      "a registry host",
      "registry.example.com/shop",
      { kind: "name", repository: "registry.example.com/shop", text: "registry.example.com/shop" },
    ],
    ["host:port/repo", "localhost:5000/shop", { kind: "name", repository: "localhost:5000/shop", text: "localhost:5000/shop" }],
    ["localhost without a port as the registry", "localhost/shop", { kind: "name", repository: "localhost/shop", text: "localhost/shop" }],
    [
      "a dotless host with a port as the registry",
      "myhost:5000/shop",
      { kind: "name", repository: "myhost:5000/shop", text: "myhost:5000/shop" },
    ],
    [
      "host:port/repo:tag",
      "localhost:5000/shop:v1",
      { kind: "name", repository: "localhost:5000/shop", tag: "v1", text: "localhost:5000/shop:v1" },
    ],
    [
      "a deep path",
      "ghcr.io/org/team/app:sha-abc123",
      { kind: "name", repository: "ghcr.io/org/team/app", tag: "sha-abc123", text: "ghcr.io/org/team/app:sha-abc123" },
    ],
    ["repo@digest", `shop@${DIGEST}`, { kind: "name", repository: "shop", digest: DIGEST, text: `shop@${DIGEST}` }],
    ["repo:tag@digest", `shop:v1@${DIGEST}`, { kind: "name", repository: "shop", tag: "v1", digest: DIGEST, text: `shop:v1@${DIGEST}` }],
    [
      "host:port/repo@digest",
      `localhost:5000/shop@${DIGEST}`,
      { kind: "name", repository: "localhost:5000/shop", digest: DIGEST, text: `localhost:5000/shop@${DIGEST}` },
    ],
    ["separators inside a component", "my_app.v2__x-y--z", { kind: "name", repository: "my_app.v2__x-y--z", text: "my_app.v2__x-y--z" }],
    [
      "an upper-case registry host",
      "Registry.Example.com/shop",
      { kind: "name", repository: "Registry.Example.com/shop", text: "Registry.Example.com/shop" },
    ],
    [
      "a tag with upper case and underscores",
      "shop:Release_2",
      { kind: "name", repository: "shop", tag: "Release_2", text: "shop:Release_2" },
    ],
    [
      "a 128-character tag",
      `shop:${"t".repeat(128)}`,
      { kind: "name", repository: "shop", tag: "t".repeat(128), text: `shop:${"t".repeat(128)}` },
    ],
  ])("reads %s", (_name, text, expected) => {
    expect(parseReleaseReference(text)).toEqual(expected);
  });

  it.each([
    ["an empty string", ""],
    ["an upper-case repository", "Shop"],
    ["an upper-case repository after a host", "registry.example.com/Shop:v1"],
    ["an upper-case first component without a dot or port (not a registry, as docker reads it)", "Oneoff-Test/busybox"],
    ["an upper-case dotless first component with a tag", "Org/shop:v1"],
    ["an upper-case LOCALHOST (only lower-case localhost is a registry)", "LOCALHOST/shop"],
    ["an upper-case 64-hex ID", "A".repeat(64)],
    ["an empty tag", "shop:"],
    ["a tag starting with a dash", "shop:-bad"],
    ["a tag starting with a dot", "shop:.bad"],
    ["a 129-character tag", `shop:${"t".repeat(129)}`],
    ["two colons without a host", "a:b:c"],
    ["a short digest", "shop@sha256:abc"],
    ["a digest of another algorithm", `shop@sha512:${"f".repeat(64)}`],
    ["an upper-case digest", `shop@sha256:${"F".repeat(64)}`],
    ["an empty digest", "shop@"],
    ["a digest without a repository", `@${DIGEST}`],
    ["a trailing slash", "shop/"],
    ["a leading slash", "/shop"],
    ["an empty path component", "a//b"],
    ["three underscores", "a___b"],
    ["two dots", "a..b"],
    ["a leading underscore", "_shop"],
    ["a trailing dash", "shop-"],
    ["a space", "my shop"],
    ["an IPv6 host", "[::1]:5000/shop"],
  ])("refuses %s", (_name, text) => {
    expect(parseReleaseReference(text)).toBeUndefined();
  });
});

describe("combineImageAndRelease", () => {
  it.each<[string, string | undefined, string | undefined, string | undefined]>([
    ["a tag joined to the image", "registry.example.com/shop", "v42", "registry.example.com/shop:v42"],
    ["a tag joined to an image on host:port", "localhost:5000/shop", "v3", "localhost:5000/shop:v3"],
    ["a short hex tag (under 12 digits) joined as a tag", "shop", "deadbeef", "shop:deadbeef"],
    ["a digest joined to the image", "shop", `@${DIGEST}`, `shop@${DIGEST}`],
    ["a full image ID standing alone", "shop", HEX64, HEX64],
    ["a sha256: image ID standing alone", "shop", `sha256:${HEX64}`, `sha256:${HEX64}`],
    ["a sha256: short image ID standing alone", "shop", "sha256:abcdef123456", "sha256:abcdef123456"],
    // The GitHub Actions example: release: ${SHOP_RELEASE}, set to the commit's SHA.
    [
      "a git SHA (40 hex digits) joined as a tag",
      "registry.example.com/shop",
      "3f2a9c1b".repeat(5),
      `registry.example.com/shop:${"3f2a9c1b".repeat(5)}`,
    ],
    ["a 12-hex-digit word joined as a tag", "shop", "abcdef123456", "shop:abcdef123456"],
    ["a repo:tag standing alone", "shop", "other:v2", "other:v2"],
    ["a repo path standing alone", "shop", "org/other", "org/other"],
    ["the image alone without a release", "shop", undefined, "shop"],
    ["the image alone with an empty release", "shop", "", "shop"],
    ["the release alone without an image", undefined, "alpine:3.20", "alpine:3.20"],
    ["the release alone with an empty image", "", "v1", "v1"],
    ["nothing without either", undefined, undefined, undefined],
  ])("gives %s", (_name, image, release, expected) => {
    expect(combineImageAndRelease(image, release)).toBe(expected);
  });
});

describe("pullName", () => {
  const name = (text: string) => {
    const reference = parseReleaseReference(text);
    if (reference?.kind !== "name") throw new Error(`${text} is not a name`);
    return reference;
  };

  it.each([
    ["a missing tag as latest", "shop", { repository: "shop", tag: "latest" }],
    ["the tag", "localhost:5000/shop:v1", { repository: "localhost:5000/shop", tag: "v1" }],
    ["the digest as the tag", `shop@${DIGEST}`, { repository: "shop", tag: DIGEST }],
    ["the digest over the tag", `shop:v1@${DIGEST}`, { repository: "shop", tag: DIGEST }],
  ])("pulls %s", (_name, text, expected) => {
    expect(pullName(name(text))).toEqual(expected);
  });
});
