/**
 * The Docker Engine adapter: dockerode for the plain JSON calls, our own hijack for attach.
 * Loaded lazily (see ../connect.ts): dockerode's import alone costs ~100 ms.
 */
import Docker from "dockerode";
import { Readable, type Duplex } from "node:stream";
import type { CreateBody } from "../../spec/create-body.js";
import type { EngineDefaults } from "../../spec/runtime-settings.js";
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
import { hijack, longPost, type HijackTarget } from "./hijack.js";
import { engineDefaults, inspectContainer, inspectProcess, listContainers } from "./containers.js";
import { openLogStream } from "./log-stream.js";
import { inspectImage, pullImage, registryHas } from "./images.js";
import { createVolume, listVolumes, removeVolume } from "./volumes.js";
import { SwarmJobsAdapter } from "../swarm/jobs.js";
import type { SwarmJobs } from "../swarm/types.js";

export class DockerEngine implements ContainerEngine {
  readonly endpoint: string;
  private readonly docker: Docker;
  private readonly transport: Transport;
  /** docker info's logging driver and runtime, read once, for --from and diff. */
  private defaults: Promise<EngineDefaults> | undefined;

  constructor(connection: Connection, requestTimeoutMs?: number) {
    this.endpoint = connection.endpoint;
    this.transport = openTransport(connection);
    this.docker = new Docker(modemOptions(this.transport, requestTimeoutMs));
  }

  swarm(): SwarmJobs {
    return new SwarmJobsAdapter(this.docker, this.endpoint);
  }

  inspectImage(reference: string): Promise<ImageSummary | undefined> {
    return inspectImage(this.docker, this.endpoint, reference);
  }

  pullImage(
    repository: string,
    tag: string,
    onProgress: (event: PullProgress) => void,
    registryAuth?: string,
    platform?: string,
  ): Promise<void> {
    return pullImage(this.docker, this.endpoint, {
      repository,
      tag,
      onProgress,
      ...(registryAuth ? { registryAuth } : {}),
      ...(platform ? { platform } : {}),
    });
  }

  registryHas(reference: string, registryAuth?: string): Promise<{ ok: true; digest?: string } | { ok: false; why: string }> {
    return registryHas(this.target(), this.endpoint, reference, registryAuth);
  }

  async createContainer(name: string, body: CreateBody, platform?: string): Promise<string> {
    try {
      // _query/_body: dockerode otherwise sends the whole body in the query string too,
      // which puts env values in the URL (and in dockerd's debug log).
      const container = await this.docker.createContainer({
        _query: { name, ...(platform ? { platform } : {}) },
        _body: body,
      } as unknown as Docker.ContainerCreateOptions);
      if (typeof container.id !== "string" || !/^[0-9a-f]{12,}$/.test(container.id))
        throw notDockerError(this.endpoint, "create returned no container ID");
      return container.id;
    } catch (error) {
      if (isNameConflict(error)) throw new NameInUse(name);
      throw translateCreateError(error, this.endpoint);
    }
  }

  inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined> {
    return inspectContainer(this.docker, this.endpoint, nameOrId);
  }

