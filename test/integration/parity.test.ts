/**
 * Parity with the running app: a one-off --from web gets what web's containers have (image ID,
 * env, network, volume, user, workdir), and oneoff diff tells when a one-off would differ.
 * oneoff runs in this process (oneoffInProcess): what is compared is what a one-off got and what
 * diff says, never oneoff's own process, and a Node started per call was CPU the engine waited on.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, imageId } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

const NETWORK = "oneoff-parity-net";
const VOLUME = "oneoff-parity-data";
const WEB = "parity_web_1";
const DB = "oneoff-parity-db";
let appDir: string;

function cleanup() {
  for (const name of [WEB, `${WEB}-2`, DB]) {
    try {
      docker("rm", "-f", name);
    } catch {}
  }
  for (const args of [
    ["network", "rm", NETWORK],
    ["volume", "rm", VOLUME],
  ]) {
    try {
      docker(...args);
    } catch {}
  }
}

beforeAll(() => {
  cleanup();
  docker("network", "create", NETWORK);
  docker("volume", "create", VOLUME);
  docker("run", "--rm", "-v", `${VOLUME}:/data`, IMAGE, "sh", "-c", "echo stored-by-web > /data/state; chown -R 1000:1000 /data");
  docker("run", "-d", "--name", DB, "--network", NETWORK, "--network-alias", "db", IMAGE, "httpd", "-f", "-p", "8080", "-h", "/tmp");
  // A "long-running" web process as compose v1 would start it: compose labels, env, a user
  // network, a named volume, a non-root user and a workdir.
  docker(
    "run",
    "-d",
    "--name",
    WEB,
    "--label",
    "com.docker.compose.project=parity",
    "--label",
    "com.docker.compose.service=web",
    "--label",
    "com.example.team=payments",
    "-e",
    "DATABASE_URL=http://db:8080/",
    "-e",
    "SHOP_ENV=production",
    "-e",
    "SECRET_KEY=web-secret",
    "--network",
    NETWORK,
    "-v",
    `${VOLUME}:/data`,
    "-u",
    "app",
    "-w",
    "/home/app",
    IMAGE,
    "sleep",
    "600",
  );
  appDir = mkdtempSync(path.join(os.tmpdir(), "oneoff-parity-"));
  writeFileSync(path.join(appDir, "oneoff.yaml"), "app: parity\n");
});

afterAll(cleanup);

describe("oneoff run --from web", () => {
  it("has the same environment as the web process (minus HOSTNAME)", async () => {
    const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "env"], { cwd: appDir });
    expect(result.code).toBe(0);
    const env = (text: string) =>
      text
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("HOSTNAME="))
        .sort();
    // The web process's own environment, not a `docker exec`'s, which the engine builds anew.
    const webEnv = docker("exec", WEB, "sh", "-c", "tr '\\0' '\\n' </proc/1/environ");
    expect(env(result.stdout.toString())).toEqual(env(webEnv));
  });

  it("runs the web process's image ID, as its user and in its workdir, sees its volume and reaches its network", async () => {
    const script = "id -un; pwd; cat /data/state; echo GET / | nc -w 3 db 8080 >/dev/null && echo reached-db";
    const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", script], { cwd: appDir });
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("app\n/home/app\nstored-by-web\nreached-db\n");
    const dry = JSON.parse((await oneoffInProcess(["run", "--dry-run", "--from", "web", "--", "true"], { cwd: appDir })).stdout.toString());
    expect(dry.request.body.Image).toBe(imageId(IMAGE));
    expect(dry.request.body.Labels).toMatchObject({ "com.example.team": "payments" });
    expect(Object.keys(dry.request.body.Labels).some((label: string) => label.startsWith("com.docker.compose."))).toBe(false);
    expect(dry.provenance.user).toMatch(/^running web \(parity_web_1\)$/);
    expect(dry.request.body.Env).toContain("SECRET_KEY=<redacted>");
  });

  it("lets flags and oneoff.yaml override what it copies", async () => {
    const result = await oneoffInProcess(
      ["run", "-q", "--from", "web", "-u", "root", "-e", "SHOP_ENV=staging", "--", "sh", "-c", "id -un; echo $SHOP_ENV"],
      { cwd: appDir },
    );
    expect(result.stdout.toString()).toBe("root\nstaging\n");
  });

  it("takes a container by name with container:NAME", async () => {
    const result = await oneoffInProcess(["run", "-q", "--from", `container:${WEB}`, "--", "sh", "-c", "echo $SHOP_ENV"], { cwd: appDir });
    expect(result.stdout.toString()).toBe("production\n");
  });

  it("refuses replicas running different images (mid-deploy) unless --release picks one", async () => {
    // A second image ID: the same files under a new label, built offline from the test image.
    execFileSync("docker", ["build", "-q", "-t", "oneoff-test/parity-v2:latest", "-"], {
      input: `FROM ${IMAGE}\nLABEL parity=v2\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    docker(
      "run",
      "-d",
      "--name",
      `${WEB}-2`,
      "--label",
      "com.docker.compose.project=parity",
      "--label",
      "com.docker.compose.service=web",
      "oneoff-test/parity-v2:latest",
      "sleep",
      "600",
    );
    try {
      const refused = await oneoffInProcess(["run", "--from", "web", "--", "true"], { cwd: appDir });
      expect(refused.code).toBe(125);
      expect(refused.stderr).toMatch(
        /^oneoff: --from web: its containers run different images \((parity_web_1|parity_web_1-2) runs [0-9a-f]{12}, (parity_web_1|parity_web_1-2) runs [0-9a-f]{12}\) \(a deploy may be in progress: pick one with --release\)\n$/,
      );
      const chosen = await oneoffInProcess(["run", "-q", "--from", "web", "--release", IMAGE, "--", "true"], { cwd: appDir });
      expect(chosen.code).toBe(0);
    } finally {
      docker("rm", "-f", `${WEB}-2`);
      docker("image", "rm", "oneoff-test/parity-v2:latest");
    }
  });
});

describe("oneoff diff", () => {
  const matching = (extra = "") =>
    `app: parity\nimage: oneoff-test/busybox\nuser: app\nworkdir: /home/app\nnetwork: ${NETWORK}\nvolumes: ["${VOLUME}:/data"]\nlabels: {com.example.team: payments}\nenv:\n  DATABASE_URL: http://db:8080/\n  SHOP_ENV: production\n  SECRET_KEY: web-secret\n${extra}`;

  it("says the one-off matches the running process when it does (exit 0)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-diff-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), matching());
    const result = await oneoffInProcess(["diff", "web"], { cwd: dir });
    expect(result.stdout.toString()).toBe("");
    expect(result.stderr).toBe(`oneoff: the one-off matches ${WEB} (web)\n`);
    expect(result.code).toBe(0);
  });

  it("shows what differs (exit 1), never printing a secret's value", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-diff-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      matching()
        .replace("SHOP_ENV: production", "SHOP_ENV: staging")
        .replace("SECRET_KEY: web-secret", "SECRET_KEY: other-secret")
        .replace("user: app", "user: root"),
    );
    const result = await oneoffInProcess(["diff", "web"], { cwd: dir });
    expect(result.code).toBe(1);
    const text = result.stdout.toString();
    expect(text).toMatch(/≠\s+user\s+root\s+app/);
    expect(text).toMatch(/≠\s+env SHOP_ENV\s+staging\s+production/);
    expect(text).toMatch(/≠\s+env SECRET_KEY\s+\(secret, differs\)\s+\(secret, differs\)/);
    expect(text).not.toMatch(/web-secret|other-secret/);
    expect(text).not.toMatch(/\benv DATABASE_URL\b/);
    const json = documentOf<{ same: boolean; rows: Array<{ same: boolean; what: string }> }>(
      "diff",
      (await oneoffInProcess(["diff", "--json", "web"], { cwd: dir })).stdout,
    );
    expect(json.same).toBe(false);
    expect(
      json.rows
        .filter((row: { same: boolean }) => !row.same)
        .map((row: { what: string }) => row.what)
        .sort(),
    ).toEqual(["env SECRET_KEY", "env SHOP_ENV", "user"]);
  });
  it("compares the image, workdir, networks and mounts too, and --all shows the rows that match", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-diff-"));
    const other = `${VOLUME}-other`;
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      matching()
        .replace("workdir: /home/app", "workdir: /tmp")
        .replace(`network: ${NETWORK}`, "network: bridge")
        .replace(`volumes: ["${VOLUME}:/data"]`, `volumes: ["${other}:/data:ro"]`),
    );
    execFileSync("docker", ["build", "-q", "-t", "oneoff-test/parity-diff:latest", "-"], {
      input: `FROM ${IMAGE}\nLABEL diff=yes\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    try {
      const json = documentOf<{ rows: Array<{ what: string; oneOff: string; running: string; same: boolean }> }>(
        "diff",
        (await oneoffInProcess(["diff", "--json", "--release", "oneoff-test/parity-diff:latest", "web"], { cwd: dir })).stdout,
      );
      const row = (what: string) => json.rows.find((entry) => entry.what === what);
      expect(row("image")).toMatchObject({ same: false, oneOff: imageId("oneoff-test/parity-diff:latest"), running: imageId(IMAGE) });
      expect(row("workdir")).toMatchObject({ same: false, oneOff: "/tmp", running: "/home/app" });
      // --network is a row of the table: named as the flag; the default bridge (network: bridge) is no network of its own.
      expect(row("network")).toMatchObject({ same: false, oneOff: "", running: NETWORK });
      // -v and --mount are a row too (volume): each mount as source:target:options, however it was written.
      expect(row("volume")).toMatchObject({ same: false, oneOff: `${other}:/data:ro`, running: `${VOLUME}:/data` });
      // --label is a row too: the one-off's image's labels under its own, against web's (compose's left out).
      expect(row("label")).toMatchObject({ same: false, oneOff: expect.stringContaining("diff=yes") });
      expect(row("label")?.running).toContain("com.example.team=payments");
      expect(row("label")?.running).not.toContain("diff=yes");
      expect(row("label")?.running).not.toContain("com.docker.compose");
      const all = await oneoffInProcess(["diff", "--all", "--release", "oneoff-test/parity-diff:latest", "web"], { cwd: dir });
      expect(all.code).toBe(1);
      expect(all.stdout.toString()).toMatch(/^=\s+user\s+app\s+app$/m);
      expect(all.stdout.toString()).toMatch(/^≠\s+workdir\s+\/tmp\s+\/home\/app$/m);
      const differing = await oneoffInProcess(["diff", "--release", "oneoff-test/parity-diff:latest", "web"], { cwd: dir });
      expect(differing.stdout.toString()).not.toMatch(/^=/m);
    } finally {
      docker("image", "rm", "oneoff-test/parity-diff:latest");
    }
  });
});

describe("--from copies the runtime settings of the running process", () => {
  const APP = `runtime${Date.now()}`;
  const RUNNING = `${APP}-web`;
  /**
   * The runtime settings of process PID as the kernel holds them, and of its container, one line
   * each. Read from /proc, never from the reading process's own limits: in the web container that
   * process is a `docker exec`, and what an exec'd process gets is the engine's doing, not the
   * container's (runc 1.1 built with Go 1.19+ sometimes gives it a soft nofile limit raised to the
   * hard one: opencontainers/runc#4195).
   */
  const probe = (pid: string) =>
    [
      "cat /proc/1/comm",
      "grep -q ' /scratch tmpfs' /proc/mounts && echo scratch-tmpfs || echo no-scratch",
      `awk '/^Max open files/ {print $4}' /proc/${pid}/limits`,
      `awk '/^Max open files/ {print $5}' /proc/${pid}/limits`,
      "df -k /dev/shm | tail -n 1 | awk '{print $2}'",
      `grep ^Groups: /proc/${pid}/status`,
      `grep ^CapEff: /proc/${pid}/status`,
      "touch /probe 2>/dev/null && echo root-writable || echo root-read-only",
    ].join("; ");
  afterAll(() => {
    try {
      docker("rm", "-f", RUNNING);
    } catch {}
  });

  beforeAll(() => {
    docker(
      "run",
      "-d",
      "--name",
      RUNNING,
      "--label",
      "io.oneoff.process=web",
      "--label",
      `io.oneoff.app=${APP}`,
      "--init",
      "--cap-add",
      "NET_ADMIN",
      "--tmpfs",
      "/scratch",
      "--ulimit",
      "nofile=1024:2048",
      "--shm-size",
      "96m",
      "--group-add",
      "123",
      "--read-only",
      "--stop-timeout",
      "25",
      IMAGE,
      "sleep",
      "600",
    );
  });

  it("reads the web's stop timeout back with --from container:NAME: the one-off's StopTimeout and its docker run line", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-stop-timeout-"));
    const result = await oneoffInProcess(["run", "--dry-run", "--from", `container:${RUNNING}`, "--", "true"], { cwd: dir });
    expect(result.code).toBe(0);
    const printed = result.stdout.toString();
    expect(printed).toMatch(/"StopTimeout": ?25\b/);
    expect(printed).toMatch(/ --stop-timeout 25 /);
  });

  it("gives the one-off the web's init, capabilities, tmpfs, ulimits, shm size, groups and read-only root, as seen from inside both", async () => {
    // The web's process (its PID 1, the init it was started with) against the one-off's command.
    const inWeb = execFileSync("docker", ["exec", RUNNING, "sh", "-c", probe("1")], { encoding: "utf8" });
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-runtime-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${APP}\n`);
    const oneOff = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", probe("$$")], { cwd: dir });
    expect(oneOff.stderr).toBe("");
    expect(oneOff.code).toBe(0);
    const lines = oneOff.stdout.toString().split("\n");
    expect(lines.slice(0, 7)).toEqual(inWeb.split("\n").slice(0, 7));
    // Its PID 1 is the init (docker-init), not the command; /proc/1/comm in web says the same.
    expect(lines[0]).toBe("docker-init");
    expect(lines.slice(1, 6)).toEqual(["scratch-tmpfs", "1024", "2048", String(96 * 1024), expect.stringMatching(/\b123\b/)]);
    expect(lines[7]).toBe("root-read-only");
    // Without --from the same command gets none of it.
    const plain = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "sh", "-c", probe("$$")], { cwd: dir });
    const plainLines = plain.stdout.toString().split("\n");
    expect(plainLines[0]).not.toBe("docker-init");
    expect(plainLines[6]).not.toBe(lines[6]);
  });

  it("diff names each runtime setting a one-off from oneoff.yaml lacks", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-runtime-diff-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${APP}\nrelease: ${IMAGE}\n`);
    const result = await oneoffInProcess(["diff", "--json", "web"], { cwd: dir });
    expect(result.code).toBe(1);
    const rows = documentOf<{ rows: Array<{ what: string; oneOff: string; running: string; same: boolean }> }>("diff", result.stdout).rows;
    expect(rows.filter((row) => !row.same && !row.what.startsWith("env ")).map((row) => [row.what, row.oneOff, row.running])).toEqual([
      ["init", "", "yes"],
      ["read-only", "", "yes"],
      ["cap-add", "", "NET_ADMIN"],
      ["tmpfs", "", "/scratch"],
      ["ulimit", "", "nofile=1024:2048"],
      ["shm-size", "", "96m"],
      ["group-add", "", "123"],
      ["stop-timeout", "", "25"],
    ]);
  });
});

