/**
 * The Docker Engine adapter. A one-off's calls are our own requests (requests.ts, hijack.ts
 * for attach): plain JSON over Node's http client. dockerode serves the rest, the streamed pull
 * and logs and the Swarm API, and is imported only when one of those is first used: its import
 * alone costs ~40 ms even bundled, more than all of a run's own work before its first request.
 */
import type Docker from "dockerode";
import { Readable, type Duplex } from "node:stream";
import type { CreateBody } from "../../requests/create-body.js";
import type { EngineDefaults } from "../../requests/runtime-settings.js";
import {
  NameInUse,
  type AttachOptions,
  type PathStat,
  type ContainerDetails,
  type ContainerEngine,
  type ContainerSummary,
  type ImageSummary,
  type ProcessDefinition,
  type PullProgress,
  type TerminalSize,
} from "../types.js";
import type { Connection } from "./connection.js";
import { modemOptions, openTransport, type Transport } from "./transport.js";
import {
  answersLikeDocker,
  isNameConflict,
  notDockerError,
  statusCodeOf,
  translateArchiveError,
  translateAttachError,
  translateCreateError,
  translateEngineError,
  translateStartError,
} from "./errors.js";
import { getArchive, putArchive, readSmallArchive, statPath } from "./archive.js";
import { hijack } from "./hijack.js";
import { reusedBufferAttach } from "./reused-buffer-attach.js";
import { jsonRequest, pathPart, type RequestTarget } from "./requests.js";
import { engineDefaults, inspectContainer, inspectContainerInfo, inspectProcess, listContainers } from "./containers.js";
import { openLogStream } from "./log-stream.js";
import { importImage, inspectImage, pullImage, registryHas } from "./images.js";
import { createVolume, listVolumes, removeVolume } from "./volumes.js";
import { SwarmJobsAdapter } from "../swarm/jobs.js";
import type { SwarmJobs } from "../swarm/types.js";

export class DockerEngine implements ContainerEngine {
  readonly endpoint: string;
  readonly onThisMachine: boolean;
  private readonly transport: Transport;
  private dockerode: Promise<Docker> | undefined;
  /** docker info's logging driver and runtime, read once, for --from and diff. */
  private defaults: Promise<EngineDefaults> | undefined;

  constructor(connection: Connection, requestTimeoutMs?: number) {
    this.endpoint = connection.endpoint;
    this.onThisMachine = connection.kind === "unix";
    this.transport = openTransport(connection, requestTimeoutMs);
  }

  /** dockerode on the same transport, imported on first use. */
  private docker(): Promise<Docker> {
    this.dockerode ??= import("dockerode").then(({ default: Dockerode }) => new Dockerode(modemOptions(this.transport)));
    return this.dockerode;
  }

  swarm(): SwarmJobs {
    return new SwarmJobsAdapter(() => this.docker(), this.endpoint);
  }

  inspectImage(reference: string): Promise<ImageSummary | undefined> {
    return inspectImage(this.target(), reference);
  }

  async pullImage(
    repository: string,
    tag: string,
    onProgress: (event: PullProgress) => void,
    registryAuth?: string,
    platform?: string,
  ): Promise<void> {
    return pullImage(await this.docker(), this.endpoint, {
      repository,
      tag,
      onProgress,
      registryAuth,
      platform,
    });
  }

  async importImage(reference: { repository: string; tag: string }, labels: Record<string, string>, rootfs: Buffer): Promise<void> {
    await importImage(this.target(), reference, labels, rootfs).catch((error: unknown) => {
      throw translateEngineError(error, this.endpoint, `import the image ${reference.repository}:${reference.tag}`);
    });
  }

  registryHas(reference: string, registryAuth?: string): Promise<{ ok: true; digest?: string } | { ok: false; why: string }> {
    return registryHas(this.target(), this.endpoint, reference, registryAuth);
  }

