/**
 * POST /containers/{id}/attach as an HTTP upgrade, done here rather than through docker-modem:
 * modem sends its options as a JSON request body on the hijacked connection, and those bytes
 * can reach the command's stdin (apocas/dockerode#777). We send no body at all.
 */
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Connection, TlsFiles } from "./connection.js";

export interface HijackTarget {
  connection: Connection;
  tls?: TlsFiles;
}

export function hijack(target: HijackTarget, requestPath: string): Promise<Duplex> {
  const { connection } = target;
  const options: https.RequestOptions = {
    method: "POST",
    path: requestPath,
    // A connection of its own: it becomes the stream, and must never be a pooled keep-alive one.
    agent: false,
    headers: { Connection: "Upgrade", Upgrade: "tcp", "Content-Length": "0" },
  };
  if (connection.kind === "unix") options.socketPath = connection.socketPath;
  else {
    options.host = connection.host;
    options.port = connection.port;
    if (target.tls) Object.assign(options, target.tls);
  }
  const request = (connection.kind === "tcp" && target.tls ? https : http).request(options);
  return new Promise((resolve, reject) => {
    request.once("upgrade", (_response, socket: Socket, head: Buffer) => {
      // Bytes the engine sent right after the 101 may already be buffered: put them back.
      if (head.length > 0) socket.unshift(head);
      socket.setNoDelay(true);
      resolve(socket);
    });
    request.once("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        const error = Object.assign(new Error(body || `HTTP ${response.statusCode}`), {
          statusCode: response.statusCode,
          json: safeJson(body),
        });
        reject(error);
      });
    });
    request.once("error", reject);
    request.end();
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
