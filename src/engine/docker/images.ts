/**
 * Images: inspect, pull (the engine's streamed progress, and the failures it reports inside
 * a 200 answer), and whether a registry has a reference. Used by the engine adapter.
 */
import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { OneoffError } from "../../output/errors.js";
import type { ImageSummary, PullProgress } from "../types.js";
import { answersLikeDocker, engineMessage, isUnreachable, notDockerError, statusCodeOf, translateEngineError } from "./errors.js";
import { engineAnswerError, jsonRequest, pathPart, rawRequest, type RequestTarget } from "./requests.js";
import { openRequest } from "./transport.js";
import { handlePullLine, safeParse } from "./pull-progress.js";
import { runtimeFromHostConfig } from "../../requests/runtime-settings.js";

export async function inspectImage(target: RequestTarget, reference: string): Promise<ImageSummary | undefined> {
  const endpoint = target.connection.endpoint;
  try {
    const image = (await jsonRequest(target, "GET", `/images/${pathPart(reference)}/json`)) as Docker.ImageInspectInfo | undefined;
    if (typeof image?.Id !== "string") throw notDockerError(endpoint, "image inspect returned no image ID");
    // The engine gives a container that sets none the image's USER, WORKDIR, ENTRYPOINT and STOPSIGNAL (moby's
    // merge), never its Hostname: docker commit leaves the committed container's there. Its VOLUMEs
    // are no setting a container asks for: each gets an anonymous volume of its own for them.
    const { Hostname: _notGiven, Volumes: _declared, ...config } = image.Config ?? {};
    return {
      id: image.Id,
      repoTags: image.RepoTags ?? [],
      repoDigests: image.RepoDigests ?? [],
      env: image.Config?.Env ?? [],
      settings: runtimeFromHostConfig({}, {}, config),
    };
  } catch (error) {
    if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return undefined;
    throw translateEngineError(error, endpoint, `inspect image ${reference}`);
  }
}

export async function pullImage(
  docker: Docker,
  endpoint: string,
  {
    repository,
    tag,
    onProgress,
    registryAuth,
    platform,
  }: { repository: string; tag: string; onProgress: (event: PullProgress) => void; registryAuth?: string; platform?: string },
): Promise<void> {
  const name = tag.startsWith("sha256:") ? `${repository}@${tag}` : `${repository}:${tag}`;
  let stream: Readable;
  try {
    // createImage, not pull(): pull() re-parses "host:port/repo:tag" itself; here both
    // parts go to the API as they are.
    // { key }: docker-modem sends it as X-Registry-Auth unchanged.
    stream = (await docker.createImage(registryAuth ? { key: registryAuth } : undefined, {
      fromImage: repository,
      tag,
      ...(platform ? { platform } : {}),
    })) as Readable;
  } catch (error) {
    // A streamed endpoint: dockerode leaves the engine's JSON unparsed, so no shape check.
    if (isUnreachable(error)) throw translateEngineError(error, endpoint, `pull ${name}`);
    throw new OneoffError(`pull ${name}: ${engineMessage(error)}`, { cause: error });
  }
  // The engine reports pull failures inside the 200 response, as {"error": "..."} lines.
  let pending = "";
  for await (const chunk of stream) {
    pending += String(chunk);
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) handlePullLine(line, name, endpoint, onProgress);
  }
  handlePullLine(pending, name, endpoint, onProgress);
}

export async function registryHas(
  target: RequestTarget,
  endpoint: string,
  reference: string,
  registryAuth?: string,
): Promise<{ ok: true; digest?: string } | { ok: false; why: string }> {
  try {
    const response = await rawRequest(
      target,
      "GET",
      `/distribution/${reference}/json`,
      registryAuth ? { "X-Registry-Auth": registryAuth } : {},
    );
    if (response.statusCode === 200) {
      const digest = (safeParse(response.body.toString("utf8")) as { Descriptor?: { digest?: string } } | undefined)?.Descriptor?.digest;
      return digest ? { ok: true, digest } : { ok: true };
    }
    const message =
      (safeParse(response.body.toString("utf8")) as { message?: string } | undefined)?.message ?? `HTTP ${response.statusCode}`;
    return { ok: false, why: message };
  } catch (error) {
    throw translateEngineError(error, endpoint, `look up ${reference} in its registry`);
  }
}

/**
 * Imports `rootfs` (a tar) as the image `repository:tag` with `labels` (POST /images/create
 * with fromSrc=-): an image no registry needs to hold, made on any engine, a Swarm manager too.
 * The engine reports a failure inside a 200 answer as a line with `error`, as for a pull.
 */
export async function importImage(
  target: RequestTarget,
  reference: { repository: string; tag: string },
  labels: Record<string, string>,
  rootfs: Buffer,
): Promise<void> {
  const changes = Object.entries(labels).map(([key, value]) => `LABEL ${key}=${JSON.stringify(value)}`);
  const query = new URLSearchParams({ fromSrc: "-", repo: reference.repository, tag: reference.tag });
  for (const change of changes) query.append("changes", change);
  const request = openRequest(
    target,
    {
      method: "POST",
      path: `/images/create?${query}`,
      headers: { "Content-Type": "application/x-tar", "Content-Length": String(rootfs.length) },
    },
    { dedicated: false },
  );
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.once("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.once("error", reject);
      response.once("end", () => resolve({ status: response.statusCode ?? 500, text }));
    });
    request.once("error", reject);
    request.end(rootfs);
  });
  if (answer.status >= 400) throw engineAnswerError(answer.status, answer.text);
  const failed = answer.text
    .split("\n")
    .map((line) => safeParse(line) as { error?: unknown } | undefined)
    .find((line) => line?.error !== undefined);
  if (failed) throw new OneoffError(`the engine could not import ${reference.repository}:${reference.tag}: ${String(failed.error)}`);
}
