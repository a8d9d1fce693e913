/**
 * Registry credentials as the docker CLI finds them, and the X-Registry-Auth header the engine
 * wants for a pull. Pure: the file and helper-process I/O is in ./credentials.ts. Nothing here
 * ever puts a credential into an error message.
 */
import path from "node:path";
import { OneoffError } from "../output/errors.js";
import { DOCKER_CONFIG_FIX, parseJsonFile } from "../formats/json-file.js";
import type { RegistryAuthFlag } from "../types/plan.js";

export type { RegistryAuthFlag };

/** The key docker's config.json files Docker Hub's credentials under (docker login's default). */
export const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

export interface Registry {
  /** The registry's host[:port], as a user names it: `docker.io` for Docker Hub. */
  host: string;
  /** Its key in config.json's auths and credHelpers, also sent as `serveraddress`. */
  key: string;
}

/** The registry an image reference is pulled from, by docker's rule for the first path component. */
export function registryOf(reference: string): Registry {
  const name = reference.split("@")[0] as string;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  // A domain has a "." or a ":port", or is localhost, or has capitals (a path component cannot).
  const isDomain = first !== "" && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
  if (!isDomain || first === "docker.io" || first === "index.docker.io") return { host: "docker.io", key: DOCKER_HUB_KEY };
  return { host: first, key: first };
}

/** How to log in to the registry, as the hint of a refusal says it. */
export function loginCommand(registry: Registry): string {
  return registry.key === DOCKER_HUB_KEY ? "docker login" : `docker login ${registry.host}`;
}

export type RegistryCredential = { username: string; password: string } | { identityToken: string };

/** The parts of docker's config.json that say where credentials are. */
export interface CredentialConfig {
  auths: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

/**
 * What may follow `docker-credential-` in a helper's program name: one plain file name, so it is
 * found on PATH. A "/" would make it a path from the working directory (`x/../evil` runs
 * ./evil), and a leading "." or "-" is no helper's name.
 */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** config.json's text -> CredentialConfig; a one-line OneoffError naming the file when it is not one. */
export function parseDockerConfig(text: string, file: string): CredentialConfig {
  const invalid = (what: string) => new OneoffError(`${file}: ${what}`, { hint: DOCKER_CONFIG_FIX });
  const json = parseJsonFile(text, file, DOCKER_CONFIG_FIX);
  if (!isObject(json)) throw invalid("not a JSON object");
  const auths = json.auths ?? {};
  if (!isObject(auths)) throw invalid("auths is not an object");
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) throw invalid(`auths["${key}"] is not an object`);
    for (const field of ["auth", "identitytoken"]) {
      if (entry[field] !== undefined && typeof entry[field] !== "string") throw invalid(`auths["${key}"].${field} is not a string`);
    }
  }
  if (json.credsStore !== undefined && typeof json.credsStore !== "string") throw invalid("credsStore is not a string");
  const credHelpers = json.credHelpers ?? {};
  if (!isObject(credHelpers) || Object.values(credHelpers).some((helper) => typeof helper !== "string"))
    throw invalid("credHelpers is not an object of helper names");
  // Empty is docker's "no helper" (in credHelpers: not credsStore either), so it stands.
  const helperNames: Array<[where: string, name: string]> = [
    ...(json.credsStore ? [["credsStore", json.credsStore as string] as [string, string]] : []),
    ...Object.entries(credHelpers as Record<string, string>).map(([key, name]): [string, string] => [
      `credHelpers[${JSON.stringify(key)}]`,
      name,
    ]),
  ];
  const notAName = helperNames.find(([, name]) => name !== "" && !HELPER_NAME.test(name));
  if (notAName) {
    throw new OneoffError(`${file}: ${notAName[0]}: ${JSON.stringify(notAName[1])} is not a credential helper name`, {
      hint: 'set it to the NAME of a docker-credential-NAME program on PATH, such as "desktop" or "pass", or remove it',
    });
  }
  return {
    auths: auths as CredentialConfig["auths"],
    ...(json.credsStore ? { credsStore: json.credsStore as string } : {}),
    credHelpers: credHelpers as Record<string, string>,
  };
}

/** Where the credential for a registry comes from, by the docker CLI's precedence. */
export type CredentialLookup =
  | { kind: "helper"; program: string; configKey: "credHelpers" | "credsStore" }
  | { kind: "stored"; credential: RegistryCredential; entry: string }
  | { kind: "none" };

/**
 * A helper (credHelpers[key], else credsStore) wins over auths, as in the docker CLI, even
 * when it then has nothing. In auths, an exact key wins; otherwise any key naming the same
 * host (`https://127.0.0.1:5056`, `127.0.0.1:5056/v2/`), as docker's ConvertToHostname does.
 */
