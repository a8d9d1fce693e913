import { describe, expect, it } from "vitest";
import { formatErrorLine } from "../../src/output/errors.js";
import {
  describeRefusal,
  DOCKER_HUB_KEY,
  encodeRegistryAuth,
  hostnameOf,
  isAuthRefusal,
  lookupCredential,
  parseDockerConfig,
  parseHelperAnswer,
  parseRegistryAuthFlag,
  registryOf,
  type CredentialLookup,
  type CredentialConfig,
  type Registry,
} from "../../src/release/registry-auth.js";

const FILE = "/home/me/.docker/config.json";
const SECRET = "s3cr3t-Pa55";
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
const PRIVATE: Registry = { host: "127.0.0.1:5056", key: "127.0.0.1:5056" };
const HUB: Registry = { host: "docker.io", key: DOCKER_HUB_KEY };

function errorLineOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return formatErrorLine(error);
  }
  throw new Error("expected an error");
}

describe("registryOf", () => {
  it.each<[string, Registry]>([
    ["shop", HUB],
    ["shop:v1", HUB],
    ["library/ubuntu:22.04", HUB],
    ["team/shop@sha256:" + "a".repeat(64), HUB],
    ["docker.io/library/ubuntu", HUB],
    ["index.docker.io/team/shop:v1", HUB],
    ["127.0.0.1:5056/oneoff-test/private:v1", PRIVATE],
    ["localhost/shop", { host: "localhost", key: "localhost" }],
    ["localhost:5000/shop:v1", { host: "localhost:5000", key: "localhost:5000" }],
    ["myhost:5000/shop", { host: "myhost:5000", key: "myhost:5000" }],
    ["ghcr.io/org/team/app:sha-1", { host: "ghcr.io", key: "ghcr.io" }],
    ["Registry/shop", { host: "Registry", key: "Registry" }],
  ])("%s is pulled from %j", (reference, expected) => {
    expect(registryOf(reference)).toEqual(expected);
  });
});

describe("hostnameOf (docker's ConvertToHostname)", () => {
  it.each([
    ["https://index.docker.io/v1/", "index.docker.io"],
    ["http://127.0.0.1:5056", "127.0.0.1:5056"],
    ["127.0.0.1:5056/v2/", "127.0.0.1:5056"],
    ["ghcr.io", "ghcr.io"],
  ])("%s -> %s", (key, host) => expect(hostnameOf(key)).toBe(host));
});

