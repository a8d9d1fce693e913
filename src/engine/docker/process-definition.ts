/**
 * A container's inspect answer -> what defines its environment (for --from and diff). Pure.
 */
import type Docker from "dockerode";
import { runtimeFromHostConfig, type EngineDefaults, type RuntimeHostConfig } from "../../requests/runtime-settings.js";
import type { ProcessDefinition } from "../types.js";
import { PER_CONTAINER_ENV } from "../../formats/env-rules.js";

export function processDefinition(info: Docker.ContainerInspectInfo, defaults: EngineDefaults = {}): ProcessDefinition {
  const mode = info.HostConfig.NetworkMode ?? "default";
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    state: info.State.Status,
    imageId: info.Image,
    env: info.Config.Env ?? [],
    labels: info.Config.Labels ?? {},
    // The hostname the engine gave it (its ID's first 12 characters; the machine's, or the
    // other container's, on a network it shares) is no setting of its own.
    runtime: runtimeFromHostConfig(
      info.HostConfig as RuntimeHostConfig,
      {
        ...defaults,
        hostname: mode === "host" || mode.startsWith("container:") ? info.Config.Hostname : info.Id.slice(0, 12),
        // The HOSTNAME variable the engine gives it: no setting of its own either.
        engineEnv: PER_CONTAINER_ENV,
      },
      info.Config,
      // The endpoints it is on (--network), as a create request's NetworkingConfig names them,
      // and what it has mounted (the volume row reads its mounts back in that order).
      { networking: { EndpointsConfig: info.NetworkSettings.Networks ?? {} }, mounted: info.Mounts ?? [] },
    ),
  };
}
