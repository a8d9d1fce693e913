/**
 * The docker CLI as the oracle for docker run's settings (issue 32): the same flags given to
 * `docker run --rm` and to `oneoff run` must show the same things to a probe inside the
 * container, and `docker create` and oneoff's container must carry the same settings in
 * `docker inspect`. What differs by design (names, labels, the command, the container's own
 * ID, hostname and address) is normalised away; everything else is compared. oneoff runs in
 * this process (oneoffInProcess): what is compared is the container it makes, and a Node
 * started per row was CPU the engine's work waited on.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker, FILE_RUN_LABEL, IMAGE } from "./helpers.js";
import { oneoffInProcess, type InProcessOptions } from "./in-process.js";

/**
 * What the container's PID 1 sees, one `key=value` line each. Read from /proc/1, not from a
 * process of its own, where the container's settings are (docs/development.md). Lines a
 * setting does not apply to say so instead of failing.
 */
export const PROBE = [
  "echo uid=$(id -u) gid=$(id -g) groups=$(id -G)",
  "echo pwd=$(pwd)",
  "env | sort | sed 's/^/env:/'",
  "grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):' /proc/1/status",
  "sed -n 's/^Max \\(open files\\|processes\\|core file size\\|locked memory\\|stack size\\) *\\([^ ]*\\) *\\([^ ]*\\).*/limit:\\1=\\2:\\3/p' /proc/1/limits",
  // Mounts: target, type, options (sources are host paths and differ by design).
  "awk '{ for (i = 7; $i != \"-\"; i++); print \"mount:\" $5, $(i+1), $6 }' /proc/1/mountinfo | grep -v ' /proc/\\| /sys/\\| /dev/pts\\| /dev/mqueue' | sort",
  "for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/memory.low /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/io.weight /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpuset/cpuset.cpus; do [ -r $f ] && echo cgroup:${f#/sys/fs/cgroup/}=$(cat $f); done",
  "echo hostname=$(hostname)",
  "grep -v '^#' /etc/hosts | sed 's/^/hosts:/'",
  "grep -v '^#' /etc/resolv.conf | sed 's/^/resolv:/'",
  "echo shm=$(df -k /dev/shm | awk 'NR==2 {print $2}')",
  "for s in net.ipv4.ip_forward net.core.somaxconn kernel.shmmax; do echo sysctl:$s=$(cat /proc/sys/$(echo $s | tr . /)); done",
  "for n in ipc net pid uts cgroup user; do echo ns:$n=$(readlink /proc/1/ns/$n); done",
  "ls /dev | sort | tr '\\n' ' ' | sed 's/^/dev:/'; echo",
  "touch /.probe-rw 2>/dev/null && echo rootfs=rw || echo rootfs=ro",
  "echo pid1=$(cat /proc/1/comm)",
].join("; ");

/** This machine's namespaces: a container's is "host" when it shares it, else its "own". */
const HOST_NAMESPACES = new Set(["ipc", "net", "pid", "uts", "cgroup", "user"].map((kind) => readlinkSync(`/proc/self/ns/${kind}`)));

/** The container's own ID, hostname, bridge address and namespaces are its own: not a difference. */
function normalised(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, "<layer>")
    .replace(/\b[0-9a-f]{12}\b/g, "<container>")
    .replace(/\b172\.(1[6-9]|2\d|3[01])\.\d+\.\d+\b/g, "<address>")
    .replace(/^(ns:\w+=)(.*)$/gm, (_line, key: string, link: string) => `${key}${HOST_NAMESPACES.has(link) ? "host" : "own"}`)
    .split("\n")
    .filter((line) => !line.startsWith("env:HOSTNAME="))
    .join("\n");
}

export interface SeenByBoth {
  docker: string;
  oneoff: string;
  /** oneoff's own result, for its exit code and stderr. */
  oneoffExit: number | null;
  oneoffStderr: string;
}

/**
 * The flags of a comparison: the same for both, or each side's own where a run changes what
 * the next one finds (a host folder it creates, a volume it fills).
 */
export type OracleFlags = readonly string[] | ((side: "docker" | "oneoff") => readonly string[]);

const flagsFor = (flags: OracleFlags, side: "docker" | "oneoff") => (typeof flags === "function" ? flags(side) : flags);

