/**
 * docker run's resource, namespace, stop and logging flags mean in oneoff what they mean to
 * docker (issue 32): each row's flags, given to `docker run` and to `oneoff run`, show the
 * container's PID 1 the same things, and the two containers carry the same settings in
 * `docker inspect`. Where the engine refuses a row, oneoff refuses it too, with the engine's
 * words. The docker CLI is the oracle: no expected value is written here. Every row of the
 * settings table is a row here, with its flag and example (a new row is compared by itself),
 * beside the combinations written below.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/settings/table.js";
import { comparedByBoth, PROBE, settingsOf } from "./docker-oracle.js";
import { docker, expectNoLeftovers, FILE_RUN, IMAGE, oneoff } from "./helpers.js";

expectNoLeftovers();

/** A stopped container with a volume at /data holding one file: what --volumes-from copies. */
const VOLUME_SOURCE = `oneoff-oracle-volumes-${FILE_RUN}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
const scratch = mkdtempSync(path.join(os.tmpdir(), "oneoff-oracle-"));
const ENV_FILE = path.join(scratch, "app.env");

beforeAll(() => {
  docker("run", "--name", VOLUME_SOURCE, "-v", "/data", IMAGE, "sh", "-c", "echo kept > /data/dump.sql");
  writeFileSync(ENV_FILE, "STAGE=from-file\nONLY_FILE=yes\n");
});

afterAll(() => {
  docker("rm", "-f", "-v", VOLUME_SOURCE);
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
  { flags: ["--stop-timeout", "20"] },
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

const named = (row: OracleRow) => row.flags.join(" ").replaceAll(scratch, "$TMP").replaceAll(VOLUME_SOURCE, "SRC");
/** Every table row the engine here can start, then each written row that is not one of them. */
const STARTED_ROWS = TABLE_ROWS.filter((row) => !NOT_STARTED_HERE.has(row.flags[0]));
const ROWS: OracleRow[] = [...STARTED_ROWS, ...HAND_ROWS.filter((row) => !TABLE_ROWS.some((made) => named(made) === named(row)))];

describe("docker run's flags, with the docker CLI as the oracle", () => {
  it.each(ROWS.map((row) => [named(row), row] as const))(
    "%s: what the container sees and what it carries are docker's",
    async (_name, row) => {
      const both = await comparedByBoth(row.flags, { probe: `${PROBE}; ${VOLUME_PROBE}` });
      expect(both.created.oneoff).toEqual(both.created.docker);
      // With --pid host the probe's PID 1 is the machine's init: its mounts are the machine's,
      // which change as other files' containers come and go, so they are no setting of the row.
      const seen = (text: string) => (row.flags.includes("--pid") ? text.replace(/^mount:.*\n/gm, "") : text);
      expect(seen(both.seen.oneoff)).toBe(seen(both.seen.docker));
    },
    60_000,
  );

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
    const dryRun = await oneoff(["run", "--dry-run", ...flags, "--release", IMAGE, "--", "true"]);
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
      const byOneoff = await oneoff(["run", "-q", ...row.flags, "--release", IMAGE, "--", "true"]);
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
