/**
 * `oneoff check`: can this one-off run? Everything that can be known without starting it: the
 * engine answers; the release is present or in its registry; networks and volumes exist; and,
 * read from the image's filesystem through a container that is created, never started and
 * removed at once: the user exists, the workdir exists, the command is on the PATH.
 * Every failure is collected, not only the first.
 */
import { isDirectory, isSymlink, smallFileText, tooLargeToRead } from "../engine/archive-answers.js";
import type { RunPlan } from "../types/plan.js";
import type { ContainerEngine, PathStat } from "../engine/types.js";
import type { RegistryLogin } from "../release/credentials.js";
import { parseReleaseReference } from "../release/reference.js";
import { describeRefusal, isAuthRefusal } from "../release/registry-auth.js";
import { neverStartedLabels } from "../requests/labels.js";
import { NEVER_STARTED_STREAMS } from "../requests/create-body.js";
import { configFromRuntime } from "../requests/runtime-settings.js";

export interface Check {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong. */
  detail: string;
  /** How to fix it, for failures. */
  hint?: string;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** `logins`: the registry credentials for a release that is not present (none: ask anonymously). */
async function checkRegistry(
  client: ContainerEngine,
  reference: string,
  logins: ((reference: string) => Promise<RegistryLogin>) | undefined,
  pass: (name: string, detail: string) => void,
  fail: (name: string, detail: string, hint: string) => void,
): Promise<void> {
  let login: RegistryLogin | undefined;
  try {
    login = await logins?.(reference);
  } catch (error) {
    // A broken docker config or credential helper: its own line says which and how to fix it.
    fail(
      "release",
      `${reference} is not present, and its registry credentials cannot be read: ${(error as Error).message}`,
      (error as { hint?: string }).hint ?? "check the docker config",
    );
    return;
  }
  const found = await client.registryHas(reference, login?.header);
  if (found.ok) pass("release", `${reference} is not present but its registry has it (it will be pulled)`);
  else if (login && isAuthRefusal(found.why)) {
    const { why, hint } = describeRefusal(login.registry, login.source, found.why);
    fail("release", `${reference} is not present, and ${why}`, hint);
  } else
    fail(
      "release",
      `${reference} is neither present nor in its registry: ${found.why}`,
      "check the image name and tag, and the registry login",
    );
}

/**
 * What the backend that would run the one-off adds to the checks (its Backend's `preflight`):
 * given here, since the backends sit above this room.
 */
export interface BackendPreflight {
  /** Its own questions to the engine, once the engine answers (a Swarm job needs a manager). */
  checkEngine(client: ContainerEngine): Promise<Check[]>;
  /** Whether a named volume must exist already (on a swarm, each node makes its own where the task runs). */
  volumesMustExist: boolean;
}

export async function checkOneOff(
  client: ContainerEngine,
  plan: RunPlan,
  preflight: BackendPreflight,
  owner: string,
  logins?: (reference: string) => Promise<RegistryLogin>,
): Promise<Check[]> {
  const checks: Check[] = [];
  const pass = (name: string, detail: string) => checks.push({ name, ok: true, detail });
  const fail = (name: string, detail: string, hint: string) => checks.push({ name, ok: false, detail, hint });

  try {
    const { version, apiVersion } = await client.version();
    pass("engine", `${client.endpoint} answers: engine ${version}, API ${apiVersion}`);
  } catch (error) {
    fail("engine", (error as Error).message, "start the engine, or point DOCKER_HOST at one");
    return checks; // nothing else can be asked
  }

  checks.push(...(await preflight.checkEngine(client)));

  const parsed = parseReleaseReference(plan.releaseReference);
  const image = await client.inspectImage(plan.releaseReference);
  if (image) pass("release", `${plan.releaseReference} is present as ${image.id.replace(/^sha256:/, "").slice(0, 12)}`);
  else if (parsed?.kind === "id")
    fail("release", `image ${plan.releaseReference} is not present`, "image IDs cannot be pulled: load the image, or give repo:tag");
  // As run honours pull: never, so does check: an air-gapped host expects no registry lookup.
  else if (plan.pull === "never")
    fail(
      "release",
      `${plan.releaseReference} is not present, and pull is never: a run would not pull it`,
      "pull or load it first, or allow pulling with --pull missing",
    );
  else await checkRegistry(client, plan.releaseReference, logins, pass, fail);

  for (const network of plan.settings.network ?? []) {
    if (network === "host" || network === "none") continue;
    if (await client.networkExists(network)) pass("network", `network ${network} exists`);
    else fail("network", `network ${network} does not exist`, `create it with docker network create ${network}, or fix network:`);
  }
  for (const mount of plan.settings.volume ?? []) {
    if (mount.type !== "volume" || !mount.source || !preflight.volumesMustExist) continue;
    if (await client.volumeExists(mount.source)) pass("volume", `volume ${mount.source} exists`);
    else
      fail(
        "volume",
        `volume ${mount.source} does not exist (the engine would create it empty)`,
        "check the name, or create it with docker volume create",
      );
  }

  if (!image) {
    checks.push({ name: "image filesystem", ok: true, detail: "user, workdir and command not checked: the image is not present to read" });
    return checks;
  }
  // Reading the image's files needs a container: created, never started, removed at once.
  const containerId = await client.createContainer(
    `${plan.app}-check-${Math.random().toString(16).slice(2, 8)}`.replace(/^[^a-zA-Z0-9]+/, ""),
    {
      Image: image.id,
      Cmd: ["oneoff-check"],
      ...configFromRuntime({ entrypoint: [""] }),
      Env: [],
      // The run's own labels too (--label, ONEOFF_LABELS): whoever finds their one-offs by a
      // label finds this container as well, should it outlive a killed check.
      Labels: { ...plan.settings.label, ...neverStartedLabels(plan.app, owner) },
      ...NEVER_STARTED_STREAMS,
      HostConfig: { AutoRemove: false },
    },
  );
  try {
    const stat = (filePath: string) => client.statPath(containerId, filePath);
    const user = plan.settings.user;
    if (user) {
      const problem = await userProblem(user, async (file) => smallFileText(await client.readArchive(containerId, file)));
      if (problem) fail("user", problem, "check -u / user:, or use a numeric uid");
      else pass("user", `user ${user} exists in the image`);
    }
    const workdir = plan.settings.workdir;
    if (workdir) {
      const found = await resolveLinks(workdir, stat);
      if (!found)
        fail("workdir", `workdir ${workdir} does not exist in the image (the engine would create it empty)`, "check -w / workdir:");
      else if (!isDirectory(found)) fail("workdir", `workdir ${workdir} is not a directory in the image`, "check -w / workdir:");
      else pass("workdir", `workdir ${workdir} exists`);
    }
    const entrypoint = plan.settings.entrypoint?.[0];
    const executable = entrypoint !== undefined && entrypoint !== "" ? entrypoint : plan.command[0];
    if (executable) {
      const pathVariable = plan.settings.env.PATH ?? envValue(image.env, "PATH") ?? DEFAULT_PATH;
      let found: string | undefined;
      for (const candidate of commandCandidates(executable, workdir ?? "/", pathVariable)) {
        const target = await resolveLinks(candidate, stat);
        if (target && !isDirectory(target) && (target.mode & 0o111) !== 0) {
          found = candidate;
          break;
        }
      }
      if (found) pass("command", `${executable} is ${found}`);
      else
        fail(
          "command",
          `command ${executable} is not an executable file in the image${executable.includes("/") ? "" : ` (PATH=${pathVariable})`}`,
          "check the command and the release",
        );
    }
  } finally {
    await client.remove(containerId).catch(() => {});
  }
  return checks;
}

/** Pure: where a command word may be: itself when it has a slash (from the workdir), else on the PATH. */
export function commandCandidates(executable: string, workdir: string, pathVariable: string): string[] {
  if (executable.includes("/")) return [executable.startsWith("/") ? executable : `${workdir.replace(/\/$/, "")}/${executable}`];
  return pathVariable
    .split(":")
    .filter(Boolean)
    .map((dir) => `${dir.replace(/\/$/, "")}/${executable}`);
}

/** Follows symlinks (busybox's applets are all links) up to a few hops. */
async function resolveLinks(filePath: string, stat: (filePath: string) => Promise<PathStat | undefined>): Promise<PathStat | undefined> {
  let current = filePath;
  for (let hop = 0; hop < 8; hop++) {
    const found = await stat(current);
    if (!found || !isSymlink(found)) return found;
    current = found.linkTarget.startsWith("/") ? found.linkTarget : `${current.slice(0, current.lastIndexOf("/") + 1)}${found.linkTarget}`;
  }
  return undefined;
}

/** Why `user` (name or uid[:gid]) cannot run in the image, or undefined. */
export async function userProblem(
  user: string,
  readFile: (file: string) => Promise<string | undefined | "too large">,
): Promise<string | undefined> {
  const [name = "", group] = user.split(":");
  if (!/^\d+$/.test(name)) {
    const passwd = await readFile("/etc/passwd");
    if (passwd === undefined) return `user ${name} cannot be looked up: the image has no /etc/passwd`;
    if (passwd === "too large") return `user ${name} cannot be looked up: ${tooLargeToRead("/etc/passwd")}`;
    if (!hasEntry(passwd, name)) return `user ${name} does not exist in the image's /etc/passwd`;
  }
  if (group !== undefined && !/^\d+$/.test(group)) {
    const groups = await readFile("/etc/group");
    if (groups === "too large") return `group ${group} cannot be looked up: ${tooLargeToRead("/etc/group")}`;
    if (groups === undefined || !hasEntry(groups, group)) return `group ${group} does not exist in the image's /etc/group`;
  }
  return undefined;
}

export function hasEntry(file: string, name: string): boolean {
  return file.split("\n").some((line) => line.split(":")[0] === name);
}

function envValue(env: readonly string[], name: string): string | undefined {
  const entry = env.find((item) => item.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}
