/**
 * What `oneoff cleanup` removes, asserted to the container: a file of the serial project
 * (vitest.config.ts), since any other run's watchdog reaps what is due on the engine, and a
 * file running beside this one could reap these one-offs before cleanup names them.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, oneoff, removeRunRecords, until } from "./helpers.js";

expectNoLeftovers();

describe("a detached one-off", () => {
  it("is removed by cleanup once its keep time after ending has passed, not before", async () => {
    const kept = (await oneoff(["run", "-d", "--keep-for", "1h", "--release", IMAGE, "--", "true"])).stdout.toString().trim();
    const short = (await oneoff(["run", "-d", "--keep-for", "1s", "--release", IMAGE, "--", "true"])).stdout.toString().trim();
    try {
      await oneoff(["wait", short]);
      // Its keep time runs from when it ended: cleanup's dry run names it once that has passed.
      await until(async () => ((await oneoff(["cleanup", "--dry-run"])).stderr.includes(short.slice(0, 12)) ? true : undefined));
      const cleanup = await oneoff(["cleanup"]);
      expect(cleanup.stderr).toContain(`(${short.slice(0, 12)}), kept past its time`);
      expect(docker("ps", "-aq", "--no-trunc", "--filter", `id=${short}`)).toBe("");
      expect(docker("ps", "-aq", "--no-trunc", "--filter", `id=${kept}`)).toBe(kept);
    } finally {
      docker("rm", "-f", kept);
      if (docker("ps", "-aq", "--filter", `id=${short}`)) docker("rm", "-f", short);
    }
  });
});

/** What cleanup's one line about run records says it ended and pruned. */
function recordCounts(stderr: string): { ended: number; pruned: number } {
  const match = /^oneoff: run records: ended (\d+) whose one-off had ended or was gone, pruned (\d+)$/m.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return { ended: Number(match![1]), pruned: Number(match![2]) };
}