/**
 * Runs `probe` (default PROBE) under `flags` with `docker run --rm` and with `oneoff run`, and
 * gives both outputs normalised. `image` defaults to the test image.
 */
export async function seenByBoth(
  flags: OracleFlags,
  options: { probe?: string; image?: string; cli?: InProcessOptions } = {},
): Promise<SeenByBoth> {
  const image = options.image ?? IMAGE;
  const probe = options.probe ?? PROBE;
  let byDocker: string;
  let refusal: string | undefined;
  try {
    byDocker = execFileSync("docker", ["run", "--rm", ...flagsFor(flags, "docker"), image, "sh", "-c", probe], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      cwd: options.cli?.cwd,
      env: { ...process.env, ...options.cli?.env },
    });
  } catch (error) {
    const { stdout, stderr, status } = error as { stdout?: string; stderr?: string; status?: number };
    refusal = engineRefusal(stderr ?? "");
    byDocker =
      refusal !== undefined && !stdout ? refused(status ?? null, refusal) : `${stdout ?? ""}docker exited ${status}: ${stderr ?? ""}`;
  }
  const result = await oneoffInProcess(
    ["run", "-q", ...flagsFor(flags, "oneoff"), "--release", image, "--", "sh", "-c", probe],
    options.cli,
  );
  const byOneoff =
    result.stdout.length === 0 && result.code !== 0 ? refused(result.code, sameRefusal(result.stderr, refusal)) : result.stdout.toString();
  return {
    docker: normalised(byDocker),
    oneoff: normalised(byOneoff),
    oneoffExit: result.code,
    oneoffStderr: result.stderr,
  };
}

/**
 * The engine's own words when it refuses a container (`Error response from daemon: ...`), as
 * the docker CLI prints them: a row docker refuses passes when oneoff refuses it the same way.
 */
function engineRefusal(stderr: string): string | undefined {
  return /Error response from daemon: (.+)/.exec(stderr)?.[1]?.trim();
}

/** oneoff's refusal, as the engine's words when it passes them on (its one line carries them). */
function sameRefusal(stderr: string, engineWords: string | undefined): string {
  return engineWords !== undefined && stderr.includes(engineWords) ? engineWords : stderr.trim();
}

/** The label every one-off of this test file carries (ONEOFF_LABELS), which docker's containers do not. */
const FILE_RUN_KEY = FILE_RUN_LABEL.slice(0, FILE_RUN_LABEL.indexOf("="));

const refused = (code: number | null, why: string) => `refused (exit ${code}): ${why}`;

/**
 * The settings of a container as `docker inspect` gives them, less what differs by design.
 * Empty values (null, "", [], {}) are left out: the docker CLI sends [] where the API's
 * default, which oneoff leaves, reads back as null; and a restart policy of "no" is none.
 */
export function settingsOf(inspect: { Config: Record<string, unknown>; HostConfig: Record<string, unknown> }): Record<string, unknown> {
  const { Hostname: _hostname, Labels: labels, Cmd: _cmd, Image: _image, ...config } = inspect.Config;
  // The user's labels (--label, --label-file, and the image's): oneoff's own and this file's run
  // label (ONEOFF_LABELS) are oneoff's side's alone.
  config.Labels = Object.fromEntries(
    Object.entries((labels ?? {}) as Record<string, string>).filter(([key]) => !key.startsWith("io.oneoff.") && key !== FILE_RUN_KEY),
  );
  // docker run --cidfile's file is the CLI's own, not a setting of the container.
  const { AutoRemove: _autoRemove, ContainerIDFile: _cidFile, ...hostConfig } = inspect.HostConfig;
  const restart = hostConfig.RestartPolicy as { Name?: string } | undefined;
  if (restart?.Name === "no") restart.Name = "";
  // The docker CLI sends --env-file's entries and then -e's, a name twice where both set it;
  // the engine gives the process the last value at the first place: compared as it applies them.
  if (Array.isArray(config.Env)) config.Env = effectiveEnv(config.Env as string[]);
  return withoutEmpty({ Config: config, HostConfig: hostConfig }) as Record<string, unknown>;
}

function effectiveEnv(entries: readonly string[]): string[] {
  const values = new Map<string, string>();
  for (const entry of entries) values.set(entry.split("=")[0] as string, entry);
  return [...values.values()];
}