  inspectProcess(nameOrId: string): Promise<ProcessDefinition | undefined> {
    return inspectProcess(this.docker, this.endpoint, nameOrId, () => (this.defaults ??= engineDefaults(this.docker, this.endpoint)));
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).rename({ name: newName });
    } catch (error) {
      if (isNameConflict(error)) throw new NameInUse(newName);
      throw translateEngineError(error, this.endpoint, `rename container ${nameOrId}`);
    }
  }

  async connectNetwork(containerId: string, network: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({ Container: containerId });
    } catch (error) {
      throw translateEngineError(error, this.endpoint, `connect the one-off to network ${network}`);
    }
  }

  async attach(containerId: string, options: AttachOptions): Promise<Duplex> {
    const query = `stream=1&stdout=1&stderr=1${options.stdin ? "&stdin=1" : ""}${options.detachKeys ? `&detachKeys=${encodeURIComponent(options.detachKeys)}` : ""}`;
    try {
      return await hijack(this.target(), `/containers/${containerId}/attach?${query}`);
    } catch (error) {
      throw translateAttachError(error, this.endpoint);
    }
  }

  private target(): HijackTarget {
    return this.transport;
  }

  async resize(containerId: string, size: TerminalSize): Promise<void> {
    try {
      await this.docker.getContainer(containerId).resize({ h: size.rows, w: size.columns });
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "resize the one-off's terminal");
    }
  }

  async start(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).start();
    } catch (error) {
      if (statusCodeOf(error) === 304) return;
      const inspect = await this.docker
        .getContainer(containerId)
        .inspect()
        .catch(() => undefined);
      throw translateStartError(error, this.endpoint, [...(inspect?.Config.Entrypoint ?? []), ...(inspect?.Config.Cmd ?? [])]);
    }
  }

  async waitForExit(containerId: string, signal?: AbortSignal): Promise<number> {
    try {
      const result = (await longPost(this.target(), `/containers/${containerId}/wait?condition=not-running`, signal)) as {
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

  async kill(containerId: string, signal: NodeJS.Signals): Promise<void> {
    try {
      await this.docker.getContainer(containerId).kill({ signal });
    } catch (error) {
      // 404: gone; 409: not running. Either way there is nothing left to signal.
      const status = statusCodeOf(error);
      if (status === 404 || status === 409) return;
      throw translateEngineError(error, this.endpoint, `send ${signal} to the one-off`);
    }
  }

  async logs(containerId: string, options: { follow: boolean; timestamps: boolean }): Promise<NodeJS.ReadableStream> {
    try {
      return await openLogStream(this.docker, `/containers/${containerId}/logs`, "container", options);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, `read the logs of ${containerId.slice(0, 12)}`);
    }
  }

  async stop(containerId: string, seconds: number): Promise<void> {
    try {
      await this.docker.getContainer(containerId).stop({ t: seconds });
    } catch (error) {
      // 304: already stopped.
      if (statusCodeOf(error) === 304) return;
      throw translateEngineError(error, this.endpoint, `stop ${containerId.slice(0, 12)}`);
    }
  }

  async version(): Promise<{ version: string; apiVersion: string }> {
    try {
      const info = (await this.docker.version()) as { Version?: string; ApiVersion?: string };
      if (!info?.Version) throw notDockerError(this.endpoint, "GET /version gave no version");
      return { version: info.Version, apiVersion: info.ApiVersion ?? "" };
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "ask the engine its version");
    }
  }

  async networkExists(name: string): Promise<boolean> {
    return this.exists(() => this.docker.getNetwork(name).inspect(), `inspect network ${name}`);
  }

  async volumeExists(name: string): Promise<boolean> {
    return this.exists(() => this.docker.getVolume(name).inspect(), `inspect volume ${name}`);
  }

  async statPath(containerId: string, filePath: string): Promise<PathStat | undefined> {
    return statPath(this.target(), containerId, filePath).catch((error: unknown) => {
      throw translateEngineError(error, this.endpoint, `look at ${filePath} in the image`);
    });
  }

  async readArchive(containerId: string, filePath: string): Promise<Buffer | undefined> {
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
    return createVolume(this.docker, this.endpoint, name, labels);
  }

  listVolumes(label: string): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    return listVolumes(this.docker, this.endpoint, label);
  }

  removeVolume(name: string): Promise<void> {
    return removeVolume(this.docker, this.endpoint, name);
  }

  listContainers(label: string): Promise<ContainerSummary[]> {
    return listContainers(this.docker, this.endpoint, label);
  }

  async remove(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      const status = statusCodeOf(error);
      // 404: already gone. 409: removal already in progress (the engine finishes it).
      if (status === 404 || status === 409) return;
      throw translateEngineError(error, this.endpoint, `remove the one-off container ${containerId.slice(0, 12)}`);
    }
  }
}