describe("run records", () => {
  it("are pruned by cleanup to the newest history_keep of the app, and a detached run's end is recorded with its exit code", async () => {
    const name = `prune${Math.random().toString(16).slice(2, 10)}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-prune-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${name}\nimage: oneoff-test/busybox\nrelease: latest\nhistory_keep: 2\n`);
    const log = path.join(dir, "audit.jsonl");
    // A state folder of its own, whose reap stamp the first cleanup writes: the runs' watchdogs
    // then skip their reap (rate-limited), so only the cleanup below prunes. Without the stamp,
    // a watchdog's reap pruned one record before the count (a CI, when the user's stamp was old).
    const env = { ONEOFF_AUDIT_LOG: log, XDG_STATE_HOME: path.join(dir, "state") };
    const records = () => docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${name}`).split("\n").filter(Boolean).sort();
    try {
      expect((await oneoff(["cleanup"], { cwd: dir, env })).code).toBe(0);
      expect(readdirSync(path.join(dir, "state", "oneoff")).filter((file) => file.startsWith("reaped-"))).toHaveLength(1);
      for (let i = 0; i < 3; i++) expect((await oneoff(["run", "-q", "--", "true"], { cwd: dir, env })).code).toBe(0);
      const detached = (await oneoff(["run", "-q", "-d", "--keep-for", "1h", "--", "sh", "-c", "exit 7"], { cwd: dir, env })).stdout
        .toString()
        .trim();
      try {
        await until(async () => (docker("inspect", "-f", "{{.State.Status}}", detached) === "exited" ? true : undefined));
        const runIds = readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((line) => (JSON.parse(line) as { runId: string }).runId)
          .filter((id, index, all) => all.indexOf(id) === index);
        expect(runIds).toHaveLength(4);
        expect(records()).toHaveLength(4);
        const cleanup = await oneoff(["cleanup"], { cwd: dir, env });
        expect(cleanup.code).toBe(0);
        // Counted over every app on the engine (other files' runs share it): at least this app's.
        expect(recordCounts(cleanup.stderr).ended).toBeGreaterThanOrEqual(1);
        expect(recordCounts(cleanup.stderr).pruned).toBeGreaterThanOrEqual(2);
        // The newest two: the detached run (ended by the reap, with its exit code) and the last attached one.
        expect(records()).toEqual([`oneoff-record-${runIds[2]}`, `oneoff-record-${runIds[3]}`].sort());
        const labels = JSON.parse(docker("volume", "inspect", "-f", "{{json .Labels}}", `oneoff-record-${runIds[3]}`)) as Record<
          string,
          string
        >;
        expect(labels).toMatchObject({ "io.oneoff.record.ending": "exited", "io.oneoff.record.exit-code": "7" });
      } finally {
        docker("rm", "-f", detached);
      }
    } finally {
      removeRunRecords(name);
    }
  });

  it("ends as owner-gone a start whose run left nothing on the engine once the watchdog's deadline has passed, and not before", async () => {
    const name = `gone${Math.random().toString(16).slice(2, 10)}`;
    const start = (runId: string, startedAt: Date) =>
      docker(
        "volume",
        "create",
        ...Object.entries({
          "io.oneoff.record": "start",
          "io.oneoff.record.run": runId,
          "io.oneoff.record.app": name,
          "io.oneoff.record.kind": "container",
          "io.oneoff.record.command": '["true"]',
          "io.oneoff.record.by": "ci@runner",
          "io.oneoff.record.started-at": startedAt.toISOString(),
          "io.oneoff.record.keep-count": "10",
        }).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
        `oneoff-record-${runId}-start`,
      );
    const old = `${Math.random().toString(16).slice(2, 10)}00000001`;
    const young = `${Math.random().toString(16).slice(2, 10)}00000002`;
    try {
      start(old, new Date(Date.now() - 10 * 60_000));
      start(young, new Date());
      const cleanup = await oneoff(["cleanup"]);
      expect(cleanup.code).toBe(0);
      expect(recordCounts(cleanup.stderr).ended).toBeGreaterThanOrEqual(1);
      const volumes = docker("volume", "ls", "-q", "--filter", `label=io.oneoff.record.app=${name}`).split("\n").sort();
      expect(volumes).toEqual([`oneoff-record-${old}`, `oneoff-record-${young}-start`].sort());
      const labels = JSON.parse(docker("volume", "inspect", "-f", "{{json .Labels}}", `oneoff-record-${old}`)) as Record<string, string>;
      expect(labels).toMatchObject({
        "io.oneoff.record": "end",
        "io.oneoff.record.ending": "owner-gone",
        "io.oneoff.record.by": "ci@runner",
      });
      expect(labels).not.toHaveProperty("io.oneoff.record.exit-code");
    } finally {
      removeRunRecords(name);
    }
  });
});

/**
 * A unix socket that forwards to the engine until a request to write into a container's files
 * (PUT .../archive) comes: that one is held, never sent, and `onHeld` is called. A recorded
 * run's only such request is its recording's store, so its oneoff can be killed there, with the
 * store's container created and not yet removed.
 */
function engineLinkHoldingArchiveWrites(onHeld: () => void) {
  const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-hold-")), "docker.sock");
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ path: "/var/run/docker.sock", allowHalfOpen: true });
    open.add(client).add(upstream);
    let held = false;
    client.on("data", (chunk: Buffer) => {
      if (!held && /^PUT \S*\/containers\/[^/]+\/archive\?/.test(chunk.toString("latin1", 0, 200))) {
        held = true;
        onHeld();
      }
      if (!held) upstream.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  return {
    socketPath,
    up: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    down: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("the container a recording is stored through", () => {
  it("is removed by cleanup when its oneoff was killed between creating and removing it", async () => {
    const name = `store${Math.random().toString(16).slice(2, 10)}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-store-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${name}\nimage: oneoff-test/busybox\nrelease: latest\nrecord: true\n`);
    let child: ChildProcess | undefined;
    const link = engineLinkHoldingArchiveWrites(() => child?.kill("SIGKILL"));
    await link.up();
    // A state folder of its own, whose reap stamp the first cleanup writes for the link's
    // endpoint: the killed run's watchdog then skips its reap, so only the cleanup below removes.
    const env = {
      DOCKER_HOST: `unix://${link.socketPath}`,
      ONEOFF_AUDIT_LOG: path.join(dir, "audit.jsonl"),
      XDG_STATE_HOME: path.join(dir, "state"),
    };
    const lines = (text: string) => text.split("\n").filter(Boolean);
    const recordings = () => lines(docker("volume", "ls", "-q", "--filter", `label=io.oneoff.recording.app=${name}`));
    /** The containers that mount this app's recording volumes: the store's. */
    const storeContainers = () =>
      recordings().flatMap((volume) => lines(docker("ps", "-a", "-q", "--no-trunc", "--filter", `volume=${volume}`)));
    try {
      expect((await oneoff(["cleanup"], { cwd: dir, env })).code).toBe(0);
      const run = await oneoff(["run", "-q", "--", "echo", "recorded"], { cwd: dir, env, onSpawn: (spawned) => (child = spawned) });
      expect(run.signal).toBe("SIGKILL");
      expect(run.stdout.toString()).toBe("recorded\n");
      const [left, ...others] = storeContainers();
      expect(others).toEqual([]);
      expect(left, "the store's container, left by the killed oneoff").toBeTruthy();
      const cleanup = await oneoff(["cleanup"], { cwd: dir });
      expect(cleanup.code).toBe(0);
      expect(cleanup.stderr).toMatch(
        new RegExp(
          `^oneoff: removed one-off oneoff-record-store-[0-9a-f]+ \\(${(left as string).slice(0, 12)}\\), owner \\S+ is gone$`,
          "m",
        ),
      );
      expect(storeContainers()).toEqual([]);
    } finally {
      await link.down();
      const left = storeContainers();
      if (left.length) docker("rm", "-f", ...left);
      for (const volume of recordings()) docker("volume", "rm", "-f", volume);
      removeRunRecords(name);
    }
  });
});