describe("parseDockerConfig", () => {
  it("reads auths, credsStore and credHelpers", () => {
    const text = JSON.stringify({
      auths: { "ghcr.io": { auth: "eDp5" } },
      credsStore: "desktop",
      credHelpers: { "gcr.io": "gcloud" },
      psFormat: "table",
    });
    expect(parseDockerConfig(text, FILE)).toEqual({
      auths: { "ghcr.io": { auth: "eDp5" } },
      credsStore: "desktop",
      credHelpers: { "gcr.io": "gcloud" },
    });
  });

  it("takes an empty object as no credentials at all", () => {
    expect(parseDockerConfig("{}", FILE)).toEqual({ auths: {}, credHelpers: {} });
  });

  it.each([
    [
      "broken JSON",
      `{"auths": {"ghcr.io": {"auth": "${SECRET}"}}`,
      /^oneoff: \/home\/me\/\.docker\/config\.json: not valid JSON at line 1, column \d+ \(fix or remove that file/,
    ],
    ["broken JSON on a later line", `{\n  "auths": {\n    "x": {"auth": "${SECRET}"},\n  }\n}`, /not valid JSON at line 4, column 3 /],
    ["an empty file", "", /: not valid JSON \(fix/],
    ["a list", "[]", /: not a JSON object \(/],
    ["auths as a list", '{"auths": []}', /: auths is not an object \(/],
    ["an entry that is not an object", `{"auths": {"ghcr.io": "${SECRET}"}}`, /: auths\["ghcr\.io"\] is not an object \(/],
    ["an auth that is not a string", '{"auths": {"ghcr.io": {"auth": 42}}}', /: auths\["ghcr\.io"\]\.auth is not a string \(/],
    ["credsStore that is not a string", '{"credsStore": true}', /: credsStore is not a string \(/],
    ["credHelpers with a non-string", '{"credHelpers": {"gcr.io": 1}}', /: credHelpers is not an object of helper names \(/],
  ])("refuses %s in one line naming the file, never quoting it", (_name, text, pattern) => {
    const line = errorLineOf(() => parseDockerConfig(text, FILE));
    expect(line).toMatch(pattern);
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain("\n");
  });
});

describe("parseDockerConfig: credential helper names", () => {
  const HINT = '(set it to the NAME of a docker-credential-NAME program on PATH, such as "desktop" or "pass", or remove it)';

  it.each([
    ["a relative path", { credsStore: "x/../evil" }, 'credsStore: "x/../evil"'],
    ["an absolute path", { credsStore: "/tmp/evil" }, 'credsStore: "/tmp/evil"'],
    [".", { credsStore: "." }, 'credsStore: "."'],
    ["..", { credsStore: ".." }, 'credsStore: ".."'],
    ["a leading -", { credsStore: "-rf" }, 'credsStore: "-rf"'],
    ["a space", { credsStore: "desk top" }, 'credsStore: "desk top"'],
    ["a terminal escape", { credsStore: "x\u001b[2J" }, 'credsStore: "x\\u001b[2J"'],
    ["a path in credHelpers", { credHelpers: { "127.0.0.1:5056": "../evil" } }, 'credHelpers["127.0.0.1:5056"]: "../evil"'],
    ["a backslash in credHelpers", { credHelpers: { "gcr.io": "a\\b" } }, 'credHelpers["gcr.io"]: "a\\\\b"'],
  ])("refuses %s in one line naming the file, the key, the value and the fix", (_name, config, where) => {
    expect(errorLineOf(() => parseDockerConfig(JSON.stringify(config), FILE))).toBe(
      `oneoff: ${FILE}: ${where} is not a credential helper name ${HINT}`,
    );
  });

  it("takes helper names as docker's helpers are named, and an empty credsStore as none", () => {
    const credHelpers = { a: "ecr-login", b: "dev-containers-1f2e3d", c: "gcloud", d: "acr_env", e: "" };
    expect(parseDockerConfig(JSON.stringify({ credsStore: "desktop.exe", credHelpers }), FILE)).toEqual({
      auths: {},
      credsStore: "desktop.exe",
      credHelpers,
    });
    expect(parseDockerConfig('{"credsStore": ""}', FILE)).toEqual({ auths: {}, credHelpers: {} });
  });
});

describe("lookupCredential", () => {
  const config = (partial: Partial<CredentialConfig>): CredentialConfig => ({ auths: {}, credHelpers: {}, ...partial });

  it.each<[string, CredentialConfig, Registry, CredentialLookup]>([
    ["nothing configured", config({}), PRIVATE, { kind: "none" }],
    [
      "auths under the exact key",
      config({ auths: { "127.0.0.1:5056": { auth: basic("ci", SECRET) } } }),
      PRIVATE,
      { kind: "stored", credential: { username: "ci", password: SECRET }, entry: "127.0.0.1:5056" },
    ],
    [
      "auths under a URL key for the same host",
      config({ auths: { "https://127.0.0.1:5056": { auth: basic("ci", SECRET) } } }),
      PRIVATE,
      { kind: "stored", credential: { username: "ci", password: SECRET }, entry: "https://127.0.0.1:5056" },
    ],
    [
      "a password containing colons",
      config({ auths: { "127.0.0.1:5056": { auth: basic("ci", "a:b:c") } } }),
      PRIVATE,
      { kind: "stored", credential: { username: "ci", password: "a:b:c" }, entry: "127.0.0.1:5056" },
    ],
    ["auths for another host only", config({ auths: { "127.0.0.1:5055": { auth: basic("ci", SECRET) } } }), PRIVATE, { kind: "none" }],
    ["an entry without auth (docker logout leaves these)", config({ auths: { "127.0.0.1:5056": {} } }), PRIVATE, { kind: "none" }],
    [
      "an identity token",
      config({ auths: { "127.0.0.1:5056": { identitytoken: "tok" } } }),
      PRIVATE,
      { kind: "stored", credential: { identityToken: "tok" }, entry: "127.0.0.1:5056" },
    ],
    [
      "Docker Hub under docker login's key",
      config({ auths: { [DOCKER_HUB_KEY]: { auth: basic("me", SECRET) } } }),
      HUB,
      { kind: "stored", credential: { username: "me", password: SECRET }, entry: DOCKER_HUB_KEY },
    ],
    [
      "Docker Hub under a bare index.docker.io key",
      config({ auths: { "index.docker.io": { auth: basic("me", SECRET) } } }),
      HUB,
      { kind: "stored", credential: { username: "me", password: SECRET }, entry: "index.docker.io" },
    ],
    [
      "Docker Hub is not docker.io in auths (as in the CLI)",
      config({ auths: { "docker.io": { auth: basic("me", SECRET) } } }),
      HUB,
      { kind: "none" },
    ],
    [
      "credHelpers for the registry, over auths",
      config({ auths: { "127.0.0.1:5056": { auth: basic("ci", SECRET) } }, credHelpers: { "127.0.0.1:5056": "oneofftest" } }),
      PRIVATE,
      { kind: "helper", program: "docker-credential-oneofftest", configKey: "credHelpers" },
    ],
    [
      "credsStore, over auths",
      config({ auths: { "127.0.0.1:5056": { auth: basic("ci", SECRET) } }, credsStore: "pass" }),
      PRIVATE,
      { kind: "helper", program: "docker-credential-pass", configKey: "credsStore" },
    ],
    [
      "credHelpers over credsStore",
      config({ credsStore: "pass", credHelpers: { "127.0.0.1:5056": "oneofftest" } }),
      PRIVATE,
      { kind: "helper", program: "docker-credential-oneofftest", configKey: "credHelpers" },
    ],
    [
      "credsStore when credHelpers names another registry",
      config({ credsStore: "pass", credHelpers: { "gcr.io": "gcloud" } }),
      PRIVATE,
      { kind: "helper", program: "docker-credential-pass", configKey: "credsStore" },
    ],
    [
      "an empty credHelpers entry: no helper for that registry, auths instead of credsStore (as in the CLI)",
      config({ auths: { "127.0.0.1:5056": { auth: basic("ci", SECRET) } }, credsStore: "pass", credHelpers: { "127.0.0.1:5056": "" } }),
      PRIVATE,
      { kind: "stored", credential: { username: "ci", password: SECRET }, entry: "127.0.0.1:5056" },
    ],
  ])("%s", (_name, given, registry, expected) => {
    expect(lookupCredential(given, registry, FILE)).toEqual(expected);
  });

  it.each([
    ["not base64", "not base64!"],
    ["base64 without a colon", Buffer.from(SECRET).toString("base64")],
    ["base64 with an empty user", Buffer.from(`:${SECRET}`).toString("base64")],
  ])("refuses an auth that is %s, naming the key and the fix, not the value", (_name, auth) => {
    const line = errorLineOf(() => lookupCredential(config({ auths: { "127.0.0.1:5056": { auth } } }), PRIVATE, FILE));
    expect(line).toBe(
      `oneoff: ${FILE}: auths["127.0.0.1:5056"].auth is not base64 of USER:PASSWORD (log in again with: docker login 127.0.0.1:5056)`,
    );
  });
});

describe("parseHelperAnswer", () => {
  it.each([
    ["a username and secret", `{"ServerURL":"127.0.0.1:5056","Username":"ci","Secret":"${SECRET}"}`, { username: "ci", password: SECRET }],
    ["an identity token", '{"ServerURL":"x","Username":"<token>","Secret":"tok"}', { identityToken: "tok" }],
    ["no secret", '{"Username":"ci","Secret":""}', undefined],
    ["not JSON", "credentials not found in native keychain", undefined],
    ["a JSON string", '"ci"', undefined],
  ])("reads %s", (_name, stdout, expected) => expect(parseHelperAnswer(stdout)).toEqual(expected));
});

describe("encodeRegistryAuth", () => {
  const decode = (header: string) => JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));

  it("encodes user, password and server address as base64url JSON", () => {
    const header = encodeRegistryAuth({ username: "ci", password: SECRET }, "127.0.0.1:5056");
    expect(decode(header)).toEqual({ username: "ci", password: SECRET, serveraddress: "127.0.0.1:5056" });
  });

  it("sends an identity token alone", () => {
    expect(decode(encodeRegistryAuth({ identityToken: "tok" }, DOCKER_HUB_KEY))).toEqual({
      identitytoken: "tok",
      serveraddress: DOCKER_HUB_KEY,
    });
  });

  it("uses the URL-safe alphabet, as the engine decodes it", () => {
    // "?>" and "~~~" give "/" and "+" in standard base64.
    const header = encodeRegistryAuth({ username: "?>?>", password: "~~~~~~" }, "r");
    expect(header).not.toMatch(/[+/]/);
    expect(header).toMatch(/[-_]/);
    expect(decode(header).password).toBe("~~~~~~");
  });
});

describe("parseRegistryAuthFlag", () => {
  it.each([
    ["ci:env:REGISTRY_PASSWORD", { username: "ci", password: { env: "REGISTRY_PASSWORD" } }],
    ["me@example.com:env:PW", { username: "me@example.com", password: { env: "PW" } }],
    ["ci:file:secrets/registry", { username: "ci", password: { file: "/srv/app/secrets/registry" } }],
    ["ci:file:/run/secrets/registry:ro", { username: "ci", password: { file: "/run/secrets/registry:ro" } }],
  ])("reads %s", (value, expected) => expect(parseRegistryAuthFlag(value, "/srv/app")).toEqual(expected));

  it.each([
    [
      "USER:PASSWORD",
      `ci:${SECRET}`,
      /^oneoff: --registry-auth: expected USER:env:VARIABLE or USER:file:PATH \(the password is read from that variable or file/,
    ],
    ["a bare user", "ci", /expected USER:env:VARIABLE/],
    ["an empty source", "ci:env:", /expected USER:env:VARIABLE/],
    ["a variable name that is not one", "ci:env:MY-PW", /--registry-auth: "MY-PW" is not an environment variable name/],
  ])("refuses %s without echoing it", (_name, value, pattern) => {
    const line = errorLineOf(() => parseRegistryAuthFlag(value, "/srv/app"));
    expect(line).toMatch(pattern);
    expect(line).not.toContain(SECRET);
  });
});

describe("isAuthRefusal", () => {
  it.each([
    ['Head "https://127.0.0.1:5056/v2/oneoff-test/private/manifests/v1": no basic auth credentials', true],
    ["unauthorized: authentication required", true],
    [
      "pull access denied for team/shop, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      true,
    ],
    ["unauthorized: incorrect username or password", true],
    ["manifest for 127.0.0.1:5055/x:nope not found: manifest unknown: manifest unknown", false],
    ["read tcp 127.0.0.1:52504->127.0.0.1:5056: read: connection reset by peer", false],
    ['Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', false],
  ])("%s -> %s", (message, expected) => expect(isAuthRefusal(message)).toBe(expected));
});

describe("describeRefusal", () => {
  it.each([
    [
      PRIVATE,
      undefined,
      "registry 127.0.0.1:5056 wants credentials, and none were found for it",
      "log in with: docker login 127.0.0.1:5056; or pass --registry-auth USER:env:VARIABLE",
    ],
    [
      PRIVATE,
      FILE,
      `registry 127.0.0.1:5056 refused the credentials from ${FILE}`,
      "log in with: docker login 127.0.0.1:5056; or pass --registry-auth USER:env:VARIABLE",
    ],
    [
      HUB,
      undefined,
      "registry docker.io wants credentials, and none were found for it",
      "log in with: docker login; or pass --registry-auth USER:env:VARIABLE",
    ],
    [
      PRIVATE,
      "--registry-auth",
      "registry 127.0.0.1:5056 refused the credentials from --registry-auth",
      "check the user and password --registry-auth names",
    ],
  ])("%j from %s", (registry, source, why, hint) =>
    expect(describeRefusal(registry, source, "unauthorized: authentication required")).toEqual({ why, hint }),
  );

  const hubDenied =
    "pull access denied for team/shop, repository does not exist or may require 'docker login': denied: requested access to the resource is denied";
  it.each([
    [
      undefined,
      "registry docker.io refused the pull: the repository does not exist, or it needs credentials, and none were found for it",
      "check the image name; log in with: docker login; or pass --registry-auth USER:env:VARIABLE",
    ],
    [
      FILE,
      `registry docker.io refused the pull: the repository does not exist, or the credentials from ${FILE} do not grant access to it`,
      "check the image name; log in with: docker login; or pass --registry-auth USER:env:VARIABLE",
    ],
  ])("says both causes for Docker Hub's ambiguous denial (credentials from %s)", (source, why, hint) => {
    expect(describeRefusal(HUB, source, hubDenied)).toEqual({ why, hint });
  });
});
