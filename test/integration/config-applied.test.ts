/**
 * oneoff.yaml applied: a task's env, user, workdir, networks, limits and labels reach the
 * container, as the engine reports them and as the one-off sees them.
 *
 * oneoff runs in this process (oneoffInProcess) in every test: they read the container and
 * what it printed, never oneoff's process; no test here spawns one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, imageId, waitForOutput } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

const NETWORK = "oneoff-test-config-net";
const PEER = "oneoff-test-config-peer";
let appDir: string;

beforeAll(() => {
  try {
    docker("rm", "-f", PEER);
  } catch {}
  try {
    docker("network", "rm", NETWORK);
  } catch {}
  docker("network", "create", NETWORK);
  docker("run", "-d", "--name", PEER, "--network", NETWORK, "--network-alias", "db", IMAGE, "httpd", "-f", "-p", "8080", "-h", "/tmp");
  appDir = mkdtempSync(path.join(os.tmpdir(), "oneoff-config-"));
  writeFileSync(path.join(appDir, "shop.env"), "FROM_ENV_FILE=file\nOVERRIDDEN=by-file\n");
  writeFileSync(
    path.join(appDir, "oneoff.yaml"),
    `app: shoptest
image: oneoff-test/busybox
release: \${TEST_RELEASE:-latest}
env_file: shop.env
env:
  SHOP_ENV: production
  OVERRIDDEN: by-env
  FROM_HOST:
network: ${NETWORK}
user: app
workdir: /home/app
memory: 64m
cpus: 0.5
labels:
  com.example.team: payments
tasks:
  show:
    description: prints what the one-off sees
    command: sh -c 'id -u; pwd; echo "$$SHOP_ENV $$OVERRIDDEN $$FROM_ENV_FILE $$FROM_HOST $$TASK_ONLY"'
    env:
      TASK_ONLY: task
  hold:
    command: [sh, -c, "echo ready; read line; echo got $$line"]
  reach-db:
    command: [sh, -c, "echo GET / | nc -w 3 db 8080 >/dev/null && echo reached db"]
`,
  );
});

afterAll(() => {
  docker("rm", "-f", PEER);
  docker("network", "rm", NETWORK);
});

describe("oneoff run applies the app's config", () => {
  it("runs a task with the config's env (env_file < env < task), user and workdir", async () => {
    const result = await oneoffInProcess(["run", "-q", "show"], { cwd: appDir, env: { FROM_HOST: "host-value" } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.toString().split("\n")).toEqual(["1000", "/home/app", "production by-env file host-value task", ""]);
  });

  it("lets flags override the file: -e, -u, -w", async () => {
    const result = await oneoffInProcess(["run", "-q", "-e", "SHOP_ENV=staging", "-u", "0", "-w", "/tmp", "show"], { cwd: appDir });
    expect(result.code).toBe(0);
    expect(result.stdout.toString().split("\n").slice(0, 3)).toEqual(["0", "/tmp", "staging by-env file  task"]);
  });

  it("joins the configured network, so the one-off reaches the app's other services", async () => {
    const result = await oneoffInProcess(["run", "-q", "reach-db"], { cwd: appDir });
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("reached db\n");
    expect(result.code).toBe(0);
  });

  it("connects every --network given, the first at create and the rest before start", async () => {
    docker("network", "create", `${NETWORK}-2`);
    try {
      const result = await oneoffInProcess(
        ["run", "-q", "--network", NETWORK, "--network", `${NETWORK}-2`, "--", "sh", "-c", "ls /sys/class/net | grep -v lo"],
        { cwd: appDir },
      );
      expect(result.code).toBe(0);
      expect(result.stdout.toString().trim().split("\n")).toHaveLength(2);
    } finally {
      docker("network", "rm", `${NETWORK}-2`);
    }
  });

  it("creates the container from the release's image ID, with limits and labels, as the engine reports", async () => {
    let inspected: Record<string, any> | undefined;
    const run = oneoffInProcess(["run", "-q", "-i", "-l", "test.case=inspect", "hold"], {
      cwd: appDir,
      holdStdin: true,
      onStart: (live) => {
        void waitForOutput(live, (text) => text.includes("ready")).then(async () => {
          const id = await eventually(() => docker("ps", "-q", "--filter", "label=test.case=inspect") || undefined);
          inspected = JSON.parse(docker("inspect", id))[0];
          live.stdin.end("hello\n");
        });
      },
    });
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("ready\ngot hello\n");
    const container = inspected as Record<string, any>;
    expect(container.Image).toBe(imageId(IMAGE));
    expect(container.Config.Image).toBe(imageId(IMAGE));
    expect(container.Config.User).toBe("app");
    expect(container.Config.WorkingDir).toBe("/home/app");
    expect(container.Config.Env).toEqual(expect.arrayContaining(["SHOP_ENV=production", "FROM_ENV_FILE=file"]));
    expect(container.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(container.HostConfig.NanoCpus).toBe(500_000_000);
    expect(container.HostConfig.NetworkMode).toBe(NETWORK);
    expect(container.Name).toMatch(/^\/shoptest-hold-run-[0-9a-f]{6}$/);
    expect(container.Config.Labels).toMatchObject({
      "io.oneoff.managed": "true",
      "io.oneoff.app": "shoptest",
      "io.oneoff.task": "hold",
      "io.oneoff.release.image-id": imageId(IMAGE),
      "io.oneoff.release.reference": "oneoff-test/busybox:latest",
      "io.oneoff.version": expect.any(String),
      "io.oneoff.started-by": expect.stringContaining("@"),
      "io.oneoff.started-at": expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      "io.oneoff.owner": expect.stringMatching(/^[^:]+:\d+:\d+:[0-9a-f]{12}\.\d+\.([0-9a-f]{12}|-)$/),
      "com.example.team": "payments",
      "test.case": "inspect",
    });
    expect(JSON.parse(container.Config.Labels["io.oneoff.command"])).toEqual(["sh", "-c", "echo ready; read line; echo got $line"]);
  });

  it("names the image ID, not the tag, in --dry-run when given an ID", async () => {
    const dry = await oneoffInProcess(["run", "--dry-run", "--release", imageId(IMAGE), "--", "true"], { cwd: appDir });
    expect(dry.code).toBe(0);
    const document = JSON.parse(dry.stdout.toString());
    expect(document.request.body.Image).toBe(imageId(IMAGE));
    expect(document.request.body.Labels["io.oneoff.release.image-id"]).toBe(imageId(IMAGE));
    expect(document.note).toBeUndefined();
  });
});
