/**
 * POST /containers/{id}/attach as an HTTP upgrade, done here rather than through docker-modem:
 * modem sends its options as a JSON request body on the hijacked connection, and those bytes
 * can reach the command's stdin (apocas/dockerode#777). We send no body at all.
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { engineAnswerError, type RequestTarget } from "./requests.js";
import { openRequest } from "./transport.js";

export function hijack(target: RequestTarget, requestPath: string): Promise<Duplex> {
  // A connection of its own: it becomes the stream, and must never be a pooled keep-alive one.
  const request = openRequest(
    target,
    { method: "POST", path: requestPath, headers: { Connection: "Upgrade", Upgrade: "tcp", "Content-Length": "0" } },
    { dedicated: true },
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
      response.on("end", () => reject(engineAnswerError(response.statusCode ?? 500, body)));
    });
    request.once("error", reject);
    request.end();
  });
}
