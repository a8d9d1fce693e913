/**
 * A container's inspect answer -> what defines its environment (for --from and diff). Pure.
 */
import type Docker from "dockerode";
import { runtimeFromHostConfig, type EngineDefaults, type RuntimeHostConfig } from "../../requests/runtime-settings.js";
import type { ProcessDefinition } from "../types.js";
import type { Mount } from "../../types/config.js";
import { parseVolume } from "../../formats/mount-syntax.js";
import { PER_CONTAINER_ENV } from "../../formats/env-rules.js";
import { mountFromApi, type ApiMount } from "../../requests/mounts.js";

export function processDefinition(info: Docker.ContainerInspectInfo, defaults: EngineDefaults = {}): ProcessDefinition {
  const mode = info.HostConfig.NetworkMode ?? "default";
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    state: info.State.Status,
    imageId: info.Image,
    env: info.Config.Env ?? [],
    mounts: mountsOf(info),
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
      // The endpoints it is on (--network), as a create request's NetworkingConfig names them.
      { networking: { EndpointsConfig: info.NetworkSettings.Networks ?? {} } },
    ),
  };
}

/**
 * The container's mounts as it was given them: a Binds entry read back with the same parser
 * as -v (its mode as written), a Mounts entry with its options; what neither names (an
 * anonymous volume, or one the image declares) as the volume it is, by name.
 */
function mountsOf(info: Docker.ContainerInspectInfo): Mount[] {
  const binds = (info.HostConfig.Binds ?? []).map((entry) => parseVolume(entry, "/")).filter((mount) => typeof mount !== "string");
  const given = ((info.HostConfig as { Mounts?: ApiMount[] }).Mounts ?? []).map(mountFromApi);
  const mounts: Mount[] = [];
  for (const mounted of info.Mounts ?? []) {
    const target = mounted.Destination;
    const found = binds.find((mount) => mount.target === target) ?? given.find((mount) => mount?.target === target);
    if (found) mounts.push(found);
    else if (mounted.Type === "volume" || mounted.Type === "bind" || mounted.Type === "tmpfs")
      mounts.push({
        type: mounted.Type,
        source: mounted.Type === "volume" ? (mounted.Name ?? "") : mounted.Type === "bind" ? mounted.Source : "",
        target,
        readOnly: !mounted.RW,
      });
  }
  return mounts;
}
