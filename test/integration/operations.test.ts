/**
 * Operations and pipelines: timeouts, detached one-offs (ps, logs, wait, stop, retention),
 * engine-enforced locks, the release task, JSON output and the audit log.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, imageId, oneoff, oneOffContainers, ownerLabel, waitForOutput } from "./helpers.js";
import { oneoffInProcess, type InProcessOptions } from "./in-process.js";
import { documentOf, oneOffsOf } from "./json-schemas.js";

expectNoLeftovers();

const auditLog = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-audit-")), "audit.jsonl");
const env = { ONEOFF_AUDIT_LOG: auditLog };
/**
 * oneoff in this process (oneoffInProcess), unless the test signals it (onSpawn gives it the
 * process). What these tests prove is what oneoff does (timeouts, detached one-offs, locks, the
 * ledger, JSON), not its process; a test that holds its stdin open or watches its output as it
 * comes does so through onStart. A Node started per call was CPU the engine's work waited on
 * (issue 30). That the launcher passes an exit code on is exit-codes.test.ts's to prove.
 */
const run = (args: string[], options: Parameters<typeof oneoff>[1] & InProcessOptions = {}) =>
  (options.onSpawn ? oneoff : oneoffInProcess)(args, { ...options, env: { ...env, ...options.env } });
type Ran = ReturnType<typeof run>;

function app(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-ops-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), yaml);
  return dir;
}

describe("--timeout", () => {
  // sleep 300: a timeout that did not fire outlives the test's own timeout, which is the failure.
  it("stops a one-off that runs too long: exit 124, says so, container gone", async () => {
    const result = await run([
      "run",
      "--timeout",
      "1s",
      "--stop-timeout",
      "2",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "trap 'exit 0' TERM; echo started; sleep 300 & wait",
    ]);
    expect(result.code).toBe(124);
    expect(result.stdout.toString()).toBe("started\n");
    expect(result.stderr).toMatch(/^oneoff: timed out after 1s: stopping the one-off/m);
  });

  it("kills after --stop-timeout a one-off that ignores SIGTERM", async () => {
    const result = await run([
      "run",
      "-q",
      "--timeout",
      "1",
      "--stop-timeout",
      "1",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "trap '' TERM; echo started; sleep 30",
    ]);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(/timed out after 1s/);
    expect(result.stderr).toMatch(/still running 1s after SIGTERM: killing the one-off/);
  });

  it("takes timeout: from the task", async () => {
    const dir = app(`image: oneoff-test/busybox\nstop_timeout: 1\ntasks:\n  slow:\n    timeout: 1s\n    command: [sleep, "30"]\n`);
    const result = await run(["run", "-q", "slow"], { cwd: dir });
    expect(result.code).toBe(124);
  });

  it("does not fire for a one-off that finishes in time", async () => {
    const result = await run(["run", "-q", "--timeout", "30s", "--release", IMAGE, "--", "sh", "-c", "exit 3"]);
    expect(result.code).toBe(3);
  });
});

