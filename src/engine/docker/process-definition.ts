/**
 * A container's inspect answer -> what defines its environment (for --from and diff). Pure.
 */
import type Docker from "dockerode";
import { runtimeFromHostConfig, type EngineDefaults, type RuntimeHostConfig } from "../../spec/runtime-settings.js";
import type { ProcessDefinition } from "../types.js";

export function processDefinition(info: Docker.ContainerInspectInfo, defaults: EngineDefaults = {}): ProcessDefinition {
  const mode = info.HostConfig.NetworkMode ?? "default";
  const networks =
    mode === "host" || mode === "none"
      ? [mode]
      : mode === "default" || mode === "bridge" || mode.startsWith("container:")
        ? []
        : Object.keys(info.NetworkSettings.Networks ?? {});
  const mountTypes = new Set(["volume", "bind", "tmpfs"]);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    state: info.State.Status,
    imageId: info.Image,
    env: info.Config.Env ?? [],
    user: info.Config.User ?? "",
    workdir: info.Config.WorkingDir ?? "",
    entrypoint: (info.Config.Entrypoint as string[] | null) ?? [],
    networks,
    mounts: (info.Mounts ?? [])
      .filter((mount) => mountTypes.has(mount.Type))
      .map((mount) => ({
        type: mount.Type as "volume" | "bind" | "tmpfs",
        source: mount.Type === "volume" ? (mount.Name ?? "") : mount.Type === "bind" ? mount.Source : "",
        target: mount.Destination,
        readOnly: !mount.RW,
      })),
    extraHosts: info.HostConfig.ExtraHosts ?? [],
    dns: info.HostConfig.Dns ?? [],
    memoryBytes: info.HostConfig.Memory ?? 0,
    nanoCpus: info.HostConfig.NanoCpus ?? 0,
    labels: info.Config.Labels ?? {},
    runtime: runtimeFromHostConfig(info.HostConfig as RuntimeHostConfig, defaults, info.Config),
  };
}