describe("oneoff diff compares effective values", () => {
  const APP = `effective${Date.now()}`;
  const BUILT = "oneoff-test/parity-user-workdir:latest";
  const RUNNING = `${APP}-web`;
  afterAll(() => {
    for (const args of [
      ["rm", "-f", RUNNING],
      ["image", "rm", BUILT],
    ])
      try {
        docker(...args);
      } catch {}
  });

  it("counts the image's USER and WORKDIR for a one-off that leaves them in place: no difference (exit 0)", async () => {
    execFileSync("docker", ["build", "-q", "-t", BUILT, "-"], {
      input: `FROM ${IMAGE}\nUSER nobody\nWORKDIR /srv/app\n`,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    docker(
      "run",
      "-d",
      "--name",
      RUNNING,
      "--label",
      "io.oneoff.process=web",
      "--label",
      `io.oneoff.app=${APP}`,
      "-e",
      "MODE=live",
      BUILT,
      "sleep",
      "600",
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-diff-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      `app: ${APP}\nimage: oneoff-test/parity-user-workdir\nrelease: latest\nenv:\n  MODE: live\n`,
    );
    const result = await oneoffInProcess(["diff", "--all", "web"], { cwd: dir });
    expect(result.stdout.toString()).toMatch(/^=\s+user\s+nobody\s+nobody$/m);
    expect(result.stdout.toString()).toMatch(/^=\s+workdir\s+\/srv\/app\s+\/srv\/app$/m);
    expect(result.stdout.toString()).not.toMatch(/^≠/m);
    expect(result.code).toBe(0);
  });

  it("says in one line that nothing describes a one-off where there is no oneoff.yaml and no --release", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-diff-empty-"));
    const result = await oneoffInProcess(["diff", "web"], { cwd: dir, env: { ONEOFF_RELEASE: undefined } });
    expect(result.stdout.toString()).toBe("");
    expect(result.stderr).toBe(
      `oneoff: nothing here describes a one-off to compare with web: no oneoff.yaml in ${dir} or above, and no --release (run oneoff diff in the app's directory, pass --config FILE, or --release IMAGE to compare that image)\n`,
    );
    expect(result.code).toBe(125);
  });
});

describe("Procfile", () => {
  it("makes process types tasks (oneoff.yaml wins on a name), lists them, and its release is the release task", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-procfile-"));
    writeFileSync(path.join(dir, "Procfile"), "web: httpd -f -p 8080\nrelease: echo migrating $((6*7))\nworker: echo from-procfile\n");
    const appName = `pf${Date.now()}`;
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${appName}\nimage: oneoff-test/busybox\ntasks:\n  worker: [echo, from-yaml]\n`);
    const listed = documentOf<{ tasks: Array<{ name: string; source: string; releaseTask?: boolean }> }>(
      "tasks",
      (await oneoffInProcess(["tasks", "--json"], { cwd: dir })).stdout,
    ).tasks;
    expect(listed.map((task) => [task.name, task.source, task.releaseTask ?? false])).toEqual([
      ["worker", "oneoff.yaml:4:3", false],
      ["web", "Procfile:1", false],
      ["release", "Procfile:2", true],
    ]);
    expect((await oneoffInProcess(["run", "-q", "worker"], { cwd: dir })).stdout.toString()).toBe("from-yaml\n");
    const release = await oneoffInProcess(["release", "-q"], { cwd: dir });
    expect(release.stdout.toString()).toBe("migrating 42\n");
    expect(release.code).toBe(0);
    for (const volume of docker("volume", "ls", "-q", "--filter", `label=io.oneoff.ledger.app=${appName}`).split("\n").filter(Boolean))
      docker("volume", "rm", volume);
  });

  it("gives a process type the words after --, each as written, and a string task the same", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-procfile-args-"));
    writeFileSync(path.join(dir, "Procfile"), "worker: echo worker\nshow: printf '[%s]' worker\n");
    writeFileSync(path.join(dir, "oneoff.yaml"), "image: oneoff-test/busybox\ntasks:\n  greet: echo hello\n");
    const words = ["a", "b", "two words", "$HOME;echo injected"];
    const worker = await oneoffInProcess(["run", "-q", "worker", "--", ...words], { cwd: dir });
    expect(worker.stderr).toBe("");
    expect(worker.stdout.toString()).toBe("worker a b two words $HOME;echo injected\n");
    expect(worker.code).toBe(0);
    // printf shows where each word begins and ends: "two words" is one, $ and ; arrive literally.
    const show = await oneoffInProcess(["run", "-q", "show", "--", ...words], { cwd: dir });
    expect(show.stdout.toString()).toBe("[worker][a][b][two words][$HOME;echo injected]");
    const greet = await oneoffInProcess(["run", "-q", "greet", "--", ...words], { cwd: dir });
    expect(greet.stdout.toString()).toBe("hello a b two words $HOME;echo injected\n");
    expect(greet.code).toBe(0);
  });
});

describe("--compose / --service", () => {
  it("runs with a compose service's image, environment, env_file, network and volume, under compose's names", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-compose-"));
    // The names compose gives them for project "ctest": ctest_default, ctest_data.
    for (const args of [
      ["network", "create", "ctest_default"],
      ["volume", "create", "ctest_data"],
    ]) {
      try {
        docker(...args);
      } catch {}
    }
    docker("run", "--rm", "-v", "ctest_data:/data", IMAGE, "sh", "-c", "echo compose-volume > /data/f");
    docker(
      "run",
      "-d",
      "--name",
      "ctest-db",
      "--network",
      "ctest_default",
      "--network-alias",
      "db",
      IMAGE,
      "httpd",
      "-f",
      "-p",
      "8080",
      "-h",
      "/tmp",
    );
    try {
      writeFileSync(path.join(dir, ".env"), "TAG=latest\n");
      writeFileSync(path.join(dir, "web.env"), "FROM_ENV_FILE=yes\n");
      writeFileSync(
        path.join(dir, "compose.yaml"),
        "name: ctest\nservices:\n  web:\n    image: oneoff-test/busybox:${TAG}\n    command: httpd -f\n    ports: ['8080:8080']\n    environment: {SHOP_ENV: production}\n    env_file: web.env\n    volumes: ['data:/data']\n    working_dir: /tmp\nvolumes:\n  data: {}\n",
      );
      const script = "echo $SHOP_ENV $FROM_ENV_FILE; pwd; cat /data/f; echo GET / | nc -w 3 db 8080 >/dev/null && echo reached-db";
      const result = await oneoffInProcess(["run", "-q", "--service", "web", "--", "sh", "-c", script], { cwd: dir });
      expect(result.stderr).toBe("");
      expect(result.stdout.toString()).toBe("production yes\n/tmp\ncompose-volume\nreached-db\n");
      expect(result.code).toBe(0);
    } finally {
      docker("rm", "-f", "ctest-db");
      docker("network", "rm", "ctest_default");
      docker("volume", "rm", "ctest_data");
    }
  });
});