describe("--detach, ps, logs, wait, stop", () => {
  it("starts, returns the ID at once, and keeps the output for logs after it ends", async () => {
    // It runs until the test has listed it (a fixed sleep could end first on a loaded machine).
    const script = "echo out-line; echo err-line >&2; until [ -e /tmp/listed ]; do sleep 0.05; done; sleep 1; exit 6";
    const started = await run(["run", "-d", "--release", IMAGE, "--", "sh", "-c", script]);
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(started.stderr).toMatch(/started detached one-off .*oneoff logs -f [0-9a-f]{12}/);
    try {
      const listed = oneOffsOf<{
        id: string;
        detached: boolean;
        state: string;
      }>((await run(["ps", "--all-apps", "--json"])).stdout);
      expect(listed.find((oneOff) => oneOff.id === id)).toMatchObject({ detached: true, state: "running" });
      docker("exec", id, "touch", "/tmp/listed");

      const waited = await run(["wait", id.slice(0, 12)]);
      expect(waited.stdout.toString()).toBe("6\n");
      expect(waited.code).toBe(6);

      const logs = await run(["logs", id.slice(0, 12)]);
      expect(logs.stdout.toString()).toBe("out-line\n");
      expect(logs.stderr).toBe("err-line\n");

      const all = oneOffsOf<{
        id: string;
        exitCode?: number;
        durationMs?: number;
      }>((await run(["ps", "--all-apps", "--all", "--json"])).stdout);
      const finished = all.find((oneOff) => oneOff.id === id);
      expect(finished?.exitCode).toBe(6);
      expect(finished?.durationMs).toBeGreaterThanOrEqual(900);
      const running = documentOf<{ oneOffs: Array<{ id: string }> }>("ps", (await run(["ps", "--all-apps", "--json"])).stdout).oneOffs;
      expect(running.map((oneOff) => oneOff.id)).not.toContain(id);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("follows logs until the one-off ends", async () => {
    const id = (await run(["run", "-d", "--release", IMAGE, "--", "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.3; done"])).stdout
      .toString()
      .trim();
    try {
      const logs = await run(["logs", "-f", id]);
      expect(logs.stdout.toString()).toBe("line 1\nline 2\nline 3\n");
      expect(logs.code).toBe(0);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("stops a detached one-off", async () => {
    const id = (await run(["run", "-d", "--release", IMAGE, "--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"])).stdout
      .toString()
      .trim();
    try {
      const stopped = await run(["stop", "--time", "5", id]);
      expect(stopped.code).toBe(0);
      expect(docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id)).toBe("exited 0");
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("stops a detached one-off after its own --stop-timeout when stop has no --time, as docker stop", async () => {
    // The command ignores SIGTERM and would end by itself (exit 0) after 8 s: a stop that waits
    // the engine's 10 s sees it end; one that waits its 1 s stop timeout kills it (137).
    const started = await run([
      "run",
      "-d",
      "--stop-timeout",
      "1",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "trap '' TERM; sleep 8 & wait; wait",
    ]);
    const id = started.stdout.toString().trim();
    try {
      expect(docker("inspect", "-f", "{{.Config.StopTimeout}}", id)).toBe("1");
      const stopped = await run(["stop", id]);
      expect(stopped.code).toBe(0);
      expect(docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id)).toBe("exited 137");
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("refuses ps/logs/stop/wait on containers that are not one-offs", async () => {
    const stranger = docker("create", IMAGE, "true");
    try {
      const result = await run(["logs", stranger]);
      expect(result.code).toBe(125);
      expect(result.stderr).toMatch(/is not a one-off container/);
    } finally {
      docker("rm", "-f", stranger);
    }
  });

  it("lifts an app-wide timeout: for a detached one-off with --timeout none", async () => {
    const dir = app("app: timed\nimage: oneoff-test/busybox\ntimeout: 1h\n");
    const refused = await run(["run", "-d", "--", "true"], { cwd: dir });
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^oneoff: --detach cannot be combined with a timeout: .*\(.*--timeout none\)\n$/);
    const started = await run(["run", "-d", "--timeout", "none", "--", "sh", "-c", "exit 4"], { cwd: dir });
    expect(started.stderr).not.toMatch(/not a duration/);
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      expect((await run(["wait", id])).code).toBe(4);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("says, for logs of an attached one-off that is gone, that its output went to the terminal", async () => {
    const name = `gone-${Math.random().toString(16).slice(2, 8)}`;
    expect((await run(["run", "--name", name, "--release", IMAGE, "--", "true"])).code).toBe(0);
    const logs = await run(["logs", name]);
    expect(logs.code).toBe(125);
    expect(logs.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(logs.stderr).toMatch(/attached one-offs are removed when they end: their output went to the terminal/);
  });

  it("refuses --detach with -i, and with a timeout", async () => {
    expect((await run(["run", "-d", "-i", "--release", IMAGE, "--", "cat"])).stderr).toMatch(
      /^oneoff: --detach cannot be combined with -i/,
    );
    expect((await run(["run", "-d", "--timeout", "1m", "--release", IMAGE, "--", "true"])).stderr).toMatch(
      /^oneoff: --detach cannot be combined with a timeout/,
    );
  });
});

describe("--lock", () => {
  it("lets exactly one of two concurrent one-offs holding the same lock run", async () => {
    // The holder runs until its stdin ends, which the test does once the other has been
    // refused: on a loaded machine the second could otherwise start after a timed holder ended.
    const holders: Writable[] = [];
    const started = [0, 1].map(() =>
      run(["run", "-q", "--lock", "migrate", "--release", IMAGE, "--", "sh", "-c", "echo ran; read go"], {
        holdStdin: true,
        onStart: (live) => void holders.push(live.stdin),
      }),
    );
    await Promise.race(started);
    for (const holder of holders) holder.end("go\n");
    const [a, b] = await Promise.all(started);
    const outcomes = [a, b].map((result) => result.code).sort();
    expect(outcomes).toEqual([0, 125]);
    const refused = a.code === 125 ? a : b;
    expect(refused.stdout.toString()).toBe("");
    expect(refused.stderr).toMatch(
      /^oneoff: lock migrate is held by a one-off started by \S+@\S+ at \d{4}-\d\d-\d\dT\S+, container [0-9a-f]{12} \(wait for it with --wait-lock/,
    );
  });

  it("with --wait-lock, waits for the holder and then runs", async () => {
    let second: Ran | undefined;
    // The holder runs until the second says it waits (then the test ends its stdin).
    const first = run(["run", "-q", "--lock", "seed", "--release", IMAGE, "--", "sh", "-c", "echo first; read go"], {
      holdStdin: true,
      onStart: (holder) => {
        void waitForOutput(holder, (text) => text.includes("first")).then(() => {
          second = run(["run", "--lock", "seed", "--wait-lock", "30s", "--release", IMAGE, "--", "echo", "second"], {
            onStart: (waiting) =>
              waiting.stderr.on("data", (chunk: Buffer) => {
                if (chunk.toString().includes("waiting for lock seed")) holder.stdin.end("go\n");
              }),
          });
        });
      },
    });
    expect((await first).code).toBe(0);
    const result = await eventually(() => second);
    const done = await result;
    expect(done.code).toBe(0);
    expect(done.stdout.toString()).toBe("second\n");
    expect(done.stderr).toMatch(/waiting for lock seed, held by/);
  });

  it("is released when its holder is killed with SIGKILL", async () => {
    const holder = run(["run", "-q", "--lock", "fix", "--release", IMAGE, "--", "sh", "-c", "echo holding; sleep 60"], {
      onSpawn: (child) => void waitForOutput(child, (text) => text.includes("holding")).then(() => child.kill("SIGKILL")),
    });
    expect((await holder).signal).toBe("SIGKILL");
    const next = await run(["run", "-q", "--lock", "fix", "--wait-lock", "20s", "--release", IMAGE, "--", "echo", "got it"]);
    expect(next.stdout.toString()).toBe("got it\n");
    expect(next.code).toBe(0);
  });

  it("is not harmed when a run waiting for it is killed (SIGKILL): the waiter's watchdog removes only what its own run created", async () => {
    let waiter: Ran | undefined;
    let killedAt = 0;
    const holder = run(
      ["run", "-q", "-i", "--lock", "l1", "--release", IMAGE, "--", "sh", "-c", "echo holding; read go; echo holder-done"],
      {
        holdStdin: true,
        onStart: (live) =>
          void waitForOutput(live, (text) => text.includes("holding")).then(() => {
            waiter = run(["run", "--lock", "l1", "--wait-lock", "60s", "--release", IMAGE, "--", "true"], {
              onSpawn: (waiting) =>
                waiting.stderr?.on("data", (chunk: Buffer) => {
                  if (!killedAt && chunk.toString().includes("waiting for lock l1")) {
                    killedAt = Date.now();
                    waiting.kill("SIGKILL");
                  }
                }),
            });
            // The waiter's watchdog acts within a second of its death (docs/faults.md); give it
            // three before letting the holder finish.
            void eventually(() => (killedAt && Date.now() - killedAt > 3_000 ? true : undefined), 30_000).then(() =>
              live.stdin.end("go\n"),
            );
          }),
      },
    );
    const held = await holder;
    const killed = await await eventually(() => waiter);
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stderr).toMatch(/waiting for lock l1, held by/);
    expect(held.stdout.toString()).toBe("holding\nholder-done\n");
    expect(held.code).toBe(0);
  }, 60_000);

  it("is not held by a one-off that was created but whose owner died before starting it", async () => {
    const stale = docker(
      "create",
      "--name",
      "ops-lock-stale",
      "--label",
      "io.oneoff.managed=true",
      "--label",
      `io.oneoff.owner=${ownerLabel(4194303)}`,
      IMAGE,
      "true",
    );
    try {
      const dir = app("app: ops\nimage: oneoff-test/busybox\n");
      const result = await run(["run", "-q", "--lock", "stale", "--", "echo", "took it"], { cwd: dir });
      expect(result.stdout.toString()).toBe("took it\n");
      expect(docker("ps", "-aq", "--filter", `id=${stale}`)).toBe("");
    } finally {
      if (docker("ps", "-aq", "--filter", `id=${stale}`)) docker("rm", "-f", stale);
    }
  });
});

describe("oneoff release", () => {
  const apps: string[] = [];
  afterAll(() => {
    // Ledger records are volumes named after the app: remove this file's.
    for (const app of apps) {
      for (const volume of docker("volume", "ls", "-q", "--filter", `label=io.oneoff.ledger.app=${app}`).split("\n").filter(Boolean))
        docker("volume", "rm", volume);
    }
  });
  /** An app whose release task prints "migrating", then waits (by default a second) and exits $MIGRATE_EXIT. */
  const releaseApp = (wait = "sleep 1") => {
    const name = `rel${Math.random().toString(16).slice(2, 8)}`;
    apps.push(name);
    return app(
      `app: ${name}\nimage: oneoff-test/busybox\nrelease_task: migrate\ntasks:\n  migrate:\n    command: [sh, -c, "echo migrating; ${wait}; exit $${"$"}{MIGRATE_EXIT:-0}"]\n`,
    );
  };
  const ledger = async (dir: string) =>
    documentOf<{ records: Array<{ outcome: string; forced: boolean; imageId: string; exitCode: number }> }>(
      "ledger",
      (await run(["release", "--status", "--json"], { cwd: dir })).stdout,
    ).records;
  /**
   * An app whose release task has succeeded once for IMAGE, with its pre-flight checks: the first
   * test's, which the tests that need an app released once go on from (one container fewer each).
   */
  let released: Promise<{ dir: string; first: Awaited<ReturnType<typeof oneoff>> }> | undefined;
  const releasedOnce = () =>
    (released ??= (async () => {
      const dir = releaseApp();
      return { dir, first: await run(["release", "-q"], { cwd: dir }) };
    })());
  // The tests below that are about the ledger, not the pre-flight checks (check.test.ts has those,
  // and the others here run them), skip them: a container fewer for each release.

  it("runs the release task once per release image ID: a re-run says it is done and exits 0", async () => {
    const { dir, first } = await releasedOnce();
    expect(first.stdout.toString()).toBe("migrating\n");
    expect(first.code).toBe(0);
    const again = await run(["release"], { cwd: dir });
    expect(again.stdout.toString()).toBe("");
    expect(again.stderr).toMatch(
      /^oneoff: release task migrate already succeeded for release [0-9a-f]{12} \(at \S+, by \S+\); not running it again \(--force runs it anyway\)\n$/,
    );
    expect(again.code).toBe(0);
    expect(await ledger(dir)).toEqual([
      expect.objectContaining({ outcome: "succeeded", exitCode: 0, forced: false, imageId: imageId(IMAGE) }),
    ]);
    const history = await run(["history", "--ledger"], { cwd: dir });
    expect(history.stdout.toString().trim().split("\n")).toEqual([
      expect.stringMatching(/^STARTED\s+BY\s+RELEASE TASK\s+RELEASE\s+EXIT\s+TOOK\s+OUTCOME$/),
      expect.stringMatching(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\S+\\s+\\S+@\\S+\\s+migrate\\s+${imageId(IMAGE).slice(7, 19)}\\s+0\\s+\\S+\\s+succeeded$`),
      ),
    ]);
  });

  it("does not count a failure as done: it runs again, and exits with the task's code", async () => {
    const dir = releaseApp();
    const failed = await run(["release", "-q", "--no-check", "-e", "MIGRATE_EXIT=3"], { cwd: dir });
    expect(failed.code).toBe(3);
    const retried = await run(["release", "-q", "--no-check"], { cwd: dir });
    expect(retried.stdout.toString()).toBe("migrating\n");
    expect(retried.code).toBe(0);
    expect((await ledger(dir)).map((record) => record.outcome)).toEqual(["failed", "succeeded"]);
  });

  it("reruns with --force, recorded as forced", async () => {
    const { dir } = await releasedOnce();
    const forced = await run(["release", "-q", "--force", "--no-check"], { cwd: dir });
    expect(forced.stdout.toString()).toBe("migrating\n");
    expect((await ledger(dir)).map((record) => record.forced)).toEqual([false, true]);
  });

  it("runs the task exactly once for two concurrent releases of one image: the second waits, then finds it done", async () => {
    // The task runs until a file appears in a folder it mounts, which the test makes once the
    // second says it waits (a release passes no stdin): with a timed task, a loaded machine
    // could start the second after the first had ended.
    const dir = releaseApp("while [ ! -e /sync/go ]; do sleep 0.1; done");
    const sync = ["-v", `${dir}:/sync`];
    // The second starts once the first is running the task (it holds the lock), so they overlap.
    let second: Ran | undefined;
    const first = run(["release", "-q", ...sync], {
      cwd: dir,
      onStart: (holder) =>
        void waitForOutput(holder, (text) => text.includes("migrating")).then(
          () =>
            (second = run(["release", ...sync], {
              cwd: dir,
              onStart: (waiting) =>
                waiting.stderr.on("data", (chunk: Buffer) => {
                  if (chunk.toString().includes("waiting for lock release")) writeFileSync(path.join(dir, "go"), "");
                }),
            })),
        ),
    });
    const a = await first;
    const b = await await eventually(() => second);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout.toString()).toBe("migrating\n");
    expect(b.stdout.toString()).toBe("");
    expect(b.stderr).toMatch(/waiting for lock release, held by task migrate/);
    expect(b.stderr).toMatch(/release task migrate already succeeded for release [0-9a-f]{12}/);
    expect(await ledger(dir)).toHaveLength(1);
  });

  it("runs the task once when the first release is still copying out: the lock is held until its oneoff is done", async () => {
    const { run: runOneOff } = await import("../../src/index.js");
    const { connectTo, locate } = await import("../../src/engine/connect.js");
    const { PassThrough } = await import("node:stream");
    const dir = releaseApp();
    // The real engine, with the first release's copy-out held until the second has seen the
    // ended holder and kept waiting.
    const real = await connectTo(locate(process.env).connection);
    let copyStarted = () => {};
    const copying = new Promise<void>((resolve) => (copyStarted = resolve));
    let letCopyGo = () => {};
    const copyMayGo = new Promise<void>((resolve) => (letCopyGo = resolve));
    const slowCopy = new Proxy(real, {
      get(target, property, receiver) {
        if (property === "getArchive") {
          return async (...args: Parameters<typeof real.getArchive>) => {
            copyStarted();
            await copyMayGo;
            return target.getArchive(...args);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const firstOut = new PassThrough();
    const first = runOneOff(
      { releaseTask: true, copyOut: ["/etc/hostname:hostname.txt"], quiet: true },
      {
        cwd: dir,
        client: slowCopy,
        watchdog: false,
        audit: false,
        stdout: firstOut,
        stderr: new PassThrough(),
        env: { ...process.env, ...env },
      },
    );
    firstOut.resume();
    await copying;
    // The first release's command has exited; its container (the lock) is still there.
    const second = run(["release"], {
      cwd: dir,
      onStart: (live) =>
        live.stderr.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("waiting for lock release")) letCopyGo();
        }),
    });
    // Should the second not wait (the defect), the first must still finish for the test to say so.
    void second.then(letCopyGo);
    const firstResult = await first;
    const secondResult = await second;
    expect(firstResult.exitCode).toBe(0);
    expect(secondResult.stderr).toMatch(
      /waiting for lock release, held by task migrate .* \(its command has ended; its oneoff is finishing: copy-out, ledger\)/,
    );
    expect(secondResult.stderr).toMatch(/release task migrate already succeeded for release/);
    expect(secondResult.stdout.toString()).toBe("");
    expect(secondResult.code).toBe(0);
    expect(await ledger(dir)).toHaveLength(1);
  }, 60_000);

  it("keeps the newest ledger_keep records of the app and prunes the rest", async () => {
    // Three releases, the oldest not forced: the two kept must be the two forced after it.
    const name = `rel${Math.random().toString(16).slice(2, 8)}`;
    apps.push(name);
    const dir = app(
      `app: ${name}\nimage: oneoff-test/busybox\nrelease_task: migrate\nledger_keep: 2\ntasks:\n  migrate: [sh, -c, "echo migrating"]\n`,
    );
    expect((await run(["release", "-q", "--no-check"], { cwd: dir })).code).toBe(0);
    for (let round = 0; round < 2; round++) expect((await run(["release", "-q", "--force", "--no-check"], { cwd: dir })).code).toBe(0);
    const records = await ledger(dir);
    expect(records).toHaveLength(2);
    expect(records.every((record) => record.forced)).toBe(true);
    const volumes = docker("volume", "ls", "-q", "--filter", `label=io.oneoff.ledger.app=${name}`).split("\n").filter(Boolean);
    expect(volumes).toHaveLength(2);
  });

  it("with --no-wait, refuses a concurrent release instead of waiting", async () => {
    const dir = releaseApp();
    const [a, b] = await Promise.all([
      run(["release", "-q", "--no-wait"], { cwd: dir }),
      run(["release", "-q", "--no-wait"], { cwd: dir }),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 125]);
    expect((a.code === 125 ? a : b).stderr).toMatch(/lock release is held by task migrate/);
  });

  it("runs it again for a new release image ID", async () => {
    const { dir } = await releasedOnce();
    execFileSync("docker", ["build", "-q", "-t", "oneoff-test/release-v2:latest", "-"], {
      input: `FROM ${IMAGE}\nLABEL release=v2\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    try {
      const next = await run(["release", "-q", "--no-check", "--release", "oneoff-test/release-v2:latest"], { cwd: dir });
      expect(next.stdout.toString()).toBe("migrating\n");
      expect(new Set((await ledger(dir)).map((record) => record.imageId)).size).toBe(2);
    } finally {
      docker("image", "rm", "oneoff-test/release-v2:latest");
    }
  });

  it("says in one line what it did, outside a terminal too; -q silences it", async () => {
    const dir = releaseApp();
    const failed = await run(["release", "-e", "MIGRATE_EXIT=3"], { cwd: dir });
    expect(failed.code).toBe(3);
    const id = imageId(IMAGE).slice(7, 19);
    expect(failed.stderr).toMatch(
      new RegExp(`^oneoff: release task migrate of oneoff-test/busybox \\(${id}\\) failed, exit 3, \\d+\\.\\d s\\n$`),
    );
    const succeeded = await run(["release"], { cwd: dir });
    expect(succeeded.code).toBe(0);
    expect(succeeded.stderr).toMatch(
      new RegExp(`^oneoff: release task migrate of oneoff-test/busybox \\(${id}\\) succeeded, \\d+\\.\\d s\\n$`),
    );
    const quiet = await run(["release", "-q", "--force", "-e", "MIGRATE_EXIT=2"], { cwd: dir });
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toBe("");
  });

  it("says what to do when there is no release task", async () => {
    const dir = app("image: oneoff-test/busybox\ntasks:\n  other: [echo]\n");
    const result = await run(["release"], { cwd: dir });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(
      /^oneoff: no release task in .*oneoff\.yaml \(set release_task: NAME in oneoff\.yaml, or define a task named release\)\n$/,
    );
  });
});

describe("--json", () => {
  it("prints one JSON document on stdout, with the command's output on stderr", async () => {
    const result = await run(["run", "--json", "--release", IMAGE, "--", "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 4"]);
    expect(result.code).toBe(4);
    const document = documentOf<Record<string, unknown> & { durationMs: number; id: string }>("run", result.stdout);
    expect(document).toMatchObject({
      schemaVersion: 2,
      kind: "container",
      exitCode: 4,
      ending: "exited",
      imageId: imageId(IMAGE),
      command: ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 4"],
    });
    expect(document.id).toMatch(/^[0-9a-f]{64}$/);
    expect(document.durationMs).toBeGreaterThan(0);
    expect(document.output).toBeUndefined();
    expect(result.stderr).toContain("to-stdout\n");
    expect(result.stderr).toContain("to-stderr\n");
  });

  it("includes the output with --capture, base64 when it is not UTF-8", async () => {
    const result = await run([
      "run",
      "--json",
      "--capture",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "printf 'text'; printf '\\377\\376' >&2",
    ]);
    const document = documentOf<{ output: { stdout: unknown; stderr: unknown; truncated: boolean } }>("run", result.stdout);
    expect(document.output.stdout).toEqual({ encoding: "utf8", data: "text" });
    expect(document.output.stderr).toEqual({ encoding: "base64", data: Buffer.from([0xff, 0xfe]).toString("base64") });
    expect(document.output.truncated).toBe(false);
  });

  it("prints a document for oneoff's own failures too", async () => {
    const result = await run(["run", "--json", "--release", IMAGE, "--", "no-such-command"]);
    expect(result.code).toBe(127);
    expect(documentOf("error", result.stdout)).toEqual({
      schema: "oneoff/error",
      schemaVersion: 1,
      command: "run",
      ending: "error",
      exitCode: 127,
      error: { message: 'command "no-such-command" not found in the image', hint: expect.any(String) },
    });
  });

  it.each([
    ["release, without a release task", ["release", "--json"], "release", 125, /^no release task/],
    ["release --status, without oneoff.yaml", ["release", "--status", "--json"], "release", 125, /^no oneoff\.yaml here/],
    [
      "ps, on an engine that does not answer",
      ["-H", "unix:///tmp/oneoff-no-engine.sock", "ps", "--json"],
      "ps",
      125,
      /^cannot reach the Docker engine/,
    ],
    ["diff, with nothing to compare", ["diff", "--json", "web"], "diff", 125, /^nothing here describes a one-off/],
    ["run, with an unknown flag", ["run", "--json", "--no-such-flag", "--", "true"], "run", 125, /unknown option '--no-such-flag'/],
    ["tasks, without oneoff.yaml", ["tasks", "--json"], "tasks", 125, /oneoff\.yaml/],
  ] as const)("prints an error document when %s", async (_what, args, command, code, message) => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "oneoff-json-error-"));
    const result = await run([...args], { cwd: empty, env: { ONEOFF_RELEASE: undefined } });
    expect(result.code).toBe(code);
    const document = documentOf<{ command: string; exitCode: number; error: { message: string } }>("error", result.stdout);
    expect(document).toMatchObject({ command, exitCode: code });
    expect(document.error.message).toMatch(message);
    // The line on stderr is there too, for people.
    expect(result.stderr).toMatch(/^oneoff: /);
  });
});

describe("the audit log", () => {
  it("has one line for every way a one-off ends, and never a secret", async () => {
    const log = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-audit-")), "audit.jsonl");
    const secret = "planted-secret-7f3a";
    // Each run a process of its own: in this process, output/redact.ts's set of secret values
    // is shared, so one run's masking would hide another run that failed to mask.
    const audited = (args: string[], options: Parameters<typeof oneoff>[1] = {}) =>
      oneoff(args, { ...options, env: { ONEOFF_AUDIT_LOG: log, PGPASSWORD: secret } });
    const base = ["-q", "-e", `API_TOKEN=${secret}`, "-e", "PGPASSWORD", "--release", IMAGE, "--"];
    await audited(["run", ...base, "sh", "-c", "exit 0", "sh", `--password=${secret}`, `postgres://app:${secret}@db/shop`]);
    await audited(["run", ...base, "sh", "-c", "exit 3"]);
    await audited(["run", "--timeout", "1", "--stop-timeout", "1", ...base, "sleep", "30"]);
    await audited(["run", ...base, "no-such-command"]);
    await audited(["run", ...base, "sh", "-c", "trap 'exit 9' INT; echo ready; sleep 30 & wait"], {
      onSpawn: (child) => void waitForOutput(child, (text) => text.includes("ready")).then(() => child.kill("SIGINT")),
    });
    const holder = audited(["run", "--lock", "audit", ...base, "sh", "-c", "echo holding; read go"], {
      holdStdin: true,
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("holding")).then(async () => {
          refused = audited(["run", "--lock", "audit", ...base, "true"]);
          await refused;
          child.stdin?.end("go\n");
        }),
    });
    let refused: Promise<unknown> | undefined;
    await holder;
    await eventually(() => refused);
    await refused;

    const text = readFileSync(log, "utf8");
    expect(text).not.toContain(secret);
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    // Each run: a start line, then its end line with the same run ID.
    const starts = lines.filter((line: { event?: string }) => line.event === "start");
    const entries = lines.filter((line: { event?: string }) => line.event === undefined);
    expect(starts).toHaveLength(7);
    expect(new Set(starts.map((line: { runId: string }) => line.runId))).toEqual(
      new Set(entries.map((line: { runId: string }) => line.runId)),
    );
    const outcomes = entries.map((entry: { outcome: string; exitCode: number }) => `${entry.outcome}:${entry.exitCode}`);
    expect(outcomes).toEqual(
      expect.arrayContaining(["exited:0", "exited:3", "timeout:124", "not-found:127", "interrupted:9", "lock-refused:125"]),
    );
    expect(entries).toHaveLength(7);
    expect(entries[0]).toMatchObject({ by: expect.stringContaining("@"), imageId: imageId(IMAGE), releaseReference: IMAGE, exitCode: 0 });
    expect(entries[0].command).toEqual(["sh", "-c", "exit 0", "sh", "--password=<redacted>", "postgres://app:<redacted>@db/shop"]);
    expect(entries.find((entry: { outcome: string }) => entry.outcome === "interrupted").signal).toBe("SIGINT");
    expect(entries.find((entry: { outcome: string }) => entry.outcome === "lock-refused").error).toMatch(/^lock audit is held by/);

    const history = await oneoffInProcess(["history", "--local", "--all-apps", "--json"], { env: { ONEOFF_AUDIT_LOG: log } });
    expect(documentOf<{ entries: unknown[] }>("history", history.stdout).entries).toHaveLength(7);
    const table = await oneoffInProcess(["history", "--local", "--all-apps", "-n", "2"], { env: { ONEOFF_AUDIT_LOG: log } });
    expect(table.stdout.toString().trim().split("\n")).toHaveLength(3);
    expect(oneOffContainers()).toEqual([]);
  });

  it("keeps the start line of a oneoff killed with SIGKILL, naming the OS user, not $USER", async () => {
    const log = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-audit-")), "audit.jsonl");
    const killed = await oneoff(["run", "-q", "--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 60"], {
      env: { ONEOFF_AUDIT_LOG: log, USER: "mallory", LOGNAME: "mallory" },
      onSpawn: (child) => void waitForOutput(child, (text) => text.includes("ready")).then(() => child.kill("SIGKILL")),
    });
    expect(killed.signal).toBe("SIGKILL");
    const lines = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        event: "start",
        by: `${os.userInfo().username}@${os.hostname()}`,
        releaseReference: IMAGE,
        command: ["sh", "-c", "echo ready; sleep 60"],
        runId: expect.stringMatching(/^[0-9a-f]{16}$/),
      }),
    ]);
    const history = await oneoffInProcess(["history", "--local", "--all-apps", "--json"], { env: { ONEOFF_AUDIT_LOG: log } });
    expect(documentOf<{ entries: unknown[] }>("history", history.stdout).entries).toEqual([
      expect.objectContaining({ outcome: "no end recorded", by: lines[0].by }),
    ]);
    const table = await oneoffInProcess(["history", "--local", "--all-apps"], { env: { ONEOFF_AUDIT_LOG: log } });
    expect(table.stdout.toString()).toMatch(/sh -c echo ready; sleep 60 .* - +- +no end recorded\n$/);
    // The watchdog still removed the one-off.
    await eventually(() => (oneOffContainers().length === 0 ? true : undefined));
  });
});

describe("an env: ${VAR} that is not set where oneoff runs", () => {
  const unsetVarApp = (name = `unset${Math.random().toString(16).slice(2, 8)}`) =>
    app(
      [
        `app: ${name}`,
        "image: oneoff-test/busybox",
        "env:",
        "  DATABASE_URL: ${DATABASE_URL}",
        "tasks:",
        '  migrate: [sh, -c, "echo db=$$DATABASE_URL"]',
        "release_task: migrate",
        "",
      ].join("\n"),
    );
  const unset = { DATABASE_URL: undefined };

  it("stops no command that does not run a one-off: ps, history, tasks, release --status, logs", async () => {
    const dir = unsetVarApp();
    const started = await run(["run", "-d", "-e", "DATABASE_URL=from-flag", "migrate"], { cwd: dir, env: unset });
    expect(started.stderr).not.toMatch(/is not set/);
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      expect((await run(["wait", id], { cwd: dir, env: unset })).code).toBe(0);
      for (const args of [["ps"], ["ps", "-a"], ["history"], ["tasks", "--json"], ["release", "--status"], ["logs", id]]) {
        const result = await run(args, { cwd: dir, env: unset });
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: "" });
      }
      // Tab completion reads the task names from this.
      const tasks = await run(["tasks", "--json"], { cwd: dir, env: unset });
      expect(tasks.stdout.toString()).toContain('"migrate"');
      expect((await run(["logs", id], { cwd: dir, env: unset })).stdout.toString()).toBe("db=from-flag\n");
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("stops a one-off that would get it, naming the line", async () => {
    const result = await run(["run", "migrate"], { cwd: unsetVarApp(), env: unset });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: oneoff\.yaml:4:17: env\.DATABASE_URL: variable DATABASE_URL is not set \(/);
  });

  it("takes the running process's own value with --from", async () => {
    const processName = `web${Math.random().toString(16).slice(2, 8)}`;
    const appName = `unset${Math.random().toString(16).slice(2, 8)}`;
    const web = docker(
      "run",
      "-d",
      "--label",
      `io.oneoff.process=${processName}`,
      "--label",
      `io.oneoff.app=${appName}`,
      "-e",
      "DATABASE_URL=from-web",
      IMAGE,
      "sleep",
      "60",
    );
    try {
      const result = await run(["run", "--from", processName, "migrate"], { cwd: unsetVarApp(appName), env: unset });
      expect(result.stderr).not.toMatch(/is not set/);
      expect(result.stdout.toString()).toBe("db=from-web\n");
      expect(result.code).toBe(0);
    } finally {
      docker("rm", "-f", web);
    }
  });
});
