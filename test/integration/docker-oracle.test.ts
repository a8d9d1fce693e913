/**
 * docker run's resource, namespace, stop and logging flags mean in oneoff what they mean to
 * docker (issue 32): each row's flags, given to `docker run` and to `oneoff run`, show the
 * container's PID 1 the same things, and the two containers carry the same settings in
 * `docker inspect`. Where the engine refuses a row, oneoff refuses it too, with the engine's
 * words. The docker CLI is the oracle: no expected value is written here. Every row of the
 * settings table is a row here, with its flag and example (a new row is compared by itself),
 * beside the combinations written below. Rows whose flags each govern a setting of their own
 * share one container per side (GOVERNS); each is still compared, under its own name, on what its
 * flags govern.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/settings/table.js";
import { comparedByBoth, PROBE, settingsOf, type ComparedByBoth } from "./docker-oracle.js";
import { docker, expectNoLeftovers, FILE_RUN, IMAGE } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

/** A stopped container with a volume at /data holding one file: what --volumes-from copies. */
const VOLUME_SOURCE = `oneoff-oracle-volumes-${FILE_RUN}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
/** Named volumes the mount rows make (each side mounts the same one, as a runbook's one-offs do): removed after the file. */
const NAMED_VOLUME = `oneoff-oracle-named-${FILE_RUN}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
const NOCOPY_VOLUME = `oneoff-oracle-nocopy-${FILE_RUN}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
const scratch = mkdtempSync(path.join(os.tmpdir(), "oneoff-oracle-"));
const ENV_FILE = path.join(scratch, "app.env");
const LABEL_FILE = path.join(scratch, "app.labels");

beforeAll(() => {
  docker("run", "--name", VOLUME_SOURCE, "-v", "/data", IMAGE, "sh", "-c", "echo kept > /data/dump.sql");
  writeFileSync(ENV_FILE, "STAGE=from-file\nONLY_FILE=yes\n");
  // What docker reads its own way: quotes, a # after the start and trailing spaces kept, leading
  // spaces, blank and # lines dropped, a bare name left out, \r\n endings.
  writeFileSync(
    LABEL_FILE,
    '\uFEFFtier=from-file\n  quoted="a b"\n# a comment\n\nhash=x # y\ntrailing=z  \nbare\nempty=\ncrlf=w\r\nteam=file\n',
  );
});

afterAll(() => {
  docker("rm", "-f", "-v", VOLUME_SOURCE);
  const made = docker("volume", "ls", "-q")
    .split("\n")
    .filter((name) => name === NAMED_VOLUME || name === NOCOPY_VOLUME);
  if (made.length) docker("volume", "rm", "-f", ...made);
  rmSync(scratch, { recursive: true, force: true });
});

interface OracleRow {
  flags: string[];
}

/** What a --volumes-from row must see of the copied volume, besides the probe's mounts. */
const VOLUME_PROBE = "cat /data/dump.sql 2>/dev/null | sed 's/^/data:/'";

/** The settings table, a row each: its flag and example (a switch's is ""). */
const TABLE_ROWS: OracleRow[] = SETTINGS.map((row) => ({ flags: row.example === "" ? [row.flag] : [row.flag, row.example] }));

/**
 * Rows the engine here cannot start, for either side: compared by the refusal, and by what
 * `docker create` sends against oneoff's create body (--dry-run), the setting's field alone.
 */
const NOT_STARTED_HERE: ReadonlyMap<string, string> = new Map([
  ["--gpus", "no GPU on this machine: the engine refuses to start it"],
  ["--privileged", "this machine's engine runs in a VM that refuses a privileged container (unable to apply caps)"],
]);

const HAND_ROWS: OracleRow[] = [
  { flags: ["--memory", "64m", "--memory-swap", "128m"] },
  { flags: ["--memory", "64m", "--memory-swap", "-1"] },
  { flags: ["--memory-swap", "128m"] },
  { flags: ["--memory-reservation", "32m"] },
  { flags: ["--memory", "128m", "--memory-reservation", "64m"] },
  { flags: ["--pids-limit", "50"] },
  { flags: ["--pids-limit", "-1"] },
  { flags: ["--cpu-shares", "512"] },
  { flags: ["-c", "256"] },
  { flags: ["--cpuset-cpus", "0"] },
  { flags: ["--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0"] },
  { flags: ["--stop-signal", "SIGUSR1"] },
  { flags: ["--stop-signal", "USR1", "--stop-timeout", "3"] },
  { flags: ["--volumes-from", VOLUME_SOURCE] },
  { flags: ["--volumes-from", `${VOLUME_SOURCE}:ro`] },
  { flags: ["--volumes-from", `${VOLUME_SOURCE}:rw`, "--read-only"] },
  { flags: ["--oom-kill-disable", "--memory", "64m"] },
  { flags: ["--blkio-weight", "300"] },
  { flags: ["--userns", "host"] },
  { flags: ["--uts", "host"] },
  { flags: ["--cgroupns", "private"] },
  { flags: ["--cgroupns", "host"] },
  { flags: ["--cgroup-parent", "oneoff-oracle"] },
  { flags: ["--storage-opt", "size=1G"] },
  { flags: ["--isolation", "default"] },
  { flags: ["--log-opt", "max-size=1m"] },
  { flags: ["--log-opt", "max-size=1m", "--log-opt", "max-file=2"] },
  { flags: ["--log-driver", "local", "--log-opt", "max-size=5m"] },
  { flags: ["--env-file", ENV_FILE, "-e", "STAGE=from-flag"] },
  { flags: ["-e", "STAGE=from-flag", "--env-file", ENV_FILE] },
  { flags: ["--label-file", LABEL_FILE] },
  { flags: ["--label", "team=flag", "--label-file", LABEL_FILE, "-l", "tier"] },
  // The backup one-off of a runbook: a database container's volumes, read-only, under limits.
  {
    flags: [
      "--volumes-from",
      `${VOLUME_SOURCE}:ro`,
      "--memory",
      "256m",
      "--memory-swap",
      "512m",
      "--memory-reservation",
      "128m",
      "--pids-limit",
      "100",
      "--cpu-shares",
      "512",
      "--stop-signal",
      "SIGINT",
      "--stop-timeout",
      "30",
    ],
  },
  // What the docker CLI reads in its own way (go-units' sizes, big.Rat's numbers, a hostname it
  // does not check): each means to oneoff what it means to docker.
  { flags: ["--memory", "64MiB"] },
  { flags: ["--memory", "64MB"] },
  { flags: ["--memory", "64 m"] },
  { flags: ["--memory", ".5g"] },
  { flags: ["--memory", "1p"] },
  { flags: ["--memory", "0"] },
  { flags: ["--cpus", ".5"] },
  { flags: ["--cpus", "1e-1"] },
  { flags: ["--cpus", "3/2"] },
  { flags: ["--cpus", "+1.5"] },
  { flags: ["--cpus", "0x1"] },
  { flags: ["--cpus", "0"] },
  { flags: ["--hostname", "a b"] },
  { flags: ["--hostname", "x_y"] },
  { flags: ["--hostname", "-a"] },
  { flags: ["--hostname", ""] },
  { flags: ["--workdir", ""] },
  { flags: ["--entrypoint", ""] },
  { flags: ["--platform", ""] },
  // -v and --mount (the volume row): a named volume, a read-only relabelled bind, an anonymous
  // volume, and --mount's bind, volume and tmpfs with their options.
  { flags: ["-v", `${NAMED_VOLUME}:/oracle-named`] },
  { flags: ["-v", `${scratch}:/oracle-bind:ro,z`] },
  { flags: ["-v", "/oracle-anonymous"] },
  { flags: ["--mount", `type=bind,source=${scratch},target=/oracle-mount-bind,readonly`] },
  { flags: ["--mount", `type=volume,source=${NOCOPY_VOLUME},target=/oracle-nocopy,volume-nocopy`] },
  { flags: ["--mount", "type=tmpfs,target=/oracle-tmpfs,tmpfs-size=1m"] },
  // A job that must not be killed by the OOM killer and shares the host's namespaces it needs.
  { flags: ["--oom-kill-disable", "--memory", "96m", "--uts", "host", "--cgroupns", "host", "--userns", "host", "--isolation", "default"] },
];

/**
 * Values docker refuses: the docker CLI itself (a size go-units cannot read, a --cpus that is no
 * whole number of billionths or that big.Rat cannot read), or the engine when it starts the
 * container (a hostname past Linux's 64 bytes: sethostname fails). oneoff refuses each before
 * anything is created, in one line naming the flag, the value and the fix.
 */
const REFUSED_BY_DOCKER: OracleRow[] = [
  { flags: ["--memory", "-1"] },
  { flags: ["--memory", "64ib"] },
  { flags: ["--cpus", "1.0000000005"] },
  { flags: ["--cpus", " 1"] },
  { flags: ["--hostname", "h".repeat(70)] },
];

const named = (row: OracleRow) =>
  row.flags
    .join(" ")
    .replaceAll(scratch, "$TMP")
    .replaceAll(VOLUME_SOURCE, "SRC")
    .replaceAll(NAMED_VOLUME, "NAMED")
    .replaceAll(NOCOPY_VOLUME, "NAMED");
/** Every table row the engine here can start, then each written row that is not one of them. */
const STARTED_ROWS = TABLE_ROWS.filter((row) => !NOT_STARTED_HERE.has(row.flags[0]));
const ROWS: OracleRow[] = [...STARTED_ROWS, ...HAND_ROWS.filter((row) => !TABLE_ROWS.some((made) => named(made) === named(row)))];

/**
 * What a flag governs: the fields of `docker inspect` it sets ("Config.X", "HostConfig.X", as
 * settingsOf gives them) and the probe's lines about it (by how they start). Rows whose flags are
 * all here, and whose governed parts overlap no other's, run together: one container per side for
 * a group instead of one per row (the engine's start is most of a row's time, docs/development.md).
 * Each such row is still compared under its own name, on what its flags govern; each group's tests
 * compare the rest. A flag not here makes its row run alone: --init and --pid change the probe's
 * PID 1, --cgroupns what /sys/fs/cgroup shows, --env-file and -e the whole environment, and
 * --storage-opt is refused by the engine here.
 */
interface Governed {
  fields: readonly string[];
  lines: readonly string[];
}
const MEMORY: Governed = {
  // The engine checks a reservation or a swap limit against the memory limit and derives the swap
  // limit from it: the three are one setting, at most one row of a group sets it.
  fields: ["HostConfig.Memory", "HostConfig.MemorySwap", "HostConfig.MemoryReservation"],
  lines: ["cgroup:memory.max=", "cgroup:memory.swap.max=", "cgroup:memory.low=", "cgroup:memory/"],
};
const CAPABILITIES = ["CapEff:", "CapBnd:", "CapPrm:"];
/** What a -v or --mount entry governs: the mount at its target, and the three fields docker run sends mounts in. */
const mountAt = (value: string): Governed => {
  const target = value.includes("=")
    ? (/(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(value)?.[1] ?? "")
    : (value.split(":")[1] ?? value);
  return { fields: ["HostConfig.Binds", "HostConfig.Mounts", "Config.Volumes"], lines: [`mount:${target} `] };
};
const GOVERNS: Readonly<Record<string, Governed | ((value: string) => Governed)>> = {
  "--volume": mountAt,
  "-v": mountAt,
  "--mount": mountAt,
  // settingsOf leaves Config.Hostname out (it differs by design): the probe shows it.
  "--hostname": { fields: [], lines: ["hostname=", "hosts:"] },
  "--add-host": { fields: ["HostConfig.ExtraHosts"], lines: ["hosts:"] },
  "--dns": { fields: ["HostConfig.Dns"], lines: ["resolv:nameserver"] },
  "--dns-option": { fields: ["HostConfig.DnsOptions"], lines: ["resolv:options"] },
  "--dns-search": { fields: ["HostConfig.DnsSearch"], lines: ["resolv:search"] },
  "--read-only": { fields: ["HostConfig.ReadonlyRootfs"], lines: ["rootfs=", "mount:/ "] },
  "--cap-add": { fields: ["HostConfig.CapAdd"], lines: CAPABILITIES },
  "--cap-drop": { fields: ["HostConfig.CapDrop"], lines: CAPABILITIES },
  "--security-opt": { fields: ["HostConfig.SecurityOpt"], lines: ["NoNewPrivs:", "Seccomp:"] },
  "--tmpfs": (value) => ({ fields: ["HostConfig.Tmpfs"], lines: [`mount:${value.split(":")[0]} `] }),
  "--ulimit": { fields: ["HostConfig.Ulimits"], lines: ["limit:"] },
  "--shm-size": { fields: ["HostConfig.ShmSize"], lines: ["shm=", "mount:/dev/shm "] },
  // The host's IPC namespace brings its /dev/shm and its IPC sysctls.
  "--ipc": { fields: ["HostConfig.IpcMode", "HostConfig.ShmSize"], lines: ["ns:ipc=", "shm=", "mount:/dev/shm ", "sysctl:kernel.shmmax="] },
  "--group-add": { fields: ["HostConfig.GroupAdd"], lines: ["uid="] },
  "--sysctl": (value) => ({ fields: ["HostConfig.Sysctls"], lines: [`sysctl:${value.split("=")[0]}=`] }),
  "--device": { fields: ["HostConfig.Devices"], lines: ["dev:"] },
  "--device-cgroup-rule": { fields: ["HostConfig.DeviceCgroupRules"], lines: [] },
  "--runtime": { fields: ["HostConfig.Runtime"], lines: [] },
  "--log-driver": { fields: ["HostConfig.LogConfig"], lines: [] },
  "--log-opt": { fields: ["HostConfig.LogConfig"], lines: [] },
  "--memory": MEMORY,
  "--memory-swap": MEMORY,
  "--memory-reservation": MEMORY,
  "--oom-kill-disable": { fields: ["HostConfig.OomKillDisable"], lines: [] },
  "--cpus": { fields: ["HostConfig.NanoCpus"], lines: ["cgroup:cpu.max="] },
  "--cpu-shares": { fields: ["HostConfig.CpuShares"], lines: ["cgroup:cpu.weight=", "cgroup:cpu/cpu.shares="] },
  "-c": { fields: ["HostConfig.CpuShares"], lines: ["cgroup:cpu.weight=", "cgroup:cpu/cpu.shares="] },
  "--cpuset-cpus": { fields: ["HostConfig.CpusetCpus"], lines: ["cgroup:cpuset.cpus=", "cgroup:cpuset/"] },
  "--pids-limit": { fields: ["HostConfig.PidsLimit"], lines: ["cgroup:pids.max=", "cgroup:pids/"] },
  "--blkio-weight": { fields: ["HostConfig.BlkioWeight"], lines: ["cgroup:io.weight="] },
  "--stop-signal": { fields: ["Config.StopSignal"], lines: [] },
  "--stop-timeout": { fields: ["Config.StopTimeout"], lines: [] },
  "--volumes-from": { fields: ["HostConfig.VolumesFrom"], lines: ["mount:/data ", "data:"] },
  "--userns": { fields: ["HostConfig.UsernsMode"], lines: ["ns:user="] },
  "--uts": { fields: ["HostConfig.UTSMode"], lines: ["ns:uts=", "hostname=", "hosts:"] },
  "--cgroup-parent": { fields: ["HostConfig.CgroupParent"], lines: [] },
  "--isolation": { fields: ["HostConfig.Isolation"], lines: [] },
};

/** Rows whose flags are all in GOVERNS but that docker refuses: a group with them would be refused whole. */
const REFUSED_ALONE: readonly ((flags: readonly string[]) => boolean)[] = [
  // The engine refuses a swap limit with no memory limit.
  (flags) => flags.includes("--memory-swap") && !flags.includes("--memory"),
  // The table's example names a container that is not here.
  (flags) => flags.some((flag, index) => flags[index - 1] === "--volumes-from" && !flag.startsWith(VOLUME_SOURCE)),
];

const SWITCHES = new Set<string>(SETTINGS.filter((row) => row.example === "").map((row) => row.flag));

/** What a row's flags govern, or undefined when one of them is not in GOVERNS. */
function governedBy(flags: readonly string[]): Governed | undefined {
  const fields: string[] = [];
  const lines: string[] = [];
  for (let index = 0; index < flags.length; index += SWITCHES.has(flags[index] as string) ? 1 : 2) {
    const entry = GOVERNS[flags[index] as string];
    if (!entry) return undefined;
    const governed = typeof entry === "function" ? entry(flags[index + 1] as string) : entry;
    fields.push(...governed.fields);
    lines.push(...governed.lines);
  }
  return { fields, lines };
}

const fieldsOverlap = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
const linesOverlap = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
const overlap = (a: Governed, b: Governed) =>
  a.fields.some((field) => b.fields.some((other) => fieldsOverlap(field, other))) ||
  a.lines.some((line) => b.lines.some((other) => linesOverlap(line, other)));

interface Group {
  rows: { row: OracleRow; governed: Governed }[];
}

/** Each row that can run with others goes to the first group none of whose rows governs what it does. */
const GROUPS: Group[] = [];
const GROUP_OF = new Map<OracleRow, { group: Group; governed: Governed }>();
for (const row of ROWS) {
  const governed = governedBy(row.flags);
  if (!governed || REFUSED_ALONE.some((refused) => refused(row.flags))) continue;
  let group = GROUPS.find((candidate) => !candidate.rows.some((member) => overlap(member.governed, governed)));
  if (!group) GROUPS.push((group = { rows: [] }));
  group.rows.push({ row, governed });
  GROUP_OF.set(row, { group, governed });
}

const groupRuns = new Map<Group, Promise<ComparedByBoth>>();
/** The group's one run per side, with every row's flags, in the rows' order. */
function groupRun(group: Group): Promise<ComparedByBoth> {
  let run = groupRuns.get(group);
  if (!run) {
    run = comparedByBoth(
      group.rows.flatMap(({ row }) => row.flags),
      { probe: `${PROBE}; ${VOLUME_PROBE}` },
    );
    groupRuns.set(group, run);
  }
  return run;
}

const linesOf = (output: string, starts: readonly string[]) =>
  output.split("\n").filter((line) => starts.some((start) => line.startsWith(start)));
const linesBesides = (output: string, starts: readonly string[]) =>
  output.split("\n").filter((line) => !starts.some((start) => line.startsWith(start)));

/** The fields a container carries at `paths` ("HostConfig.X"), each by its path; absent ones left out. */
function fieldsOf(settings: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const at of paths) {
    const value = at.split(".").reduce<unknown>((into, key) => (into as Record<string, unknown> | undefined)?.[key], settings);
    if (value !== undefined) picked[at] = value;
  }
  return picked;
}

/** What a container carries besides the fields at `paths`. */
function fieldsBesides(settings: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const rest = structuredClone(settings);
  for (const at of paths) {
    const keys = at.split(".");
    const parent = keys.slice(0, -1).reduce<unknown>((into, key) => (into as Record<string, unknown> | undefined)?.[key], rest);
    if (parent) delete (parent as Record<string, unknown>)[keys.at(-1) as string];
  }
  return rest;
}

/** A group's name: its rows'. */
const groupName = (group: Group) => `group ${GROUPS.indexOf(group) + 1} (${group.rows.map(({ row }) => named(row)).join(", ")})`;

describe("docker run's flags, with the docker CLI as the oracle", () => {
  it.each(ROWS.map((row) => [named(row), row] as const))(
    "%s: what the container sees and what it carries are docker's",
    async (_name, row) => {
      const together = GROUP_OF.get(row);
      if (together) {
        // Run with others: only what its flags govern is its own (the group's tests compare the rest).
        const both = await groupRun(together.group);
        const { fields, lines } = together.governed;
        const byDocker = { created: fieldsOf(both.created.docker, fields), seen: linesOf(both.seen.docker, lines) };
        expect({ created: fieldsOf(both.created.oneoff, fields), seen: linesOf(both.seen.oneoff, lines) }).toEqual(byDocker);
        expect(Object.keys(byDocker.created).length + byDocker.seen.length, "what the row's flags govern in docker's").toBeGreaterThan(0);
        return;
      }
      const both = await comparedByBoth(row.flags, { probe: `${PROBE}; ${VOLUME_PROBE}` });
      expect(both.created.oneoff).toEqual(both.created.docker);
      // With --pid host the probe's PID 1 is the machine's init: its mounts are the machine's,
      // which change as other files' containers come and go, so they are no setting of the row.
      const seen = (text: string) => (row.flags.includes("--pid") ? text.replace(/^mount:.*\n/gm, "") : text);
      expect(seen(both.seen.oneoff)).toBe(seen(both.seen.docker));
    },
    60_000,
  );

  describe.each(GROUPS.map((group) => [groupName(group), group] as const))("%s", (_name, group) => {
    const fields = group.rows.flatMap(({ governed }) => governed.fields);
    const lines = group.rows.flatMap(({ governed }) => governed.lines);
    it("shows the probe the rest of what docker run shows it", async () => {
      const both = (await groupRun(group)).seen;
      expect(both.oneoffStderr).toBe("");
      expect(both.oneoffExit).toBe(0);
      expect(both.docker).toMatch(/^pid1=/m);
      expect(linesBesides(both.oneoff, lines)).toEqual(linesBesides(both.docker, lines));
    }, 60_000);
    it("creates the rest of the container docker create creates", async () => {
      const both = (await groupRun(group)).created;
      expect(both.docker).not.toHaveProperty("refused");
      expect(fieldsBesides(both.oneoff, fields)).toEqual(fieldsBesides(both.docker, fields));
    }, 60_000);
  });

  it.each(
    SETTINGS.filter((row) => NOT_STARTED_HERE.has(row.flag)).map(
      (row) => [`${row.flag} ${row.example}`, NOT_STARTED_HERE.get(row.flag), row] as const,
    ),
  )("%s: not started here (%s), so its field is compared as docker create sends it", async (_name, _why, row) => {
    const flags = row.example === "" ? [row.flag] : [row.flag, row.example];
    const id = docker("create", ...flags, IMAGE, "true");
    let sent: Record<string, Record<string, unknown>>;
    try {
      sent = settingsOf(JSON.parse(docker("inspect", id))[0]) as typeof sent;
    } finally {
      docker("rm", "-f", "-v", id);
    }
    const dryRun = await oneoffInProcess(["run", "--dry-run", ...flags, "--release", IMAGE, "--", "true"]);
    expect(dryRun.code).toBe(0);
    const body = JSON.parse(dryRun.stdout.toString()).request.body;
    const made = settingsOf({ Config: body, HostConfig: body.HostConfig }) as typeof sent;
    expect(sent[row.api.part]?.[row.api.field]).toBeDefined();
    expect(made[row.api.part]?.[row.api.field]).toEqual(sent[row.api.part]?.[row.api.field]);
  });

  it.each(REFUSED_BY_DOCKER.map((row, index) => [named(row), row, index] as const))(
    "%s: refused by docker, and by oneoff in one line naming the flag and the fix",
    async (_name, row, index) => {
      const cidFile = path.join(scratch, `refused-${index}.cid`);
      const byDocker = spawnSync("docker", ["run", "--rm", "--cidfile", cidFile, ...row.flags, IMAGE, "true"], { encoding: "utf8" });
      // The engine creates what it then cannot start: gone with it.
      if (existsSync(cidFile)) docker("rm", "-f", "-v", readFileSync(cidFile, "utf8").trim());
      expect(byDocker.status, byDocker.stderr).not.toBe(0);
      const byOneoff = await oneoffInProcess(["run", "-q", ...row.flags, "--release", IMAGE, "--", "true"]);
      expect(byOneoff.code).toBe(125);
      expect(byOneoff.stdout.length).toBe(0);
      const [flag, value] = row.flags as [string, string];
      expect(byOneoff.stderr.startsWith(`oneoff: ${flag} "${value}": `), byOneoff.stderr).toBe(true);
      expect(byOneoff.stderr).toMatch(/^[^\n]+ \([^\n]+\)\n$/);
    },
    60_000,
  );

  it("compares every row of the settings table, and names why any is not started", () => {
    expect(SETTINGS.every((row) => ROWS.some((compared) => compared.flags[0] === row.flag) || NOT_STARTED_HERE.has(row.flag))).toBe(true);
    expect([...NOT_STARTED_HERE.keys()].filter((flag) => !SETTINGS.some((row) => row.flag === flag))).toEqual([]);
  });
});
