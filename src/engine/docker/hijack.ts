/**
 * POST /containers/{id}/attach as an HTTP upgrade, done here rather than through docker-modem:
 * modem sends its options as a JSON request body on the hijacked connection, and those bytes
 * can reach the command's stdin (apocas/dockerode#777). We send no body at all.
 */
import type http from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { openRequest, type Transport } from "./transport.js";

/** Where our own requests go: the engine's transport (unix, tcp, TLS or ssh). */
export type HijackTarget = Transport;

/**
 * A long-held POST answered with JSON (the wait endpoint), on a connection of its own, that
 * rejects when the connection closes before the answer is complete: an engine killed
 * mid-wait must be an error, not a promise that never settles (docker-modem's wait can
 * leave it pending, and Node then exits with 13 and no word).
 */
export function longPost(target: HijackTarget, requestPath: string, signal?: AbortSignal): Promise<unknown> {
  const request = openRequest(
    target,
    { method: "POST", path: requestPath, headers: { "Content-Length": "0" }, ...(signal ? { signal } : {}) },
    true,
  );
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.once("error", reject);
      response.once("close", () => {
        if (!response.complete) {
          reject(Object.assign(new Error("the engine closed the connection"), { code: "ECONNRESET" }));
          return;
        }
        const json = safeJson(body);
        if ((response.statusCode ?? 500) >= 400)
          reject(Object.assign(new Error(body || `HTTP ${response.statusCode}`), { statusCode: response.statusCode, json }));
        else resolve(json);
      });
    });
    request.once("error", reject);
    request.end();
  });
}

export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain request whose status, headers and raw body the caller reads itself (HEAD and GET archive). */
export function rawRequest(
  target: HijackTarget,
  method: string,
  requestPath: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const request = openRequest(target, { method, path: requestPath, headers }, false);
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("error", reject);
      response.once("end", () => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.once("error", reject);
    request.end();
  });
}

export function hijack(target: HijackTarget, requestPath: string): Promise<Duplex> {
  // A connection of its own: it becomes the stream, and must never be a pooled keep-alive one.
  const request = openRequest(
    target,
    { method: "POST", path: requestPath, headers: { Connection: "Upgrade", Upgrade: "tcp", "Content-Length": "0" } },
    true,
  );
  return new Promise((resolve, reject) => {
    request.once("upgrade", (_response, socket: Socket, head: Buffer) => {
      // Bytes the engine sent right after the 101 may already be buffered: put them back.
      if (head.length > 0) socket.unshift(head);
      // A TCP or unix socket; over ssh a pipe, where Nagle means nothing.
      (socket as Partial<Socket>).setNoDelay?.(true);
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
