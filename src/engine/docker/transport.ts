/**
 * How bytes reach the engine for one Connection: the same for dockerode's requests and for
 * our own (hijack.ts), so attach and wait always go where everything else goes.
 */
import type Docker from "dockerode";
import type { Agent, ClientRequest } from "node:http";
import type { RequestOptions } from "node:https";
import { http, https } from "./node-http.js";
import { loadTlsFiles, type Connection, type TlsFiles } from "./connection.js";
import { SshAgent, SshStream } from "./ssh-dial.js";

export interface Transport {
  connection: Connection;
  tls?: TlsFiles;
  /**
   * For dockerode's requests: ssh://, the keep-alive pool of dial-stdio children; TLS without
   * verification (a context's SkipTLSVerify), since docker-modem passes no such option itself.
   */
  agent?: Agent;
  /** Fail any request that takes longer (for processes that must end, like the watchdog); default none. */
  requestTimeoutMs?: number;
}

/** Reads the TLS files (an edge: files) and, for ssh://, makes the agent; spawns nothing yet. */
export function openTransport(connection: Connection, requestTimeoutMs?: number): Transport {
  const limit = requestTimeoutMs === undefined ? {} : { requestTimeoutMs };
  if (connection.kind === "tcp" && connection.tls) {
    const tls = loadTlsFiles(connection.tls);
    return {
      connection,
      tls,
      ...(tls.rejectUnauthorized ? {} : { agent: new (https().Agent)({ keepAlive: true, rejectUnauthorized: false }) }),
      ...limit,
    };
  }
  if (connection.kind === "ssh") return { connection, agent: new SshAgent(connection), ...limit };
  return { connection, ...limit };
}

/**
 * dockerode's options. Every one is given explicitly (undefined included): docker-modem fills
 * anything missing from DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_CLIENT_TIMEOUT behind our back.
 */
export function modemOptions({ connection, tls, agent, requestTimeoutMs }: Transport): Docker.DockerOptions {
  return {
    socketPath: connection.kind === "unix" ? connection.socketPath : undefined,
    // ssh: a host name for the Host header only; the agent makes every connection.
    host: connection.kind === "tcp" ? connection.host : connection.kind === "ssh" ? "docker" : undefined,
    port: connection.kind === "tcp" ? connection.port : undefined,
    protocol: connection.kind === "tcp" && tls ? "https" : "http",
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
    agent,
    // None by default: a one-off's wait lasts as long as it runs.
    timeout: requestTimeoutMs,
  } as Docker.DockerOptions;
}

/**
 * A request over the transport. `dedicated`: on a connection of its own, never a pooled one
 * (an attach becomes the stream; a wait is held open for as long as the one-off runs).
 */
export function openRequest(
  { connection, tls, agent }: Transport,
  options: RequestOptions,
  { dedicated }: { dedicated: boolean },
): ClientRequest {
  // Node's agent works out a TLS server name for every request, TLS or not, by matching the
  // Host header against its IPv6 pattern, whose first use costs 7-10 ms (Node 20-24) of a
  // run's start. Only https uses the name: the others are told there is none.
  if (!(connection.kind === "tcp" && tls)) (options as RequestOptions & { servername?: string }).servername = "";
  if (connection.kind === "ssh") {
    options.host = "docker";
    // No agent at all with createConnection: `agent: false` would make Node dial "docker" itself.
    if (dedicated) options.createConnection = () => new SshStream(connection);
    else options.agent = agent;
    return http.request(options);
  }
  if (dedicated) options.agent = false;
  if (connection.kind === "unix") options.socketPath = connection.socketPath;
  else {
    options.host = connection.host;
    options.port = connection.port;
    if (tls) Object.assign(options, tls);
  }
  return (connection.kind === "tcp" && tls ? https() : http).request(options);
}
