/**
 * The docker CLI's own files, read the way it reads them: `currentContext` in
 * $DOCKER_CONFIG/config.json (default ~/.docker), and each context's
 * contexts/meta/<sha256 of its name>/meta.json (Endpoints.docker.Host, SkipTLSVerify) with its
 * TLS files in contexts/tls/<sha256>/docker/{ca,cert,key}.pem. The parsing is pure; the
 * reading is in dockerConfigAt.
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneoffError } from "../../output/errors.js";
import type { TlsSettings } from "./connection.js";
import { DOCKER_CONFIG_FIX, parseJsonFile } from "../../formats/json-file.js";
import { createHash } from "node:crypto";

export interface ContextEndpoint {
  host: string;
  skipTlsVerify: boolean;
  /** The context's TLS files that exist (any of ca, cert, key). */
  tls: Omit<TlsSettings, "skipVerify">;
}

/** What the engine locator needs to know of a docker config folder. */
export interface DockerContexts {
  /** For messages: "~/.docker" or the DOCKER_CONFIG given. */
  dir: string;
  /** `currentContext` of config.json, read when asked (flags and variables come first). */
  currentContext(): string | undefined;
  /** undefined: no such context. */
  context(name: string): ContextEndpoint | undefined;
}

export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), ".docker");
}

/** Reads lazily: a context's files are read only when that context is asked for. */
export function dockerConfigAt(dir: string): DockerContexts {
  const configFile = path.join(dir, "config.json");
  return {
    dir,
    currentContext: () => (existsSync(configFile) ? parseCurrentContext(readText(configFile), configFile) : undefined),
    context(name) {
      const id = contextId(name);
      const metaFile = path.join(dir, "contexts", "meta", id, "meta.json");
      if (!existsSync(metaFile)) return undefined;
      const tlsDir = path.join(dir, "contexts", "tls", id, "docker");
      const tls: ContextEndpoint["tls"] = {};
      for (const file of ["ca", "cert", "key"] as const) {
        const pem = path.join(tlsDir, `${file}.pem`);
        if (existsSync(pem)) tls[file] = pem;
      }
      return { ...parseContextMeta(readText(metaFile), name, metaFile), tls };
    },
  };
}

/** Contexts are stored under the hex SHA-256 of their name (docker/cli context/store). */
export function contextId(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

export function parseCurrentContext(text: string, file: string): string | undefined {
  const config = parseJsonFile(text, file, DOCKER_CONFIG_FIX) as { currentContext?: unknown };
  return typeof config?.currentContext === "string" && config.currentContext !== "" ? config.currentContext : undefined;
}

export function parseContextMeta(text: string, name: string, file: string): Omit<ContextEndpoint, "tls"> {
  const meta = parseJsonFile(
    text,
    file,
    "the docker CLI writes it: fix or remove it, or recreate the context with docker context create",
  ) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  const docker = meta?.Endpoints?.docker;
  if (typeof docker?.Host !== "string" || docker.Host === "") {
    throw new OneoffError(`context "${name}" has no Docker endpoint (${file})`, {
      hint: "docker context inspect shows it; recreate it with docker context create",
    });
  }
  return { host: docker.Host, skipTlsVerify: docker.SkipTLSVerify === true };
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new OneoffError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "check its permissions",
    });
  }
}
