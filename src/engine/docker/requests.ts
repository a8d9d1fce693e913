/**
 * Our own requests to the engine, over its transport (unix, tcp, TLS or ssh): the plain JSON
 * calls a one-off makes (inspect, create, start, the long-held wait, remove, ...), and raw
 * answers read by the caller. Node's http client and nothing else: a run's path to the engine
 * loads no dockerode (~100 ms to import; see engine.ts for what still uses it).
 */
import type http from "node:http";
import { openRequest, type Transport } from "./transport.js";

/** Where our own requests go: the engine's transport (unix, tcp, TLS or ssh). */
export type RequestTarget = Transport;

/**
 * A name or reference as one part of a request's path: escaped, but for the "/", ":" and "@"
 * an image reference is made of (docker's router takes them as they are).
 */
export function pathPart(text: string): string {
  return encodeURIComponent(text).replace(/%2F/gi, "/").replace(/%3A/gi, ":").replace(/%40/g, "@");
}

export interface JsonRequestOptions {
  /** Sent as the JSON body. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Held open for as long as the engine takes (the wait endpoint): on a connection of its own,
   * never a pooled one, and without the transport's request timeout.
   */
  longHeld?: boolean;
  signal?: AbortSignal;
}

/**
 * A request answered with JSON, or with nothing (204, 304): resolves with the parsed answer
 * (undefined when empty). A status of 400 or more rejects with the engine's shape of error
 * ({ statusCode, json }) that errors.ts reads, as docker-modem's errors are. A connection closed
 * before the answer is complete rejects too: an engine killed mid-wait must be an error, not a
 * promise that never settles (docker-modem's wait can leave it pending, and Node then exits
 * with 13 and no word).
 */
export function jsonRequest(
  target: RequestTarget,
  method: string,
  requestPath: string,
  options: JsonRequestOptions = {},
): Promise<unknown> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  } else if (method !== "GET" && method !== "HEAD") headers["Content-Length"] = "0";
  const longHeld = options.longHeld === true;
  const request = openRequest(target, { method, path: requestPath, headers, signal: options.signal }, { dedicated: longHeld });
  // The transport's limit, if it has one (the watchdog's: it must end): ETIMEDOUT reads as unreachable.
  const limit = longHeld ? undefined : target.requestTimeoutMs;
  if (limit !== undefined) {
    request.setTimeout(limit, () => request.destroy(Object.assign(new Error(`no answer within ${limit} ms`), { code: "ETIMEDOUT" })));
  }
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.once("error", reject);
      response.once("close", () => {
        if (!response.complete) {
          reject(Object.assign(new Error("the engine closed the connection"), { code: "ECONNRESET" }));
          return;
        }
        const status = response.statusCode ?? 500;
        if (status >= 400) reject(engineAnswerError(status, text));
        else resolve(parsedAnswer(text));
      });
    });
    request.once("error", reject);
    request.end(body);
  });
}

/** An answer of 400 or more as an error errors.ts reads: statusCode, and the engine's JSON. */
export function engineAnswerError(status: number, text: string): Error {
  const json = parsedAnswer(text);
  const message = (json as { message?: unknown } | undefined)?.message;
  return Object.assign(new Error(typeof message === "string" ? message : text || `HTTP ${status}`), { statusCode: status, json });
}

export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain request whose status, headers and raw body the caller reads itself (HEAD and GET archive). */
export function rawRequest(
  target: RequestTarget,
  method: string,
  requestPath: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const request = openRequest(target, { method, path: requestPath, headers }, { dedicated: false });
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

/** An answer's body: its JSON, the text itself when it is not JSON, undefined when empty. */
function parsedAnswer(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
