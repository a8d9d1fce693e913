/**
 * Containers as the engine describes them: one inspected (its state and labels, or the whole
 * process definition --from copies), or those carrying a label; and the engine's defaults.
 * Used by the engine adapter.
 */
import type Docker from "dockerode";
import type { ContainerDetails, ContainerSummary, ProcessDefinition } from "../types.js";
import { answersLikeDocker, notDockerError, statusCodeOf, translateEngineError } from "./errors.js";
import type { EngineDefaults } from "../../requests/runtime-settings.js";
import { processDefinition } from "./process-definition.js";
import { jsonRequest, pathPart, type RequestTarget } from "./requests.js";

/** GET /containers/{id}/json as the engine gives it; undefined when there is no such container. */
export async function inspectContainerInfo(target: RequestTarget, nameOrId: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    const info = (await jsonRequest(target, "GET", `/containers/${pathPart(nameOrId)}/json`)) as Docker.ContainerInspectInfo;
    if (typeof info?.Id !== "string" || typeof info.State !== "object")
      throw notDockerError(target.connection.endpoint, "container inspect gave no ID or state");
    return info;
  } catch (error) {
    if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return undefined;
    throw translateEngineError(error, target.connection.endpoint, `inspect container ${nameOrId}`);
  }
}

export async function inspectContainer(target: RequestTarget, nameOrId: string): Promise<ContainerDetails | undefined> {
  const info = await inspectContainerInfo(target, nameOrId);
  if (!info) return undefined;
  const time = (text: string | undefined) => (text && !text.startsWith("0001-") ? new Date(text) : undefined);
  const startedAt = time(info.State.StartedAt);
  const finishedAt = time(info.State.FinishedAt);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    labels: info.Config.Labels ?? {},
    state: info.State.Status,
    exitCode: info.State.ExitCode,
    oomKilled: info.State.OOMKilled,
    tty: info.Config.Tty,
    imageId: info.Image,
    startedAt,
    finishedAt,
  };
}

export async function inspectProcess(
  target: RequestTarget,
  nameOrId: string,
  defaults: () => Promise<EngineDefaults>,
): Promise<ProcessDefinition | undefined> {
  const info = await inspectContainerInfo(target, nameOrId);
  return info && processDefinition(info, await defaults());
}

/** What the engine gives a container that asks for nothing: its logging driver and runtime. */
export async function engineDefaults(target: RequestTarget): Promise<EngineDefaults> {
  try {
    const info = (await jsonRequest(target, "GET", "/info")) as
      { LoggingDriver?: string; DefaultRuntime?: string; CgroupVersion?: string } | undefined;
    return {
      logDriver: info?.LoggingDriver || undefined,
      runtime: info?.DefaultRuntime || undefined,
      // The engine's default cgroup namespace: the host's on cgroup v1, its own on v2.
      cgroupns: info?.CgroupVersion ? (info.CgroupVersion === "2" ? "private" : "host") : undefined,
    };
  } catch (error) {
    throw translateEngineError(error, target.connection.endpoint, "read the engine's defaults (docker info)");
  }
}

export async function listContainers(target: RequestTarget, label: string): Promise<ContainerSummary[]> {
  try {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
    const containers = (await jsonRequest(target, "GET", `/containers/json?all=1&filters=${filters}`)) as Docker.ContainerInfo[];
    if (!Array.isArray(containers) || containers.some((container) => typeof container?.Id !== "string")) {
      throw notDockerError(target.connection.endpoint, "the container list is not a list of containers");
    }
    return containers.map((container) => ({
      id: container.Id,
      name: (container.Names?.[0] ?? "").replace(/^\//, ""),
      labels: container.Labels ?? {},
      state: container.State,
    }));
  } catch (error) {
    throw translateEngineError(error, target.connection.endpoint, "list one-off containers");
  }
}
