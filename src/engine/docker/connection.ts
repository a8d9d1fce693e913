/**
 * One engine address (unix://, tcp://, ssh://) -> a Connection, following the docker CLI's
 * conventions. Parsing is pure; reading certificate files happens in loadTlsFiles. Which
 * address applies (flags, environment, DOCKER_HOST, contexts) is locate.ts's business.
 * DOCKER_CLIENT_TIMEOUT is deliberately ignored: docker-modem would turn it into a socket
 * timeout on every request, including the long wait and attach of a one-off.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneoffError } from "../../output/errors.js";

/** Where the TLS material is. A file left out is not sent (a context may hold only a CA). */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  /** A context's SkipTLSVerify: encrypt, but do not check the engine's certificate. */
  skipVerify?: boolean;
}

export type Connection =
  | { kind: "unix"; socketPath: string; endpoint: string }
  | { kind: "tcp"; host: string; port: number; tls?: TlsSettings; endpoint: string }
  /** `ssh [-l user] [-p port] -- host docker system dial-stdio`, as the docker CLI does. */
  | { kind: "ssh"; host: string; user?: string; port?: number; socketPath?: string; endpoint: string };

const DEFAULT_SOCKET = "/var/run/docker.sock";

type Env = Readonly<Record<string, string | undefined>>;

/** DOCKER_HOST (default: the local socket) with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH. */
export function connectionFromEnv(env: Env): Connection {
  return connectionFromAddress(env.DOCKER_HOST?.trim() || `unix://${DEFAULT_SOCKET}`, "DOCKER_HOST", tlsFromEnv(env));
}

/**
 * The TLS settings DOCKER_TLS_VERIFY and DOCKER_CERT_PATH give a tcp:// address named by
 * DOCKER_HOST or --host (the docker CLI applies them to -H too).
 */
export function tlsFromEnv(env: Env): TlsSettings | undefined {
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
  if (!verify) return undefined;
  const certPath = env.DOCKER_CERT_PATH || path.join(os.homedir(), ".docker");
  return { ca: path.join(certPath, "ca.pem"), cert: path.join(certPath, "cert.pem"), key: path.join(certPath, "key.pem") };
}

/**
 * `given` is an engine address; `what` names where it came from ("DOCKER_HOST", "--host",
 * "context prod") for messages; `tls` applies to tcp:// only.
 */
export function connectionFromAddress(given: string, what: string, tls?: TlsSettings): Connection {
  const trimmed = given.trim();
  // Like the docker CLI, an address without a scheme is a TCP address.
  const address = trimmed.includes("://") ? trimmed : `tcp://${trimmed}`;
  const scheme = address.slice(0, address.indexOf("://"));
  if (scheme === "unix") {
    const socketPath = address.slice("unix://".length);
    if (!socketPath) throw invalid(what, address);
    return { kind: "unix", socketPath, endpoint: address };
  }
  if (scheme === "tcp") {
    const url = parseUrl(address.replace(/^tcp:/, "http:"), what, address);
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    // A user:password@ in a tcp:// address means nothing to the engine; keep it out of messages.
    const endpoint = url.username || url.password ? address.replace(/\/\/[^@/]*@/, "//") : address;
    return { kind: "tcp", host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port, tls, endpoint };
  }
  if (scheme === "ssh") return sshConnection(address, what);
  throw new OneoffError(`${what} "${address}": the ${scheme} scheme is not supported`, { hint: "use unix://, tcp:// or ssh://" });
}

function sshConnection(address: string, what: string): Connection {
  const url = parseUrl(address, what, address);
  // The docker CLI's rules (cli/connhelper/ssh): no password, no query, no fragment.
  if (url.password)
    throw new OneoffError(`${what} "${address.replace(/:[^:@/]*@/, ":***@")}": a password in an ssh:// address is not supported`, {
      hint: "use a key, or ssh-agent",
    });
  if (url.search || url.hash)
    throw new OneoffError(`${what} "${address}": an ssh:// address takes no query or fragment`, {
      hint: "ssh://[user@]host[:port][/path/to/docker.sock]",
    });
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw invalid(what, address);
  const socketPath = url.pathname.replace(/^\/+$/, "");
  // ssh hands the far side one command line, read by the user's shell there: the path is
  // kept to characters no shell reads as code (the docker CLI passes it on unchecked).
  if (socketPath && !/^\/[A-Za-z0-9_./-]*$/.test(socketPath)) {
    throw new OneoffError(`${what} "${address}": the socket path ${socketPath} holds characters the remote shell would run as code`, {
      hint: "use a socket path of letters, digits, /, ., _ and -",
    });
  }
  return {
    kind: "ssh",
    host,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    port: url.port ? Number(url.port) : undefined,
    socketPath: socketPath || undefined,
    endpoint: address,
  };
}

function parseUrl(text: string, what: string, address: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(what, address);
  }
  if (!url.hostname) throw invalid(what, address);
  return url;
}

function invalid(what: string, address: string): OneoffError {
  return new OneoffError(`${what} "${address}" is not a valid address`, {
    hint: "use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]",
  });
}

/** The `ssh` arguments that reach the engine's `docker system dial-stdio`, as the docker CLI builds them. */
export function sshArguments(connection: Extract<Connection, { kind: "ssh" }>): string[] {
  return [
    "-o",
    "ConnectTimeout=30",
    "-T",
    ...(connection.user ? ["-l", connection.user] : []),
    ...(connection.port ? ["-p", String(connection.port)] : []),
    "--",
    connection.host,
    "docker",
    ...(connection.socketPath ? [`--host=unix://${connection.socketPath}`] : []),
    "system",
    "dial-stdio",
  ];
}

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export function loadTlsFiles(tls: TlsSettings): TlsFiles {
  const read = (file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch {
      throw new OneoffError(`DOCKER_TLS_VERIFY is set but ${file} cannot be read`, {
        hint: "set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem",
      });
    }
  };
  const files: TlsFiles = { rejectUnauthorized: tls.skipVerify !== true };
  const ca = read(tls.ca);
  const cert = read(tls.cert);
  const key = read(tls.key);
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  return files;
}
