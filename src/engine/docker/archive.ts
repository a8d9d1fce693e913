/**
 * The archive endpoint as streams, end to end: a tar piped into PUT /containers/{id}/archive
 * and the tar of GET /containers/{id}/archive handed over unread. Our own requests (as for
 * attach) so nothing is buffered: docker-modem reads a whole GET body into memory.
 */
import type { IncomingMessage } from "node:http";
import { pipeline, type Readable } from "node:stream";
import { OneoffError } from "../../output/errors.js";
import { rawRequest, type RequestTarget } from "./requests.js";
import type { PathStat } from "../types.js";
import { notDockerError } from "./errors.js";
import { SMALL_ARCHIVE_MAX_BYTES } from "../archive-answers.js";
import { openRequest } from "./transport.js";

const archivePath = (containerId: string, containerPath: string) =>
  `/containers/${encodeURIComponent(containerId)}/archive?path=${encodeURIComponent(containerPath)}`;

/** Extracts `tar` into the directory `containerPath`; rejects with the engine's error as dockerode shapes it. */
export function putArchive(target: RequestTarget, containerId: string, containerPath: string, tar: Readable): Promise<void> {
  // noOverwriteDirNonDir: as docker cp, a file never replaces a directory or the reverse.
  const request = openRequest(
    target,
    {
      method: "PUT",
      path: `${archivePath(containerId, containerPath)}&noOverwriteDirNonDir=true`,
      headers: { "Content-Type": "application/x-tar" },
      // A connection of its own for a long stream (over ssh too), not a pooled one.
    },
    { dedicated: true },
  );
  return new Promise((resolve, reject) => {
    let answered = false;
    let sourceFailed: Error | undefined;
    request.once("response", (response) => {
      answered = true;
      readBody(response).then((body) => {
        if ((response.statusCode ?? 500) < 400) resolve();
        else reject(engineError(response, body));
      }, reject);
    });
    tar.once("error", (error) => (sourceFailed = error));
    pipeline(tar, request, (error) => {
      if (!error || answered) return;
      // A failure while reading what we send is ours (a file that vanished, a permission), not
      // the engine's: its ENOENT must not read as "no engine socket".
      if (sourceFailed)
        reject(
          new OneoffError(`reading what to copy in: ${sourceFailed.message}`, {
            hint: "check the local files are readable and not changing",
          }),
        );
      else reject(error);
    });
  });
}

/** The tar of `containerPath` as it streams from the engine; undefined when the path does not exist. */
export function getArchive(target: RequestTarget, containerId: string, containerPath: string): Promise<Readable | undefined> {
  const request = openRequest(target, { method: "GET", path: archivePath(containerId, containerPath) }, { dedicated: true });
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      const status = response.statusCode ?? 500;
      if (status === 200) {
        resolve(response);
        return;
      }
      readBody(response).then((body) => {
        const error = engineError(response, body);
        const message = (error.json as { message?: unknown } | null)?.message;
        if (status === 404 && typeof message === "string" && !/no such container/i.test(message)) resolve(undefined);
        else reject(error);
      }, reject);
    });
    request.once("error", reject);
    request.end();
  });
}

async function readBody(response: IncomingMessage): Promise<string> {
  let body = "";
  response.setEncoding("utf8");
  for await (const chunk of response) body += chunk as string;
  return body;
}

function engineError(response: IncomingMessage, body: string): Error & { statusCode: number; json: unknown } {
  let json: unknown = body;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON: translateEngineError says the engine does not answer like Docker.
  }
  return Object.assign(new Error(body || `HTTP ${response.statusCode}`), { statusCode: response.statusCode ?? 500, json });
}

/** What the archive endpoint's HEAD says of a path (for oneoff check); undefined when absent. */
export async function statPath(target: RequestTarget, containerId: string, filePath: string): Promise<PathStat | undefined> {
  const response = await rawRequest(target, "HEAD", archivePath(containerId, filePath));
  if (response.statusCode === 404) return undefined;
  const header = response.headers["x-docker-container-path-stat"];
  if (response.statusCode !== 200 || typeof header !== "string")
    throw notDockerError(target.connection.endpoint, `HEAD archive answered ${response.statusCode}`);
  return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
}

/**
 * A small file's tar (/etc/passwd, /etc/group), read into memory up to SMALL_ARCHIVE_MAX_BYTES:
 * undefined when absent, "too large" past that, the rest never read (the connection is
 * dropped), since the image is not ours to trust with this process's memory.
 */
export function readSmallArchive(target: RequestTarget, containerId: string, filePath: string): Promise<Buffer | undefined | "too large"> {
  // Pooled: a socket destroyed mid-answer leaves the pool (and over ssh, a connection of its own would be a new ssh).
  const request = openRequest(target, { method: "GET", path: archivePath(containerId, filePath) }, { dedicated: false });
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      const status = response.statusCode ?? 0;
      if (status === 404) {
        response.resume();
        resolve(undefined);
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(notDockerError(target.connection.endpoint, `GET archive answered ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      response.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (length > SMALL_ARCHIVE_MAX_BYTES) {
          resolve("too large");
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.once("error", reject);
      response.once("end", () => resolve(Buffer.concat(chunks)));
    });
    request.once("error", reject);
    request.end();
  });
}
