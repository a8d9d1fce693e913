/**
 * docker run's resource, namespace, stop and logging flags mean in oneoff what they mean to
 * docker (issue 32): each row's flags, given to `docker run --rm` and to `oneoff run`, show
 * the container's PID 1 the same things, and `docker create` and oneoff's container carry the
 * same settings in `docker inspect`. Where the engine refuses a row, oneoff refuses it too,
 * with the engine's words. The docker CLI is the oracle: no expected value is written here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createdByBoth, PROBE, seenByBoth } from "./docker-oracle.js";
import { docker, expectNoLeftovers, FILE_RUN, IMAGE } from "./helpers.js";

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

const ROWS: OracleRow[] = [
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
  // This machine has no GPU: the engine refuses it at start, for both.
  { flags: ["--gpus", "all"] },
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
  // A job that must not be killed by the OOM killer and shares the host's namespaces it needs.
  { flags: ["--oom-kill-disable", "--memory", "96m", "--uts", "host", "--cgroupns", "host", "--userns", "host", "--isolation", "default"] },
];

describe("docker run's flags, with the docker CLI as the oracle", () => {
  it.each(ROWS.map((row) => [row.flags.join(" ").replaceAll(scratch, "$TMP").replaceAll(VOLUME_SOURCE, "SRC"), row] as const))(
    "%s: what the container sees and what it carries are docker's",
    async (_name, row) => {
      const created = await createdByBoth(row.flags);
      expect(created.oneoff).toEqual(created.docker);
      const seen = await seenByBoth(row.flags, { probe: `${PROBE}; ${VOLUME_PROBE}` });
      expect(seen.oneoff).toBe(seen.docker);
    },
    60_000,
  );
});
