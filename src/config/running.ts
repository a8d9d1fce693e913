/**
 * A running process as a config source (`--from web`): its containers are found by label,
 * and what defines their environment becomes a SettingsLayer under oneoff.yaml and flags.
 */
import { ForeignLabels, isOrchestrationLabel, Labels } from "../spec/labels.js";
import type { ContainerEngine, ProcessDefinition } from "../engine/types.js";
import { OneoffError } from "../output/errors.js";
import { envListToMap, PER_CONTAINER_ENV } from "../formats/env-rules.js";
import type { SettingsLayer } from "../types/config.js";

const PROCESS_LABEL = Labels.process;
const COMPOSE_SERVICE = ForeignLabels.composeService;
const COMPOSE_PROJECT = ForeignLabels.composeProject;

/** Labels that would make the one-off look like the service itself to compose or oneoff. */

/**
 * The containers of process `from`: `container:NAME|ID` exactly, else running containers
 * labelled io.oneoff.process=NAME, else compose's service NAME (of project `app` when several
 * projects have one), else the container named NAME. `asked`: the flag or command that named
 * it, for errors (`--from`, `diff`).
 */
export async function findProcess(
  engine: ContainerEngine,
  from: string,
  app: string | undefined,
  asked = "--from",
): Promise<ProcessDefinition[]> {
  if (from.startsWith("container:")) {
    const name = from.slice("container:".length);
    const process = await engine.inspectProcess(name);
    if (!process)
      throw new OneoffError(`${asked} ${from}: no such container on the engine at ${engine.endpoint}`, {
        hint: "check the name with docker ps",
      });
    return [process];
  }
  for (const label of [`${PROCESS_LABEL}=${from}`, `${COMPOSE_SERVICE}=${from}`]) {
    let running = (await engine.listContainers(label)).filter((container) => container.state === "running");
    const projects = new Set(running.map((container) => container.labels[COMPOSE_PROJECT]).filter(Boolean));
    if (label.startsWith(COMPOSE_SERVICE) && projects.size > 1) {
      const ours = running.filter((container) => container.labels[COMPOSE_PROJECT] === app);
      if (ours.length === 0) {
        throw new OneoffError(`${asked} ${from}: compose projects ${[...projects].join(", ")} all run a service ${from}`, {
          hint: `set app: to the project's name, or use ${asked} container:NAME`,
        });
      }
      running = ours;
    }
    if (running.length)
      return (await Promise.all(running.map((container) => engine.inspectProcess(container.id)))).filter(
        (process) => process !== undefined,
      );
  }
  const named = await containerNamed(engine, from);
  if (named) return [named];
  throw new OneoffError(`${asked} ${from}: no running container of process ${from}, and no container of that name`, {
    hint: `label its containers ${PROCESS_LABEL}=${from} (compose services are found by name), or use ${asked} container:NAME`,
  });
}

/**
 * A container named `name` (or with that ID, 12 digits at least), as docker users give it
 * (`--from nc-web`): only when no process has the name, so a process type always wins.
 */
async function containerNamed(engine: ContainerEngine, name: string): Promise<ProcessDefinition | undefined> {
  const process = await engine.inspectProcess(name);
  if (process && (process.name === name || (name.length >= 12 && process.id.startsWith(name)))) return process;
  return undefined;
}

/**
 * Pure: the settings every replica shares. Replicas running different images (mid-deploy)
 * are refused unless the release is chosen explicitly.
 */
export function processLayer(from: string, replicas: readonly ProcessDefinition[], releaseChosen: boolean): SettingsLayer {
  const images = new Set(replicas.map((replica) => replica.imageId));
  const first = replicas[0] as ProcessDefinition;
  if (images.size > 1 && !releaseChosen) {
    const list = replicas.map((replica) => `${replica.name} runs ${replica.imageId.replace(/^sha256:/, "").slice(0, 12)}`).join(", ");
    throw new OneoffError(`--from ${from}: its containers run different images (${list})`, {
      hint: "a deploy may be in progress: pick one with --release",
    });
  }
  const env = envListToMap(first.env);
  for (const name of PER_CONTAINER_ENV) delete env[name];
  const labels = Object.fromEntries(Object.entries(first.labels).filter(([key]) => !isOrchestrationLabel(key)));
  return {
    source: `running ${from} (${first.name})`,
    settings: {
      release: first.imageId,
      env,
      labels,
      ...(first.networks.length ? { networks: first.networks } : {}),
      ...(first.user ? { user: first.user } : {}),
      ...(first.workdir ? { workdir: first.workdir } : {}),
      ...(first.entrypoint.length ? { entrypoint: first.entrypoint } : {}),
      ...(first.mounts.length ? { mounts: first.mounts } : {}),
      ...(first.extraHosts.length ? { extraHosts: first.extraHosts } : {}),
      ...(first.dns.length ? { dns: first.dns } : {}),
      ...(first.memoryBytes ? { memoryBytes: first.memoryBytes } : {}),
      ...(first.nanoCpus ? { nanoCpus: first.nanoCpus } : {}),
      // init, capabilities, tmpfs, ulimits, shm size, ...: what shapes what it can do and see.
      ...first.runtime,
    },
  };
}