export function lookupCredential(config: CredentialConfig, registry: Registry, file: string): CredentialLookup {
  const perRegistry = Object.hasOwn(config.credHelpers, registry.key) ? config.credHelpers[registry.key] : undefined;
  if (perRegistry) return { kind: "helper", program: `docker-credential-${perRegistry}`, configKey: "credHelpers" };
  // An empty credHelpers entry keeps credsStore off that registry, as the docker CLI's
  // getConfiguredCredentialStore does: its auths entry is used.
  if (config.credsStore && perRegistry === undefined)
    return { kind: "helper", program: `docker-credential-${config.credsStore}`, configKey: "credsStore" };
  const wanted = hostnameOf(registry.key);
  const entry = registry.key in config.auths ? registry.key : Object.keys(config.auths).find((key) => hostnameOf(key) === wanted);
  if (entry === undefined) return { kind: "none" };
  const { auth, identitytoken } = config.auths[entry] as { auth?: string; identitytoken?: string };
  if (identitytoken) return { kind: "stored", credential: { identityToken: identitytoken }, entry };
  if (!auth) return { kind: "none" };
  const decoded = decodeBasicAuth(auth);
  if (!decoded) {
    throw new OneoffError(`${file}: auths["${entry}"].auth is not base64 of USER:PASSWORD`, {
      hint: `log in again with: ${loginCommand(registry)}`,
    });
  }
  return { kind: "stored", credential: decoded, entry };
}

/** `https://host:port/v1/` -> `host:port`, as docker's ConvertToHostname. */
export function hostnameOf(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] as string;
}

function decodeBasicAuth(auth: string): { username: string; password: string } | undefined {
  // Strict, as Go's base64.StdEncoding: Node's decoder would skip what is not base64.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0) return undefined;
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** What `docker-credential-NAME get` says when it holds nothing for the registry. */
export const HELPER_NOT_FOUND = /credentials not found/i;

/**
 * A credential helper's answer ({"ServerURL","Username","Secret"}) -> a credential; the
 * username `<token>` marks an identity token. undefined when it is not such an answer.
 */
export function parseHelperAnswer(stdout: string): RegistryCredential | undefined {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!isObject(json) || typeof json.Secret !== "string" || json.Secret === "") return undefined;
  const username = typeof json.Username === "string" ? json.Username : "";
  if (username === "<token>") return { identityToken: json.Secret };
  return { username, password: json.Secret };
}

/**
 * The X-Registry-Auth header value: base64url of the JSON AuthConfig, as the docker CLI
 * encodes it (the engine decodes it with Go's URL-safe alphabet).
 */
export function encodeRegistryAuth(credential: RegistryCredential, serverAddress: string): string {
  const config =
    "identityToken" in credential
      ? { identitytoken: credential.identityToken, serveraddress: serverAddress }
      : { username: credential.username, password: credential.password, serveraddress: serverAddress };
  return Buffer.from(JSON.stringify(config), "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** A relative PATH is taken from `cwd`. */
export function parseRegistryAuthFlag(value: string, cwd: string): RegistryAuthFlag {
  // Never echo the value: the likeliest mistake is a password given in its place.
  const match = /^([^:]+):(env|file):(.+)$/.exec(value);
  if (!match) {
    throw new OneoffError("--registry-auth: expected USER:env:VARIABLE or USER:file:PATH", {
      hint: "the password is read from that variable or file, never given on the command line",
    });
  }
  const [, username, kind, where] = match as unknown as [string, string, "env" | "file", string];
  if (kind === "env" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(where)) {
    throw new OneoffError(`--registry-auth: "${where}" is not an environment variable name`, {
      hint: "use USER:env:VARIABLE, e.g. ci:env:REGISTRY_PASSWORD",
    });
  }
  return { username, password: kind === "env" ? { env: where } : { file: path.resolve(cwd, where) } };
}

/** Engine messages that mean the registry wants (other) credentials. */
export function isAuthRefusal(message: string): boolean {
  return /no basic auth credentials|unauthorized|authentication required|access denied|denied: |incorrect username or password|may require 'docker login'/i.test(
    message,
  );
}

/**
 * A refusal for credentials, in words: `source` is where the refused ones came from (none:
 * undefined). Docker Hub gives one answer for "no such repository" and "no access to it", so
 * its refusal says both.
 */
export function describeRefusal(registry: Registry, source: string | undefined, engineMessage = ""): { why: string; hint: string } {
  const login = `log in with: ${loginCommand(registry)}; or pass --registry-auth USER:env:VARIABLE`;
  const hint = source === "--registry-auth" ? "check the user and password --registry-auth names" : login;
  if (/repository does not exist/i.test(engineMessage)) {
    const access = source ? `the credentials from ${source} do not grant access to it` : "it needs credentials, and none were found for it";
    return {
      why: `registry ${registry.host} refused the pull: the repository does not exist, or ${access}`,
      hint: `check the image name; ${hint}`,
    };
  }
  const why = source
    ? `registry ${registry.host} refused the credentials from ${source}`
    : `registry ${registry.host} wants credentials, and none were found for it`;
  return { why, hint };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
