/**
 * Where the engine is, following the docker CLI's conventions (DOCKER_HOST, DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH). Parsing is pure; reading certificate files happens in loadTlsFiles.
 * DOCKER_CLIENT_TIMEOUT is deliberately ignored: docker-modem would turn it into a socket
 * timeout on every request, including the long wait and attach of a one-off.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneoffError } from "../../output/errors.js";

export type Connection =
  | { kind: "unix"; socketPath: string; endpoint: string }
  | { kind: "tcp"; host: string; port: number; tls?: { certPath: string }; endpoint: string };

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export function connectionFromEnv(env: Readonly<Record<string, string | undefined>>): Connection {
  const given = env.DOCKER_HOST?.trim() || `unix://${DEFAULT_SOCKET}`;
  // Like the docker CLI, an address without a scheme is a TCP address.
  const dockerHost = given.includes("://") ? given : `tcp://${given}`;
  if (dockerHost.startsWith("unix://")) {
    const socketPath = dockerHost.slice("unix://".length);
    return { kind: "unix", socketPath, endpoint: dockerHost };
  }
  if (dockerHost.startsWith("tcp://")) {
    let url: URL;
    try {
      url = new URL(dockerHost.replace(/^tcp:/, "http:"));
    } catch {
      throw new OneoffError(`DOCKER_HOST "${dockerHost}" is not a valid address`, { hint: "use unix:///path/to/docker.sock or tcp://HOST:PORT" });
    }
    const tlsVerify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
    const port = url.port ? Number(url.port) : tlsVerify ? 2376 : 2375;
    return {
      kind: "tcp",
      host: url.hostname,
      port,
      ...(tlsVerify ? { tls: { certPath: env.DOCKER_CERT_PATH || path.join(os.homedir(), ".docker") } } : {}),
      endpoint: dockerHost,
    };
  }
  const scheme = dockerHost.split("://")[0];
  throw new OneoffError(`DOCKER_HOST "${dockerHost}": the ${scheme} scheme is not supported yet`, {
    hint: "use unix:// or tcp:// (ssh:// engines: forward the socket with ssh -L)",
  });
}

export interface TlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function loadTlsFiles(certPath: string): TlsFiles {
  const read = (name: string) => {
    try {
      return readFileSync(path.join(certPath, name));
    } catch {
      throw new OneoffError(`DOCKER_TLS_VERIFY is set but ${path.join(certPath, name)} cannot be read`, {
        hint: "set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem",
      });
    }
  };
  return { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}
