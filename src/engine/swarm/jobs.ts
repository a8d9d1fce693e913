/**
 * The Swarm adapter: services, tasks and service logs over dockerode, on the same connection
 * as the Docker adapter (a one-off's task container on the local node is reached through
 * that one). Engine errors are translated here, once.
 */
import type Docker from "dockerode";
import { OneoffError } from "../../output/errors.js";
import type { ServiceSpec } from "../../requests/service-spec.js";
import { openLogStream, type LogQuery } from "../docker/log-stream.js";
import { answersLikeDocker, engineMessage, statusCodeOf, translateEngineError } from "../docker/errors.js";
import { NameInUse } from "../types.js";
import type { ServiceDefinition, ServiceSummary, SwarmJobs, SwarmNode, TaskStatus } from "./types.js";

interface RawTask {
  ID: string;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

export class SwarmJobsAdapter implements SwarmJobs {
  constructor(
    /** dockerode, imported on first use (engine.ts). */
    private readonly client: () => Promise<Docker>,
    private readonly endpoint: string,
  ) {}

  async node(): Promise<SwarmNode | undefined> {
    try {
      const info = (await (await this.client()).info()) as {
        Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean; Managers?: number; Nodes?: number };
      };
      const swarm = info.Swarm;
      if (swarm?.LocalNodeState !== "active" || !swarm.ControlAvailable || !swarm.NodeID) return undefined;
      return { id: swarm.NodeID, managers: swarm.Managers ?? 1, nodes: swarm.Nodes ?? 1 };
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "read the engine's swarm state");
    }
  }

  async inspectService(nameOrId: string): Promise<ServiceDefinition | undefined> {
    try {
      const service = (await (await this.client()).getService(nameOrId).inspect()) as { ID: string; Spec: ServiceSpec };
      return { id: service.ID, name: service.Spec.Name, spec: service.Spec };
    } catch (error) {
      if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return undefined;
      throw translateEngineError(error, this.endpoint, `inspect service ${nameOrId}`);
    }
  }

  async listServices(label: string): Promise<ServiceSummary[]> {
    try {
      const services = (await (await this.client()).listServices({ filters: { label: [label] } })) as Array<{
        ID: string;
        CreatedAt?: string;
        Spec: { Name: string; Labels?: Record<string, string> };
      }>;
      return services.map((service) => ({
        id: service.ID,
        name: service.Spec.Name,
        labels: service.Spec.Labels ?? {},
        createdAt: new Date(service.CreatedAt ?? 0),
      }));
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "list services");
    }
  }

  async createService(spec: ServiceSpec, registryAuth?: string): Promise<string> {
    try {
      // `_body`: sent as the body, as-is (the path has no query string, so unlike container
      // create nothing lands in the URL). The auth value becomes X-Registry-Auth as given.
      const body = { _body: spec } as unknown as Docker.CreateServiceOptions;
      const created = (await (registryAuth
        ? (await this.client()).createService({ key: registryAuth } as unknown as Docker.AuthConfig, body)
        : (await this.client()).createService(body))) as { id?: string; ID?: string };
      const id = created.id ?? created.ID;
      if (!id) throw new OneoffError(`the engine at ${this.endpoint} created service ${spec.Name} but returned no ID`);
      return id;
    } catch (error) {
      if (statusCodeOf(error) === 409) throw new NameInUse(spec.Name, "a service");
      if (error instanceof OneoffError) throw error;
      if (statusCodeOf(error) === 503) {
        throw new OneoffError(`the engine at ${this.endpoint} is not a swarm manager: ${engineMessage(error)}`, {
          hint: "point DOCKER_HOST at a manager node, or run `docker swarm init` there",
          cause: error,
        });
      }
      if (statusCodeOf(error) === 400)
        throw new OneoffError(`the swarm refused job ${spec.Name}: ${engineMessage(error)}`, {
          hint: "oneoff run --engine swarm --dry-run shows the request",
          cause: error,
        });
      throw translateEngineError(error, this.endpoint, `create service ${spec.Name}`);
    }
  }

  async listTasks(serviceId: string): Promise<TaskStatus[]> {
    try {
      const tasks = (await (await this.client()).listTasks({ filters: { service: [serviceId] } })) as RawTask[];
      return tasks
        .map((task): TaskStatus => {
          const container = task.Status?.ContainerStatus;
          return {
            id: task.ID,
            nodeId: task.NodeID ?? "",
            state: task.Status?.State ?? "new",
            desiredState: task.DesiredState ?? "",
            containerId: container?.ContainerID || undefined,
            exitCode: typeof container?.ExitCode === "number" ? container.ExitCode : undefined,
            error: task.Status?.Err || undefined,
            message: task.Status?.Message ?? "",
            createdAt: new Date(task.CreatedAt ?? 0),
            statusAt: new Date(task.Status?.Timestamp ?? task.CreatedAt ?? 0),
          };
        })
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    } catch (error) {
      // The service is gone (removed to stop its job): it has no tasks left.
      if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return [];
      throw translateEngineError(error, this.endpoint, "list the job's tasks");
    }
  }

  async serviceLogs(serviceId: string, options: LogQuery): Promise<NodeJS.ReadableStream> {
    try {
      return await openLogStream(await this.client(), `/services/${serviceId}/logs`, "service", options);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, "read the job's output");
    }
  }

  async removeService(nameOrId: string): Promise<void> {
    try {
      await (await this.client()).getService(nameOrId).remove();
    } catch (error) {
      if (statusCodeOf(error) === 404) return;
      throw translateEngineError(error, this.endpoint, `remove service ${nameOrId}`);
    }
  }

  async stopJob(nameOrId: string): Promise<void> {
    try {
      const service = (await this.client()).getService(nameOrId);
      const current = (await service.inspect()) as { Version: { Index: number }; Spec: ServiceSpec };
      const mode = current.Spec.Mode.ReplicatedJob as Record<string, unknown> | undefined;
      if (!mode) return;
      const spec = { ...current.Spec, Mode: { ReplicatedJob: { ...mode, TotalCompletions: 0 } } };
      await service.update({ _query: { version: current.Version.Index }, _body: spec } as unknown as Record<string, unknown>);
    } catch (error) {
      if (statusCodeOf(error) === 404) return;
      throw translateEngineError(error, this.endpoint, `stop job ${nameOrId}`);
    }
  }

  async nodeName(nodeId: string): Promise<string> {
    try {
      const node = (await (await this.client()).getNode(nodeId).inspect()) as { Description?: { Hostname?: string } };
      return node.Description?.Hostname ?? nodeId.slice(0, 12);
    } catch {
      return nodeId.slice(0, 12);
    }
  }
}
