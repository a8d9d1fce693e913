/**
 * What one compose file says about one service (`--service web`): the part of what compose
 * would give the service's containers that this file gives. compose-project.ts finds the
 * files, resolves extends and include, and merges the parts (compose-merge.ts) into the
 * SettingsLayer under oneoff.yaml and flags. Pure: a parsed file in, a part out.
 *
 * Copied: image (or the image compose built), environment and env_file, networks and volumes
 * under the names compose gives them (project-prefixed), entrypoint, deploy limits,
 * the keys of docker run's settings (user, working_dir, hostname, extra_hosts, dns, labels,
 * mem_limit, cpus, init, cap_add, tmpfs, ulimits, shm_size, logging, ...: compose-runtime.ts),
 * and the file secrets it lists (compose-secrets.ts). Ignored, each for its reason (compose-key-rules.ts):
 * command, ports, restart, healthcheck, depends_on, ... and `x-` extension fields. Refused,
 * naming the key: settings that shape the environment which oneoff does not reproduce.
 */
import type { Node } from "yaml";
import { isScalar, isSeq } from "yaml";
import { envEntryValue, envNameProblem } from "../formats/env-rules.js";
import { splitEntry } from "../formats/runtime-values.js";
import type { Environment } from "./interpolate.js";
import type { ProcessSettings } from "../types/config.js";
import { YamlReader } from "./yaml-reader.js";
import { isRuntimeKey, readComposeRuntimeKey, readSettingAt } from "./compose-runtime.js";
import type { ComposeFile, ComposeNaming } from "./compose-file.js";
import { userKeyed } from "../formats/user-keys.js";
import { IGNORED_FOR_ONE_OFF, isExtensionKey, linkProblem, REFUSED_BECAUSE } from "./compose-key-rules.js";
import { readServiceSecrets, type ServiceSecretRef } from "./compose-secrets.js";
import { composePath, envFileRefs, type EnvFileRef, type PathBase } from "./compose-paths.js";

const COPIED = new Set(["image", "environment", "env_file", "network_mode", "deploy", "secrets"]);

/** What one compose file says about one service: merged with other files' by compose-merge.ts. */
export interface ServicePart {
  settings: Partial<ProcessSettings>;
  /** env_file entries to read (absolute paths), in order, under `environment`. */
  envFiles: EnvFileRef[];
  hasBuild: boolean;
  /** `secrets:` as listed: compose-project.ts finds each under the project's top-level secrets. */
  secrets: ServiceSecretRef[];
  /** `extends:` as written: the service it extends, and the file (absolute) when another one. */
  extends?: { service: string; file?: string; at: string };
}

/** What `file` says about `service` (undefined when it does not define it). */
export function servicePart(file: ComposeFile, service: string, naming: ComposeNaming, hostEnv: Environment): ServicePart | undefined {
  if (!file.services.has(service)) return undefined;
  const { reader, dir } = file;
  const serviceNode = file.services.get(service) ?? null;
  const keyPath = `services.${service}`;
  const base: PathBase = { dir, env: hostEnv };
  const settings: Partial<ProcessSettings> = {};
  const part: ServicePart = { settings, envFiles: [], hasBuild: false, secrets: [] };
  for (const [key, value, keyNode] of reader.entries(serviceNode, keyPath)) {
    const at = `${keyPath}.${key}`;
    if (key === "build") part.hasBuild = true;
    if (key === "extends") {
      part.extends = readExtends(reader, value, at, base);
      continue;
    }
    if (key === "links") refuseLinkAliases(reader, value, at);
    if (isExtensionKey(key) || IGNORED_FOR_ONE_OFF.has(key)) continue;
    if (isRuntimeKey(key, "compose")) {
      readComposeRuntimeKey(reader, key, value, at, settings, "compose", base);
      // The project's networks and volumes, as compose names them (project-prefixed, or an external one's own name).
      if (key === "networks") settings.network = settings.network?.map((name) => naming.realName("networks", name));
      if (key === "volumes")
        settings.volume = settings.volume?.map((mount) =>
          mount.type === "volume" && mount.source ? { ...mount, source: naming.realName("volumes", mount.source) } : mount,
        );
      continue;
    }
    if (!COPIED.has(key)) {
      throw reader.error(
        keyNode,
        at,
        REFUSED_BECAUSE.get(key) ?? "oneoff does not reproduce this compose setting for a one-off",
        "remove it from the service, or run the one-off with --from the running container instead",
      );
    }
    switch (key) {
      case "image":
        settings.release = reader.string(value, at);
        break;
      case "environment":
        settings.env = isSeq(value)
          ? listEnv(reader, value, at, hostEnv)
          : reader.stringMap(value, at, { nullFromEnv: true, checkName: envNameProblem });
        break;
      case "env_file":
        part.envFiles.push(...envFileRefs(reader, value, at, base));
        break;
      // The network row's other compose key (networks: is its own).
      case "network_mode": {
        const mode = reader.string(value, at);
        if (mode !== "host" && mode !== "none" && mode !== "bridge")
          throw reader.error(value, at, `network_mode ${mode} is not supported for one-offs`, "use networks:, host or none");
        settings.network = mode === "bridge" ? [] : [mode];
        break;
      }
      case "secrets":
        part.secrets = readServiceSecrets(reader, value, at);
        break;
      case "deploy":
        readDeployLimits(reader, value, at, settings);
        break;
    }
  }
  return part;
}

function refuseLinkAliases(reader: YamlReader, node: Node | null, at: string): void {
  for (const [i, entry] of reader.stringList(node, at).entries()) {
    const problem = linkProblem(entry);
    if (problem) throw reader.error(node, `${at}[${i}]`, problem, "reach the service by its own name, or drop the alias");
  }
}

/** `extends: web` or `extends: {service: web, file: common.yaml}`. */
function readExtends(reader: YamlReader, node: Node | null, at: string, base: PathBase): ServicePart["extends"] {
  const location = reader.locationOf(node);
  if (isScalar(node)) return { service: reader.string(node, at), at: location };
  const fields = Object.fromEntries(reader.entries(node, at, ["service", "file"]).map(([key, value]) => [key, value]));
  if (!fields.service) throw reader.error(node, at, "extends needs a service", "write extends: {service: NAME, file: FILE}");
  return {
    service: reader.string(fields.service, `${at}.service`),
    file: fields.file ? composePath(reader, fields.file, `${at}.file`, base) : undefined,
    at: location,
  };
}

function listEnv(reader: YamlReader, node: Node, at: string, hostEnv: Environment): Record<string, string> {
  const env = userKeyed();
  for (const entry of reader.stringList(node, at)) {
    const [name] = splitEntry(entry);
    const problem = envNameProblem(name);
    if (problem) throw reader.error(node, at, problem, "write NAME=value");
    const value = envEntryValue(entry, hostEnv);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function readDeployLimits(reader: YamlReader, node: Node | null, at: string, settings: Partial<ProcessSettings>): void {
  for (const [key, value] of reader.entries(node, at)) {
    if (key !== "resources") continue;
    for (const [kind, limits] of reader.entries(value, `${at}.resources`)) {
      if (kind !== "limits") continue;
      for (const [name, amount] of reader.entries(limits, `${at}.resources.limits`)) {
        // The same settings as mem_limit and cpus, read as they are.
        if (name === "memory" || name === "cpus")
          Object.assign(settings, { [name]: readSettingAt(reader, name, amount, `${at}.resources.limits.${name}`) });
      }
    }
  }
}
