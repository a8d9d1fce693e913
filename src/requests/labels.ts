/**
 * Labels on every one-off container. They are how later commands (ps, logs, reaping orphans)
 * find one-offs, so the names are a contract: change them only with a migration path.
 */
import { auditableCommand } from "../output/redact.js";
import { LABEL_PREFIX } from "../settings/label-row.js";

// The prefix is the label row's to know too (it reads a container's labels back less oneoff's),
// so it lives below this room: settings/label-row.ts.
export { LABEL_PREFIX } from "../settings/label-row.js";
export const Labels = {
  /** Marker: this container is a oneoff one-off. Value "true". */
  managed: `${LABEL_PREFIX}managed`,
  app: `${LABEL_PREFIX}app`,
  /** The immutable image ID the one-off was created from. */
  releaseImageId: `${LABEL_PREFIX}release.image-id`,
  /** The reference the user asked for (tag or digest), for display. */
  releaseReference: `${LABEL_PREFIX}release.reference`,
  task: `${LABEL_PREFIX}task`,
  /** The command as a JSON array. */
  command: `${LABEL_PREFIX}command`,
  startedBy: `${LABEL_PREFIX}started-by`,
  startedAt: `${LABEL_PREFIX}started-at`,
  version: `${LABEL_PREFIX}version`,
  /** host:pid:start:place of the attached oneoff process, so a reaper can tell whether its owner is gone. */
  owner: `${LABEL_PREFIX}owner`,
  /**
   * A random ID of the run that created it: what that run's watchdog removes, so it never acts
   * on a name another run may hold (a lock's name is held by whichever run created it).
   */
  run: `${LABEL_PREFIX}run`,
  /** The lock the one-off holds (its container name is the lock's). */
  lock: `${LABEL_PREFIX}lock`,
  /** "true" for a detached one-off: no owner waits for it; it is kept after it ends. */
  detached: `${LABEL_PREFIX}detached`,
  /** A detached one-off is kept this many seconds after it ends, then reaped. */
  keepFor: `${LABEL_PREFIX}keep-for`,
  /**
   * On a Swarm job's task container (not a one-off container itself): the job's service name.
   * Engines before 24.0 leave a finished job's container on its node after the service is
   * removed; this is how a reaper on that node finds it.
   */
  job: `${LABEL_PREFIX}job`,
  /**
   * Not on one-offs: what users put on their app's long-running containers (io.oneoff.process=web)
   * for `--from web` to find them.
   */
  process: `${LABEL_PREFIX}process`,
} as const;

/** The release ledger's records: labelled volumes (lifecycle/ledger.ts). */
export const LEDGER_LABEL = `${LABEL_PREFIX}ledger`;
export const LEDGER_LABEL_PREFIX = `${LEDGER_LABEL}.`;

/** The team's history: one record per run, labelled volumes (lifecycle/run-records.ts). Value "start" or "end". */
export const RECORD_LABEL = `${LABEL_PREFIX}record`;
export const RECORD_LABEL_PREFIX = `${RECORD_LABEL}.`;

/** Labels other tools put on the containers and services they run (compose, Swarm stacks), read by --from. */
export const ForeignLabels = {
  composeService: "com.docker.compose.service",
  composeProject: "com.docker.compose.project",
  /** On a `docker compose run` container: a one-off of the service, not the service. */
  composeOneoff: "com.docker.compose.oneoff",
  stackNamespace: "com.docker.stack.namespace",
} as const;

/**
 * The suffix a one-off's container name gets when its terminal session is detached with the
 * detach keys: labels cannot change after create, names can.
 */
export const DETACHED_SUFFIX = "-detached";

/** Started with --detach, or a terminal session detached with the detach keys (renamed). */
export function isDetached(container: { labels: Readonly<Record<string, string>>; name: string }): boolean {
  return container.labels[Labels.detached] === "true" || container.name.endsWith(DETACHED_SUFFIX);
}

/** How long a detached one-off is kept after it ends unless told otherwise (io.oneoff.keep-for). */
export const DEFAULT_KEEP_DETACHED_MS = 24 * 3_600_000;

export interface OneOffIdentity {
  app: string;
  lock?: string;
  /** Seconds a detached one-off is kept after it ends; absent when attached. */
  keepForSeconds?: number;
  imageId: string;
  releaseReference: string;
  task?: string;
  command: readonly string[];
  startedBy: string;
  startedAt: Date;
  version: string;
  owner: string;
  runId: string;
}

// Labels are metadata visible to anyone who can `docker inspect`; a long command line is cut
// rather than stored whole.
const MAX_COMMAND_LABEL = 1024;

export function oneOffLabels(identity: OneOffIdentity): Record<string, string> {
  // Labels are readable by anyone who can `docker inspect`: secret-looking argv is masked.
  const command = JSON.stringify(auditableCommand(identity.command));
  return {
    [Labels.managed]: "true",
    [Labels.app]: identity.app,
    [Labels.releaseImageId]: identity.imageId,
    [Labels.releaseReference]: identity.releaseReference,
    ...(identity.task ? { [Labels.task]: identity.task } : {}),
    ...(identity.lock ? { [Labels.lock]: identity.lock } : {}),
    ...(identity.keepForSeconds === undefined ? {} : { [Labels.detached]: "true", [Labels.keepFor]: String(identity.keepForSeconds) }),
    [Labels.command]: command.length > MAX_COMMAND_LABEL ? `${command.slice(0, MAX_COMMAND_LABEL)}...` : command,
    [Labels.startedBy]: identity.startedBy,
    [Labels.startedAt]: identity.startedAt.toISOString(),
    [Labels.version]: identity.version,
    [Labels.owner]: identity.owner,
    [Labels.run]: identity.runId,
  };
}

/**
 * The labels of a container oneoff creates and never starts (a check's probe, the record
 * store): what the reap selects a one-off by (the marker, the app, the owning process), so one
 * left by a oneoff killed before it removed it is reaped once `owner` is gone.
 */
export function neverStartedLabels(app: string, owner: string): Record<string, string> {
  return { [Labels.managed]: "true", [Labels.app]: app, [Labels.owner]: owner };
}

/** The command a one-off's labels record, read back (a label cut short stays one word). */
export function commandOf(labels: Record<string, string>): string[] {
  try {
    return JSON.parse(labels[Labels.command] ?? "[]") as string[];
  } catch {
    return [labels[Labels.command] ?? ""];
  }
}