  async createContainer(name: string, body: CreateBody, platform?: string): Promise<string> {
    try {
      // The body carries the env; the query only the name and platform (never env values in
      // a URL, which dockerd's debug log would show).
      const query = new URLSearchParams({ name, ...(platform ? { platform } : {}) });
      const created = (await jsonRequest(this.target(), "POST", `/containers/create?${query}`, { body })) as { Id?: unknown } | undefined;
      if (typeof created?.Id !== "string" || !/^[0-9a-f]{12,}$/.test(created.Id))
        throw notDockerError(this.endpoint, "create returned no container ID");
      return created.Id;
    } catch (error) {
      if (isNameConflict(error)) throw new NameInUse(name);
      throw translateCreateError(error, this.endpoint);
    }
  }

  inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined> {
    return inspectContainer(this.target(), nameOrId);
  }

  inspectProcess(nameOrId: string): Promise<ProcessDefinition | undefined> {
    return inspectProcess(this.target(), nameOrId, () => (this.defaults ??= engineDefaults(this.target())));
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    try {
      await jsonRequest(this.target(), "POST", `/containers/${pathPart(nameOrId)}/rename?${new URLSearchParams({ name: newName })}`);
    } catch (error) {
      if (isNameConflict(error)) throw new NameInUse(newName);
      throw translateEngineError(error, this.endpoint, `rename container ${nameOrId}`);
    }
  }

  async connectNetwork(containerId: string, network: string): Promise<void> {
    try {
      await jsonRequest(this.target(), "POST", `/networks/${pathPart(network)}/connect`, { body: { Container: containerId } });
    } catch (error) {
      throw translateEngineError(error, this.endpoint, `connect the one-off to network ${network}`);
    }
  }

  async attach(containerId: string, options: AttachOptions): Promise<Duplex> {
    const query = `stream=1&stdout=1&stderr=1${options.stdin ? "&stdin=1" : ""}${options.detachKeys ? `&detachKeys=${encodeURIComponent(options.detachKeys)}` : ""}`;
    const { connection, tls } = this.transport;
    try {
      // Unix and plain tcp: a socket of our own reading into a reused buffer; TLS and ssh: the hijack.
      if (options.readBufferFree && (connection.kind === "unix" || (connection.kind === "tcp" && !tls)))
        return await reusedBufferAttach(connection, `/containers/${containerId}/attach?${query}`, options.readBufferFree);
      return await hijack(this.target(), `/containers/${containerId}/attach?${query}`);
    } catch (error) {
      throw translateAttachError(error, this.endpoint);
    }
  }

  private target(): RequestTarget {
    return this.transport;
  }

