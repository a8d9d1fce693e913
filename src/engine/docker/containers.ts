/**
 * Containers as the engine describes them: one inspected (its state and labels, or the whole
 * process definition --from copies), or those carrying a label. Used by the engine adapter.
 */
import type Docker from "dockerode";
import type { ContainerDetails, ContainerSummary, ProcessDefinition } from "../types.js";
import { answersLikeDocker, notDockerError, statusCodeOf, translateEngineError } from "./errors.js";
import type { EngineDefaults } from "../../spec/runtime-settings.js";
import { processDefinition } from "./process-definition.js";

export async function inspectContainer(docker: Docker, endpoint: string, nameOrId: string): Promise<ContainerDetails | undefined> {
  try {
    const info = await docker.getContainer(nameOrId).inspect();
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
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt ? { finishedAt } : {}),
    };
  } catch (error) {
    if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return undefined;
    throw translateEngineError(error, endpoint, `inspect container ${nameOrId}`);
  }
}

export async function inspectProcess(
  docker: Docker,
  endpoint: string,
  nameOrId: string,
  defaults: () => Promise<EngineDefaults>,
): Promise<ProcessDefinition | undefined> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(nameOrId).inspect();
  } catch (error) {
    if (statusCodeOf(error) === 404 && answersLikeDocker(error)) return undefined;
    throw translateEngineError(error, endpoint, `inspect container ${nameOrId}`);
  }
  return processDefinition(info, await defaults());
}

/** What the engine gives a container that asks for nothing: its logging driver and runtime. */
export async function engineDefaults(docker: Docker, endpoint: string): Promise<EngineDefaults> {
  try {
    const info = (await docker.info()) as { LoggingDriver?: string; DefaultRuntime?: string };
    return {
      ...(info.LoggingDriver ? { logDriver: info.LoggingDriver } : {}),
      ...(info.DefaultRuntime ? { runtime: info.DefaultRuntime } : {}),
    };
  } catch (error) {
    throw translateEngineError(error, endpoint, "read the engine's defaults (docker info)");
  }
}

export async function listContainers(docker: Docker, endpoint: string, label: string): Promise<ContainerSummary[]> {
  try {
    const containers = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [label] }),
    } as Docker.ContainerListOptions);
    if (!Array.isArray(containers) || containers.some((container) => typeof container?.Id !== "string")) {
      throw notDockerError(endpoint, "the container list is not a list of containers");
    }
    return containers.map((container) => ({
      id: container.Id,
      name: (container.Names?.[0] ?? "").replace(/^\//, ""),
      labels: container.Labels ?? {},
      state: container.State,
    }));
  } catch (error) {
    throw translateEngineError(error, endpoint, "list one-off containers");
  }
}
