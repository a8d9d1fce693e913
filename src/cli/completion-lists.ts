/**
 * `oneoff completion --list KIND`: the words a completion script offers where a one-off, a
 * process type or an environment's name goes. Quick and quiet: what cannot be read in time
 * (no config, an engine that is down or slow) lists nothing, and says nothing.
 */
import type { ContainerSummary } from "../engine/types.js";
import type { OneOffView } from "../types/oneoff-view.js";
import type { EngineFlags } from "../config/environments.js";
import type { AppConfig } from "../types/config.js";
import { ForeignLabels, Labels } from "../requests/labels.js";
import type { CliProcess } from "./command.js";
import { clientFor } from "./client.js";

export const LISTS = ["oneoffs", "processes", "environments"] as const;
export type ListKind = (typeof LISTS)[number];

/** A Tab press waits for this at most: longer, and it lists nothing. */
const LIST_TIMEOUT_MS = 1500;

/**
 * Words a shell takes as they are: the scripts hand them to `compgen -W`, which expands
 * `$(...)`, and labels and names come from the engine, which anyone who can run a container writes.
 */
function plainWords(words: Iterable<string>): string[] {
  return [...new Set(words)].filter((word) => /^[A-Za-z0-9][\w.:@-]*$/.test(word));
}

/** Pure: one-offs by their short ID (as ps shows it) and by name. */
export function oneOffWords(oneOffs: readonly Pick<OneOffView, "id" | "name">[]): string[] {
  return plainWords(oneOffs.flatMap((oneOff) => [oneOff.id.slice(0, 12), oneOff.name]));
}

/** Pure: the process types `--from` and `diff` find running: oneoff's process label, then compose's services. */
export function processWords(containers: readonly ContainerSummary[]): string[] {
  const running = containers.filter((container) => container.state === "running");
  const names = running.flatMap((container) =>
    [container.labels[Labels.process], container.labels[ForeignLabels.composeService]].filter((name) => name !== undefined),
  );
  return plainWords(names).sort();
}

/** Pure: the names under oneoff.yaml's environments:. */
export function environmentWords(config: Pick<AppConfig, "environments"> | undefined): string[] {
  return plainWords(Object.keys(config?.environments ?? {})).sort();
}

export async function listWords(
  where: Pick<CliProcess, "cwd" | "env">,
  kind: ListKind,
  configPath: string | undefined,
  engineFlags: EngineFlags,
): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), LIST_TIMEOUT_MS)));
  try {
    return await Promise.race([read(where, kind, configPath, engineFlags), late]);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

async function read(
  where: Pick<CliProcess, "cwd" | "env">,
  kind: ListKind,
  configPath: string | undefined,
  engineFlags: EngineFlags,
): Promise<string[]> {
  const { loadAppConfig } = await import("../config/load.js");
  const config = await loadAppConfig(configPath, where.cwd, where.env);
  if (kind === "environments") return environmentWords(config);
  const client = await clientFor(where, engineFlags, configPath);
  if (kind === "processes") {
    const lists = await Promise.all([client.listContainers(Labels.process), client.listContainers(ForeignLabels.composeService)]);
    return processWords(lists.flat());
  }
  const { listAllOneOffs } = await import("../pipeline/oneoffs.js");
  return oneOffWords(await listAllOneOffs(client, { all: true, ...(config?.app ? { app: config.app } : {}) }));
}
