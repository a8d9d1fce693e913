/**
 * Finding the credentials for an image's registry, at the edge: docker's config.json
 * ($DOCKER_CONFIG/config.json, default ~/.docker/config.json), its credential helpers
 * (`docker-credential-NAME get`), or --registry-auth. The logic is in ./registry-auth.ts.
 * Secrets stay in memory: errors name files, keys and helpers, never what they hold.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneoffError } from "../output/errors.js";
import {
  encodeRegistryAuth,
  HELPER_NOT_FOUND,
  loginCommand,
  lookupCredential,
  parseDockerConfig,
  parseHelperAnswer,
  registryOf,
  type Registry,
  type RegistryAuthFlag,
  type RegistryCredential,
} from "./registry-auth.js";

type Environment = Readonly<Record<string, string | undefined>>;

export interface CredentialOptions {
  /** The environment DOCKER_CONFIG, HOME, PATH and --registry-auth's variable are read from. */
  env: Environment;
  /** --registry-auth, parsed: used instead of the docker config. */
  registryAuth?: RegistryAuthFlag;
  /** @internal How long a credential helper may take (default 30 s): only tests shorten it. */
  helperTimeoutMs?: number;
}

/** What a pull of one reference sends, and what a refusal's message says about it. */
export interface RegistryLogin {
  registry: Registry;
  /** The X-Registry-Auth value; absent when no credentials were found (an anonymous pull). */
  header?: string;
  /** Where the credentials came from, for messages: a file, a helper, or the flag. */
  source?: string;
}

/** How long a credential helper may take (some ask for a passphrase or unlock a keychain). */
const HELPER_TIMEOUT_MS = 30_000;

/**
 * The X-Registry-Auth header value for pulling `reference` (undefined: none found, pull
 * anonymously). For any engine call that pulls: image create, and service create on Swarm.
 */
export async function registryAuthHeader(reference: string, options: CredentialOptions): Promise<string | undefined> {
  return (await registryLogin(reference, options)).header;
}

/** For resolveRelease: the login for a reference, looked up when (and only if) it is pulled. */
export function registryLogins(options: CredentialOptions): (reference: string) => Promise<RegistryLogin> {
  return (reference) => registryLogin(reference, options);
}

export async function registryLogin(reference: string, options: CredentialOptions): Promise<RegistryLogin> {
  const registry = registryOf(reference);
  const found = await findCredential(registry, options);
  if (!found) return { registry };
  return { registry, header: encodeRegistryAuth(found.credential, registry.key), source: found.source };
}

async function findCredential(
  registry: Registry,
  options: CredentialOptions,
): Promise<{ credential: RegistryCredential; source: string } | undefined> {
  if (options.registryAuth) return { credential: flagCredential(options.registryAuth, options), source: "--registry-auth" };
  const file = dockerConfigPath(options.env);
  const text = readOptional(file);
  if (text === undefined) return undefined;
  const lookup = lookupCredential(parseDockerConfig(text, file), registry, file);
  if (lookup.kind === "none") return undefined;
  if (lookup.kind === "stored") return { credential: lookup.credential, source: file };
  const credential = await askHelper(lookup.program, registry, options, `${lookup.configKey} in ${file}`);
  return credential ? { credential, source: `credential helper ${lookup.program}` } : undefined;
}

export function dockerConfigPath(env: Environment): string {
  if (env.DOCKER_CONFIG) return path.join(env.DOCKER_CONFIG, "config.json");
  return path.join(env.HOME || os.homedir(), ".docker", "config.json");
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new OneoffError(`cannot read ${file}: ${code ?? (error as Error).message}`, {
      hint: "make it readable, or point DOCKER_CONFIG at another directory",
    });
  }
}

function flagCredential(flag: RegistryAuthFlag, options: CredentialOptions): RegistryCredential {
  if ("env" in flag.password) {
    const password = options.env[flag.password.env];
    if (!password)
      throw new OneoffError(`--registry-auth: environment variable ${flag.password.env} is not set or empty`, {
        hint: "export it with the registry password first",
      });
    return { username: flag.username, password };
  }
  const file = flag.password.file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new OneoffError(`--registry-auth: cannot read password file ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`, {
      hint: "give a readable file holding the password",
    });
  }
  // As `docker login --password-stdin`: the trailing newline is not part of the password.
  const password = text.replace(/\r?\n$/, "");
  if (!password) throw new OneoffError(`--registry-auth: password file ${file} is empty`, { hint: "write the registry password into it" });
  return { username: flag.username, password };
}

/**
 * `docker-credential-NAME get` with the registry's key on stdin, as the docker CLI runs it.
 * Its output is never shown (it is the secret, or may contain it); only its exit status.
 */
async function askHelper(
  program: string,
  registry: Registry,
  options: CredentialOptions,
  configuredBy: string,
): Promise<RegistryCredential | undefined> {
  const timeoutMs = options.helperTimeoutMs ?? HELPER_TIMEOUT_MS;
  const fail = (why: string, hint = `fix or reinstall it, or log in again with: ${loginCommand(registry)}`) =>
    new OneoffError(`credential helper ${program} (${configuredBy}) ${why} for ${registry.host}`, { hint });
  const { code, stdout, spawnError } = await runHelper(program, registry.key, options.env, timeoutMs);
  if (spawnError === "ENOENT") throw fail("is not on PATH", `install it, or remove it from ${configuredBy.replace(/ in .*/, "")}`);
  if (spawnError === "ETIMEDOUT") throw fail(`did not answer within ${timeoutMs / 1000}s`);
  if (spawnError) throw fail(`could not be run (${spawnError})`);
  if (code !== 0) {
    if (HELPER_NOT_FOUND.test(stdout)) return undefined;
    throw fail(`failed (exit ${code})`);
  }
  const credential = parseHelperAnswer(stdout);
  if (!credential) throw fail("gave no credentials JSON");
  return credential;
}

function runHelper(
  program: string,
  serverAddress: string,
  env: Environment,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ["get"], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "ignore"] });
    // Our own timer rather than spawn's `timeout`: a helper's own children may hold its stdout
    // open after it is killed, and "close" would wait for them.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      child.stdout.destroy();
      finish({ code: null, stdout: "", spawnError: "ETIMEDOUT" });
    }, timeoutMs);
    const finish = (result: { code: number | null; stdout: string; spawnError?: string }) => {
      clearTimeout(timer);
      resolve(result);
    };
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < 1 << 20) stdout += chunk;
    });
    child.stdin.on("error", () => {});
    child.stdin.end(serverAddress);
    child.once("error", (error: NodeJS.ErrnoException) => finish({ code: null, stdout: "", spawnError: error.code ?? error.message }));
    child.once("close", (code) => finish({ code, stdout }));
  });
}
