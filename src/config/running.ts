/**
 * A running process as a config source (`--from web`): its containers are found by label,
 * and what defines their environment becomes a SettingsLayer under oneoff.yaml and flags.
 */
import { ForeignLabels, Labels } from "../requests/labels.js";
import type { ContainerEngine, ContainerSummary, ProcessDefinition } from "../engine/types.js";
import { OneoffError } from "../output/errors.js";
import { runningEnv } from "../settings/env-row.js";
import type { SettingsLayer } from "../types/config.js";

const PROCESS_LABEL = Labels.process;
const COMPOSE_SERVICE = ForeignLabels.composeService;
const COMPOSE_PROJECT = ForeignLabels.composeProject;
const COMPOSE_ONEOFF = ForeignLabels.composeOneoff;
const APP_LABEL = Labels.app;

/**
 * The containers of process `from` of app `app`: `container:NAME|ID` exactly, else the app's
 * running containers labelled io.oneoff.process=NAME or of its compose service NAME (see
 * chooseProcessContainers).
 */
export async function findProcess(client: ContainerEngine, from: string, app: string, asked = "--from"): Promise<ProcessDefinition[]> {
  if (from.startsWith("container:")) {
    const name = from.slice("container:".length);
    const container = await client.inspectProcess(name);
    if (!container)
      throw new OneoffError(`${asked} ${from}: no such container on the engine at ${client.endpoint}`, {
        hint: "check the name with docker ps",
      });
    return [container];
  }
  const listed = (
    await Promise.all([client.listContainers(`${PROCESS_LABEL}=${from}`), client.listContainers(`${COMPOSE_SERVICE}=${from}`)])
  ).flat();
  let chosen: ContainerSummary[];
  try {
    chosen = chooseProcessContainers(from, app, listed, asked);
  } catch (error) {
    // No process of that name: a container of that name, as docker users give it (`--from nc-web`).
    const named = error instanceof NoSuchProcess ? await containerNamed(client, from) : undefined;
    if (named) return [named];
    throw error;
  }
  return (await Promise.all(chosen.map((container) => client.inspectProcess(container.id)))).filter(
    (definition) => definition !== undefined,
  );
}

/** No process of that name in the app (findProcess then tries a container of that name). */
class NoSuchProcess extends OneoffError {}

/**
 * A container named `name` (or with that ID, 12 digits at least), as docker users give it
 * (`--from nc-web`): only when no process has the name, so a process type always wins.
 */
async function containerNamed(client: ContainerEngine, name: string): Promise<ProcessDefinition | undefined> {
  const container = await client.inspectProcess(name);
  if (container && (container.name === name || (name.length >= 12 && container.id.startsWith(name)))) return container;
  return undefined;
}

/**
 * Pure: which listed containers are app `app`'s process `from`. A container is an app's by its
 * io.oneoff.app label, else by its compose project (named like the app, as compose names
 * projects): another app's web is never this one's. Its replicas are one process; two
 * processes of the app that both answer to the name (compose's service web and a container
 * labelled io.oneoff.process=web, say) are refused, naming both.
 */
export function chooseProcessContainers(
  from: string,
  app: string,
  listed: readonly ContainerSummary[],
  asked = "--from",
): ContainerSummary[] {
  const seen = new Set<string>();
  const candidates = listed.filter((container) => {
    if (seen.has(container.id)) return false;
    seen.add(container.id);
    // `docker compose run` containers carry the service's labels but are one-offs, not the service.
    return container.state === "running" && container.labels[COMPOSE_ONEOFF] !== "True" && answersTo(container, from);
  });
  const ours = candidates.filter((container) => appOf(container) !== undefined && sameApp(appOf(container) as string, app));
  const processes = new Map<string, ContainerSummary[]>();
  for (const container of ours) {
    const key = processOf(container, from);
    processes.set(key, [...(processes.get(key) ?? []), container]);
  }
  if (processes.size > 1) {
    const named = [...processes].map(([process, containers]) => `${process} (${containers.map((container) => container.name).join(", ")})`);
    throw new OneoffError(
      `${asked} ${from}: app ${app} has ${processes.size === 2 ? "two" : processes.size} processes called ${from}: ${named.join(" and ")}`,
      {
        hint: `pick one with ${asked} container:NAME, or take the ${PROCESS_LABEL} label off the one that is not ${from}`,
      },
    );
  }
  const [only] = processes.values();
  if (only) return only;
  const others = candidates.map((container) => {
    const owner = appOf(container);
    return owner === undefined ? `${container.name} has no ${APP_LABEL} label` : `${container.name} is app ${shown(owner)}'s`;
  });
  throw new NoSuchProcess(
    `${asked} ${from}: no running process ${from} of app ${app}, nor a container of that name${others.length ? ` (${others.join("; ")})` : ""}`,
    {
      hint: `label its containers ${PROCESS_LABEL}=${from} and ${APP_LABEL}=${app} (compose services of project ${app} are found by name), set app: in oneoff.yaml, or use ${asked} container:NAME`,
    },
  );
}

function answersTo(container: ContainerSummary, from: string): boolean {
  return container.labels[PROCESS_LABEL] === from || container.labels[COMPOSE_SERVICE] === from;
}

/** Whose process a container is: its io.oneoff.app label, else its compose project. */
function appOf(container: ContainerSummary): string | undefined {
  return container.labels[APP_LABEL] ?? container.labels[COMPOSE_PROJECT];
}

/** compose lowercases a project's name and drops what it does not allow (compose-file.ts, composeProjectName). */
function sameApp(owner: string, app: string): boolean {
  return owner === app || owner === app.toLowerCase().replace(/[^a-z0-9_-]/g, "");
}

/** Which of the app's processes a container is a replica of, as the refusal names it. */
function processOf(container: ContainerSummary, from: string): string {
  const project = container.labels[COMPOSE_PROJECT];
  const service = container.labels[COMPOSE_SERVICE];
  return project !== undefined && service !== undefined
    ? `compose service ${shown(service)} of project ${shown(project)}`
    : `${PROCESS_LABEL}=${from}`;
}

/** A label's value as an error shows it: labels are anyone's to set, so nothing in them reaches a terminal as a control. */
function shown(label: string): string {
  return label.replace(/[^\x20-\x7e]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
  return {
    source: `running ${from} (${first.name})`,
    running: { process: from, container: first.name },
    settings: {
      release: first.imageId,
      // Its Env list read back through the env row, less HOSTNAME (the engine's).
      env: runningEnv(first.env),
      // Mounts, networks, user, workdir, limits, hosts, DNS, init, capabilities, tmpfs, ulimits, labels, ...: what shapes what it can do and see.
      ...first.runtime,
    },
  };
}