function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(withoutEmpty);
  if (value === null || value === "") return undefined;
  if (typeof value !== "object") return value;
  const kept = Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => [key, withoutEmpty(item)] as const)
    .filter(([, item]) => item !== undefined);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** What both sides gave for one set of flags: what the probe saw, and what each container carries. */
export interface ComparedByBoth {
  seen: SeenByBoth;
  created: { docker: Record<string, unknown>; oneoff: Record<string, unknown> };
}

let cidFiles = 0;

/**
 * One container per side, which runs the probe and is then inspected and removed: `docker run`
 * without --rm (its ID from --cidfile), and a detached `oneoff run` kept after it ends (-d
 * --keep-for), whose output `docker logs` reads once `docker wait` says it ended. What the probe
 * saw compares as seenByBoth's, what each carries as `docker inspect` has it (settingsOf); a
 * side refused at create or start is compared by its refusal, in the engine's words. Half the
 * containers of seenByBoth and a create of its own: the engine's start is most of a row's time.
 */
export async function comparedByBoth(
  flags: OracleFlags,
  options: { probe?: string; image?: string; cli?: InProcessOptions } = {},
): Promise<ComparedByBoth> {
  const image = options.image ?? IMAGE;
  const probe = options.probe ?? PROBE;
  const cidFile = path.join(os.tmpdir(), `oneoff-oracle-${process.pid}-${(cidFiles += 1)}.cid`);
  let byDocker: string;
  let dockerSettings: Record<string, unknown>;
  let refusal: string | undefined;
  let startRefused = false;
  try {
    byDocker = execFileSync("docker", ["run", "--cidfile", cidFile, ...flagsFor(flags, "docker"), image, "sh", "-c", probe], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      cwd: options.cli?.cwd,
      env: { ...process.env, ...options.cli?.env },
    });
  } catch (error) {
    const { stdout, stderr, status } = error as { stdout?: string; stderr?: string; status?: number };
    refusal = engineRefusal(stderr ?? "");
    startRefused = refusal !== undefined && existsSync(cidFile);
    byDocker =
      refusal !== undefined && !stdout ? refused(status ?? null, refusal) : `${stdout ?? ""}docker exited ${status}: ${stderr ?? ""}`;
  }
  if (existsSync(cidFile)) {
    const id = readFileSync(cidFile, "utf8").trim();
    rmSync(cidFile);
    try {
      dockerSettings = settingsOf(JSON.parse(docker("inspect", id))[0]);
    } finally {
      docker("rm", "-f", "-v", id);
    }
  } else dockerSettings = { refused: refusal ?? byDocker };

  const started = await oneoffInProcess(
    ["run", "-q", "-d", "--keep-for", "5m", ...flagsFor(flags, "oneoff"), "--release", image, "--", "sh", "-c", probe],
    options.cli,
  );
  const id = started.stdout.toString().trim();
  if (started.code !== 0 || !id) {
    if (id) docker("rm", "-f", "-v", id);
    const why = sameRefusal(started.stderr, refusal);
    const seen = {
      docker: normalised(byDocker),
      oneoff: normalised(refused(started.code, why)),
      oneoffExit: started.code,
      oneoffStderr: started.stderr,
    };
    // docker's was created and refused at start: both are compared by the refusal.
    const created = refusal !== undefined && (startRefused || "refused" in dockerSettings) ? { refused: refusal } : dockerSettings;
    return { seen, created: { docker: created, oneoff: { refused: refusal !== undefined ? why : started.stderr.trim() } } };
  }
  try {
    const exitCode = Number(docker("wait", id));
    const logs = spawnSync("docker", ["logs", id], { encoding: "utf8" });
    if (logs.status !== 0) throw new Error(`docker logs ${id}: ${logs.stderr.trim()} (a log driver docker logs cannot read)`);
    const oneoffSettings = settingsOf(JSON.parse(docker("inspect", id))[0]);
    return {
      seen: {
        docker: normalised(byDocker),
        oneoff: normalised(logs.stdout),
        oneoffExit: exitCode,
        oneoffStderr: started.stderr + logs.stderr,
      },
      // Where docker refused at start and oneoff ran, what each carries is still compared.
      created: { docker: dockerSettings, oneoff: oneoffSettings },
    };
  } finally {
    docker("rm", "-f", "-v", id);
  }
}