  async resize(containerId: string, size: TerminalSize): Promise<void> {
    try {
      await jsonRequest(this.target(), "POST", `/containers/${containerId}/resize?h=${size.rows}&w=${size.columns}`);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "resize the one-off's terminal");
    }
  }

  async start(containerId: string): Promise<void> {
    try {
      // 304 (already started) is an answer below 400: no error.
      await jsonRequest(this.target(), "POST", `/containers/${containerId}/start`);
    } catch (error) {
      const inspect = await inspectContainerInfo(this.target(), containerId).catch(() => undefined);
      throw translateStartError(error, this.endpoint, [...(inspect?.Config.Entrypoint ?? []), ...(inspect?.Config.Cmd ?? [])]);
    }
  }

  async waitForExit(containerId: string, signal?: AbortSignal): Promise<number> {
    try {
      const result = (await jsonRequest(this.target(), "POST", `/containers/${containerId}/wait?condition=not-running`, {
        longHeld: true,
        signal,
      })) as {
        StatusCode: number;
        Error?: { Message?: string } | null;
      };
      if (typeof result?.StatusCode !== "number") throw notDockerError(this.endpoint, "wait returned no exit code");
      if (result.Error?.Message) throw new Error(result.Error.Message);
      return result.StatusCode;
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "wait for the one-off");
    }
  }

  async kill(containerId: string, signal: string): Promise<void> {
    try {
      await jsonRequest(this.target(), "POST", `/containers/${containerId}/kill?signal=${encodeURIComponent(signal)}`);
    } catch (error) {
      // 404: gone; 409: not running. Either way there is nothing left to signal.
      const status = statusCodeOf(error);
      if (status === 404 || status === 409) return;
      throw translateEngineError(error, this.endpoint, `send ${signal} to the one-off`);
    }
  }

  async logs(containerId: string, options: { follow: boolean; timestamps: boolean }): Promise<NodeJS.ReadableStream> {
    try {
      return await openLogStream(await this.docker(), `/containers/${containerId}/logs`, "container", options);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, `read the logs of ${containerId.slice(0, 12)}`);
    }
  }

  async stop(containerId: string, seconds?: number): Promise<void> {
    try {
      // 304 (already stopped) is no error. No t: the container's own StopTimeout, as docker stop.
      await jsonRequest(this.target(), "POST", `/containers/${containerId}/stop${seconds === undefined ? "" : `?t=${seconds}`}`);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, `stop ${containerId.slice(0, 12)}`);
    }
  }

  async version(): Promise<{ version: string; apiVersion: string }> {
    try {
      const info = (await jsonRequest(this.target(), "GET", "/version")) as { Version?: string; ApiVersion?: string } | undefined;
      if (!info?.Version) throw notDockerError(this.endpoint, "GET /version gave no version");
      return { version: info.Version, apiVersion: info.ApiVersion ?? "" };
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "ask the engine its version");
    }
  }

  async networkExists(name: string): Promise<boolean> {
    return this.exists(() => jsonRequest(this.target(), "GET", `/networks/${pathPart(name)}`), `inspect network ${name}`);
  }

  async volumeExists(name: string): Promise<boolean> {
    return this.exists(() => jsonRequest(this.target(), "GET", `/volumes/${pathPart(name)}`), `inspect volume ${name}`);
  }

  async statPath(containerId: string, filePath: string): Promise<PathStat | undefined> {
    return statPath(this.target(), containerId, filePath).catch((error: unknown) => {
      throw translateEngineError(error, this.endpoint, `look at ${filePath} in the image`);
    });
  }

  async readArchive(containerId: string, filePath: string): Promise<Buffer | undefined | "too large"> {
    return readSmallArchive(this.target(), containerId, filePath).catch((error: unknown) => {
      throw translateEngineError(error, this.endpoint, `read ${filePath} in the image`);
    });
  }

  async putArchive(containerId: string, directory: string, tar: Readable): Promise<void> {
    await putArchive(this.target(), containerId, directory, tar).catch((error: unknown) => {
      throw translateArchiveError(error, this.endpoint, `copy into ${directory} in the one-off`);
    });
  }

  async getArchive(containerId: string, containerPath: string): Promise<Readable | undefined> {
    return getArchive(this.target(), containerId, containerPath).catch((error: unknown) => {
      throw translateArchiveError(error, this.endpoint, `copy ${containerPath} out of the one-off`);
    });
  }

  private async exists(inspect: () => Promise<unknown>, action: string): Promise<boolean> {
    try {
      await inspect();
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return false;
      throw translateEngineError(error, this.endpoint, action);
    }
  }

  createVolume(name: string, labels: Record<string, string>): Promise<void> {
    return createVolume(this.target(), name, labels);
  }

  listVolumes(label: string): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    return listVolumes(this.target(), label);
  }

  removeVolume(name: string): Promise<void> {
    return removeVolume(this.target(), name);
  }

  listContainers(label: string): Promise<ContainerSummary[]> {
    return listContainers(this.target(), label);
  }

  async remove(containerId: string): Promise<void> {
    try {
      await jsonRequest(this.target(), "DELETE", `/containers/${containerId}?force=1&v=1`);
    } catch (error) {
      const status = statusCodeOf(error);
      // 404: already gone. 409: removal already in progress (the engine finishes it).
      if (status === 404 || status === 409) return;
      throw translateEngineError(error, this.endpoint, `remove the one-off container ${containerId.slice(0, 12)}`);
    }
  }
}
