/**
 * The Swarm engine against a real single-node swarm (test/setup/swarm.sh): a long-running
 * service with env, a secret and an attachable overlay network; one-offs run as jobs copied
 * from it. After every test no job service and no job container of oneoff is left.
 *
 * oneoff runs in this process (oneoffInProcess) but where its process is what the test is
 * about: the job it ends when that process is sent SIGTERM or SIGKILL (the watchdog), the lock
 * waiter killed with SIGKILL, and -it on a terminal (a tmux pane running bin/oneoff.js).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  FILE_RUN_LABEL,
  BIN,
  docker,
  eventually,
  expectNoLeftovers,
  IMAGE,
  jobServices,
  oneoff,
  ownerLabel,
  until,
  waitForOutput,
} from "./helpers.js";
import { oneoffInProcess, type InProcessOptions } from "./in-process.js";
import { documentOf, oneOffsOf } from "./json-schemas.js";
import { Labels } from "../../src/requests/labels.js";
import { TerminalSession } from "./tmux.js";

expectNoLeftovers();

const tag = randomBytes(3).toString("hex");
const WEB = `oneoff-it-web-${tag}`;
const NETWORK = `oneoff-it-net-${tag}`;
const SECRET = `oneoff_it_secret_${tag}`;
const SECRET_VALUE = `s3cret-${randomBytes(8).toString("hex")}`;
const CONFIG = `oneoff_it_config_${tag}`;
const STACK = `oneoffstack${tag}`;
const auditLog = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-audit-")), "audit.jsonl");
// Jobs stay on the manager, the engine oneoff talks to (a worker may have joined: see
// swarm-worker.test.ts for jobs placed elsewhere); -q: a second node adds a note on stderr.
// In this process unless the test signals oneoff (onSpawn): what a job does is under test
// here, not oneoff's process, and a Node started per job was CPU the engine's work waited on.
// onStart watches an in-process run's output as it comes.
const swarm = (args: string[], options: Parameters<typeof oneoff>[1] & Pick<InProcessOptions, "onStart"> = {}) => {
  const run = options.onSpawn ? oneoff : oneoffInProcess;
  return run(["run", "-q", "--engine", "swarm", "--constraint", "node.role==manager", ...args], {
    ...options,
    env: { ONEOFF_AUDIT_LOG: auditLog, ...options.env },
  });
};

/** This file's job containers (any state): they carry the job's labels, the file's run label among them. */
function jobContainers(): string[] {
  return docker("ps", "-aq", "--filter", `label=${Labels.job}`, "--filter", `label=${FILE_RUN_LABEL}`).split("\n").filter(Boolean);
}

afterEach(() => {
  const services = jobServices();
  const containers = jobContainers();
  if (services.length) docker("service", "rm", ...services);
  if (containers.length) docker("rm", "-f", ...containers);
  expect({ services, containers }, "job services or their containers left behind").toEqual({ services: [], containers: [] });
});

beforeAll(async () => {
  execIgnoringFailure(() => docker("secret", "rm", SECRET));
  writeFileSync(path.join(os.tmpdir(), `${SECRET}.txt`), SECRET_VALUE);
  docker("secret", "create", SECRET, path.join(os.tmpdir(), `${SECRET}.txt`));
  writeFileSync(path.join(os.tmpdir(), `${CONFIG}.txt`), "level=debug\n");
  docker("config", "create", CONFIG, path.join(os.tmpdir(), `${CONFIG}.txt`));
  docker("network", "create", "--driver", "overlay", "--attachable", NETWORK);
  // dnsrr: service VIPs do not route on this kernel (no IPVS); the name resolves to the task.
  docker(
    "service",
    "create",
    "--detach",
    "--name",
    WEB,
    "--network",
    NETWORK,
    "--endpoint-mode",
    "dnsrr",
    "--secret",
    SECRET,
    "--config",
    `source=${CONFIG},target=/etc/app.conf`,
    "--env",
    "APP_ENV=production",
    "--env",
    "APP_LEVEL=7",
    "--user",
    "1000:1000",
    "--workdir",
    "/tmp",
    "--label",
    "com.example.team=shop",
    "--container-label",
    "com.example.role=web",
    "--constraint",
    "node.role==manager",
    IMAGE,
    "sh",
    "-c",
    "while true; do printf 'HTTP/1.0 200 OK\\r\\n\\r\\nhello from web\\n' | nc -l -p 8080; done",
  );
  await eventually(
    () =>
      docker("service", "ps", WEB, "--filter", "desired-state=running", "--format", "{{.CurrentState}}").startsWith("Running")
        ? true
        : undefined,
    30_000,
  );
}, 60_000);

afterAll(() => {
  execIgnoringFailure(() => docker("service", "rm", WEB));
  // The service's task container goes in Swarm's own time (and may still be stopping when
  // first listed); the network waits for it.
  for (let attempt = 0; attempt < 40; attempt++) {
    const containers = docker("ps", "-aq", "--filter", `label=com.docker.swarm.service.name=${WEB}`).split("\n").filter(Boolean);
    if (containers.length === 0) break;
    execIgnoringFailure(() => docker("rm", "-f", ...containers));
    execSleep(250);
  }
  execIgnoringFailure(() => docker("secret", "rm", SECRET));
  execIgnoringFailure(() => docker("config", "rm", CONFIG));
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      docker("network", "rm", NETWORK);
      break;
    } catch {
      execSleep(250);
    }
  }
});

function execIgnoringFailure(action: () => unknown): void {
  try {
    action();
  } catch {
    // already gone
  }
}

function execSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One job copied from WEB with nothing overridden, read by the three tests that each check one
 * thing it got (env, secret, user and workdir; the config file; the overlay network), each
 * under its own name: a job's start is most of such a test's time. Its output in sections; what
 * the config and network parts say on stderr goes into their own sections, so that the settings
 * test's empty stderr is about its own part only.
 */
let jobFromWeb: ReturnType<typeof swarm> | undefined;
async function fromWeb(section: "settings" | "config" | "network"): Promise<{ section: string; stderr: string; code: number | null }> {
  jobFromWeb ??= swarm([
    "--from",
    WEB,
    "--",
    "sh",
    "-c",
    `echo $APP_ENV $APP_LEVEL; cat /run/secrets/${SECRET}; echo; id -u; pwd; echo '#config'; cat /etc/app.conf 2>&1; echo '#network'; nc -w 5 ${WEB} 8080 </dev/null 2>&1 | tail -n 1`,
  ]);
  const result = await jobFromWeb;
  const [settings, rest = ""] = result.stdout.toString().split("#config\n");
  const [config, network = ""] = rest.split("#network\n");
  return { section: { settings, config, network }[section] as string, stderr: result.stderr, code: result.code };
}

describe("oneoff run --engine swarm --from SERVICE", () => {
  it("runs the job with the service's env, secret file, user and workdir", async () => {
    const result = await fromWeb("settings");
    expect(result.stderr).toBe("");
    expect(result.section).toBe(`production 7\n${SECRET_VALUE}\n1000\n/tmp\n`);
    expect(result.code).toBe(0);
  });

  it("copies the service's configs to the same targets", async () => {
    const result = await fromWeb("config");
    expect(result.section).toBe("level=debug\n");
    expect(result.code).toBe(0);
  });

  it("finds a stack's service by its short name when app: is the stack (docker stack deploy names it STACK_NAME)", async () => {
    const stacked = `${STACK}_web`;
    docker(
      "service",
      "create",
      "--detach",
      "--name",
      stacked,
      "--label",
      `com.docker.stack.namespace=${STACK}`,
      "--env",
      "FROM_STACK=yes",
      "--constraint",
      "node.role==manager",
      IMAGE,
      "sleep",
      "600",
    );
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-stack-"));
      writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${STACK}\nengine: swarm\nconstraints: [node.role==manager]\n`);
      const byApp = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", "echo $FROM_STACK"], { cwd: dir });
      expect(byApp.stdout.toString()).toBe("yes\n");
      // Without app: naming the stack, the one stack that has a service "web" is used.
      const alone = await swarm(["--from", "web", "--", "sh", "-c", "echo $FROM_STACK"]);
      expect(alone.stdout.toString()).toBe("yes\n");
    } finally {
      docker("service", "rm", stacked);
      for (const container of docker("ps", "-aq", "--filter", `label=com.docker.swarm.service.name=${stacked}`).split("\n").filter(Boolean))
        execIgnoringFailure(() => docker("rm", "-f", container));
    }
  });

  it("reaches the service over the overlay network by its name", async () => {
    const result = await fromWeb("network");
    expect(result.section).toBe("hello from web\n");
    expect(result.code).toBe(0);
  });

  it("lets flags override the service's settings", async () => {
    const result = await swarm([
      "--from",
      WEB,
      "-e",
      "APP_ENV=staging",
      "-u",
      "0",
      "-w",
      "/",
      "--",
      "sh",
      "-c",
      "echo $APP_ENV $APP_LEVEL; id -u; pwd",
    ]);
    expect(result.stdout.toString()).toBe("staging 7\n0\n/\n");
  });

  it("carries the service's DNS search domains and options, which a job does not inherit as fields", async () => {
    // No replica: --from reads the service's spec only. Nothing in the job resolves a name, so
    // the search domain sends no query anywhere.
    const dnsService = `oneoff-it-dns-${tag}`;
    docker(
      "service",
      "create",
      "--detach",
      "--replicas",
      "0",
      "--name",
      dnsService,
      "--dns-search",
      "oneoff.test",
      "--dns-option",
      "timeout:2",
      IMAGE,
      "true",
    );
    try {
      const result = await swarm(["--from", dnsService, "--", "cat", "/etc/resolv.conf"]);
      expect(result.code).toBe(0);
      const lines = result.stdout.toString().split("\n");
      expect(lines).toContain("search oneoff.test");
      expect(lines.find((line) => line.startsWith("options"))?.split(" ")).toContain("timeout:2");
    } finally {
      execIgnoringFailure(() => docker("service", "rm", dnsService));
    }
  });

  it("prints the service create request for --dry-run: a replicated job copying the service, secret values redacted", async () => {
    const result = await swarm(["--from", WEB, "--dry-run", "-e", "API_TOKEN=planted-token-value", "--", "echo", "hi"]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout.toString()) as {
      runsAs: string;
      request: {
        path: string;
        body: {
          Mode: unknown;
          TaskTemplate: {
            RestartPolicy: unknown;
            ContainerSpec: { Secrets: Array<{ SecretName: string }>; Env: string[]; Args: string[] };
          };
        };
      };
    };
    expect(document.runsAs).toBe("swarm job");
    expect(document.request.path).toBe("/services/create");
    expect(document.request.body.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(document.request.body.TaskTemplate.RestartPolicy).toEqual({ Condition: "none" });
    expect(document.request.body.TaskTemplate.ContainerSpec.Secrets.map((secret) => secret.SecretName)).toEqual([SECRET]);
    expect(document.request.body.TaskTemplate.ContainerSpec.Args).toEqual(["echo", "hi"]);
    expect(document.request.body.TaskTemplate.ContainerSpec.Env).toContain("APP_ENV=production");
    expect(result.stdout.toString()).not.toContain("planted-token-value");
    expect(jobServices()).toEqual([]);
  });

  it("says so in one line when there is no such service", async () => {
    const result = await swarm(["--from", `no-such-service-${tag}`, "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      `oneoff: --from no-such-service-${tag}: no service no-such-service-${tag} on the swarm at unix:///var/run/docker.sock (check the name with docker service ls)\n`,
    );
  });
});

describe("exit codes and output", () => {
  it.each([0, 3, 255])("passes exit code %i through, read from the task's status", async (code) => {
    const result = await swarm(["--release", IMAGE, "--", "sh", "-c", `exit ${code}`]);
    expect(result.code).toBe(code);
  });

  it("exits 127 with one line when the command is not in the image", async () => {
    const result = await swarm(["--release", IMAGE, "--", "no-such-command"]);
    expect(result.code).toBe(127);
    expect(result.stderr).toBe(
      'oneoff: command "no-such-command" not found in the image (check the command, and that the release image has it on its PATH)\n',
    );
  });

  it("delivers 10,000 stdout and 10,000 stderr lines complete and apart", async () => {
    const script = "i=1; while [ $i -le 10000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done";
    const result = await swarm(["-q", "--release", IMAGE, "--", "sh", "-c", script]);
    const expected = (prefix: string) => Array.from({ length: 10000 }, (_, i) => `${prefix}${i + 1}\n`).join("");
    expect(result.stdout.toString()).toBe(expected("out"));
    expect(result.stderr).toBe(expected("err"));
    expect(result.code).toBe(0);
  });

  it("reports the job in --json as its service's id, of kind job, with the time from create to exit code seen", async () => {
    const result = await swarm(["--json", "--release", IMAGE, "--", "sh", "-c", "echo hi; exit 4"]);
    const document = documentOf<{ id: string; kind: string; exitCode: number; job: { serviceId: string; createToExitMs: number } }>(
      "run",
      result.stdout,
    );
    expect(document.exitCode).toBe(4);
    expect(document.kind).toBe("job");
    expect(document.job.serviceId).toMatch(/^[a-z0-9]{25}$/);
    expect(document.id).toBe(document.job.serviceId);
    expect(document.job.createToExitMs).toBeGreaterThan(0);
    expect(result.code).toBe(4);
  });

  it("leaves a record of the job on the manager it was created through, which history reads back as a job's, with its recorded session", async () => {
    const result = await swarm(["--record", "--release", IMAGE, "--", "sh", "-c", "echo job-out; echo job-err >&2; exit 6"]);
    expect(result.code).toBe(6);
    const lines = readFileSync(auditLog, "utf8").trim().split("\n");
    const end = JSON.parse(lines[lines.length - 1] as string) as { runId: string; app: string };
    const labels = JSON.parse(docker("volume", "inspect", "-f", "{{json .Labels}}", `oneoff-record-${end.runId}`)) as Record<
      string,
      string
    >;
    expect(labels).toMatchObject({
      "io.oneoff.record": "end",
      "io.oneoff.record.kind": "job",
      "io.oneoff.record.exit-code": "6",
      "io.oneoff.record.ending": "exited",
    });
    const history = await oneoffInProcess(["history", "--app", end.app, "-n", "1000", "--json"], {
      env: { ONEOFF_AUDIT_LOG: path.join(os.tmpdir(), "none.jsonl") },
    });
    const entries = documentOf<{ entries: Array<{ runId: string; kind: string; exitCode: number; source: string }> }>(
      "history",
      history.stdout,
    ).entries;
    expect(entries.find((entry) => entry.runId === end.runId)).toMatchObject({ kind: "job", exitCode: 6, source: "engine" });
    // The job's session (its output through the service's log) was recorded on the manager too.
    try {
      const replay = await oneoffInProcess(["replay", end.runId, "--all-apps", "--speed", "1000"]);
      expect(replay.stdout.toString()).toBe("job-out\n");
      expect(replay.stderr).toBe("job-err\n");
    } finally {
      docker("volume", "rm", "-f", `oneoff-recording-${end.runId}`);
    }
  });

  it("refuses -i without -t in one line: Swarm cannot close a job's stdin", async () => {
    const result = await swarm(["-i", "--release", IMAGE, "--", "cat"], { input: "x" });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: -i without -t cannot run as a Swarm job/);
  });

  it("refuses a placement no node satisfies, in one line, leaving nothing", async () => {
    const result = await swarm(["--constraint", "node.hostname==no-such-node", "--release", IMAGE, "--", "true"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: no swarm node can run the job: no suitable node/);
  });
});

describe("job names", () => {
  /** Runs a detached job from `dir`, returns its service's name and app label, then removes it. */
  async function detachedJob(dir: string, extra: string[] = []) {
    const started = await swarm(["-d", "--keep-for", "1m", "--release", IMAGE, ...extra, "--", "sh", "-c", "echo ran"], { cwd: dir });
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      const [name, app] = docker("service", "inspect", "--format", '{{.Spec.Name}}|{{index .Spec.Labels "io.oneoff.app"}}', id).split("|");
      const waited = await oneoffInProcess(["wait", id]);
      expect(waited.code).toBe(0);
      expect((await oneoffInProcess(["logs", id])).stdout.toString()).toBe("ran\n");
      return { name: name as string, app: app as string };
    } finally {
      docker("service", "rm", id);
      for (const container of docker("ps", "-aq", "--filter", `label=com.docker.swarm.service.id=${id}`).split("\n").filter(Boolean))
        execIgnoringFailure(() => docker("rm", "-f", container));
    }
  }
  const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

  it.each([
    ["dots", `example.com.${tag}`, new RegExp(`^example-com-${tag}-[0-9a-f]{6}-run-[0-9a-f]{6}$`)],
    ["capitals", `MyApp${tag}`, new RegExp(`^myapp${tag}-[0-9a-f]{6}-run-[0-9a-f]{6}$`)],
    ["underscores", `my_app_${tag}`, new RegExp(`^my-app-${tag}-[0-9a-f]{6}-run-[0-9a-f]{6}$`)],
    ["80 characters", `a${tag}.${"b".repeat(72)}`, new RegExp(`^a${tag}-b+-[0-9a-f]{6}-run-[0-9a-f]{6}$`)],
  ])("runs a job for an app whose name has %s, under a DNS-label name; the app label keeps the name", async (_, app, shape) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-name-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: ${app}\n`);
    const job = await detachedJob(dir);
    expect(job.app).toBe(app);
    expect(job.name).toMatch(shape);
    expect(job.name).toMatch(DNS_LABEL);
    expect(job.name.length).toBeLessThanOrEqual(63);
  });

  it("names a job after a folder named My.App_v2 that has no oneoff.yaml, and a lock's job too", async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-folder.")), "My.App_v2");
    mkdirSync(dir);
    const job = await detachedJob(dir);
    expect(job).toEqual({ name: expect.stringMatching(/^my-app-v2-[0-9a-f]{6}-run-[0-9a-f]{6}$/), app: "My.App_v2" });
    const locked = await swarm(["--release", IMAGE, "--lock", "db.Migrate", "--json", "--", "true"], { cwd: dir });
    expect(locked.code).toBe(0);
    const name = documentOf<{ name: string }>("run", locked.stdout).name;
    expect(name).toMatch(/^my-app-v2-[0-9a-f]{6}-lock-db-migrate-[0-9a-f]{6}$/);
  });
});

describe("stopping a job", () => {
  it("forwards SIGTERM to the job's task and removes the job", async () => {
    const result = await swarm(["--release", IMAGE, "--", "sh", "-c", "trap 'echo got-term; exit 0' TERM; echo ready; sleep 30 & wait"], {
      onSpawn: (child) => void waitForOutput(child, (text) => text.includes("ready")).then(() => child.kill("SIGTERM")),
    });
    expect(result.stdout.toString()).toBe("ready\ngot-term\n");
    expect(result.code).toBe(0);
  });

  it("stops a job past --timeout: exit 124", async () => {
    // sleep 300: a job not stopped outlives the test's own timeout, which is the failure.
    const result = await swarm(["--timeout", "1s", "--stop-timeout", "1", "--release", IMAGE, "--", "sh", "-c", "echo started; sleep 300"]);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(/timed out after 1s/);
  });

  it("removes the job when oneoff is SIGKILLed (the watchdog)", async () => {
    let servicesWhenKilled = 0;
    const killed = await swarm(["--release", IMAGE, "--", "sh", "-c", "echo ready; sleep 60"], {
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("ready")).then(() => {
          // The job ran (its output came through) and its service is there when oneoff dies.
          servicesWhenKilled = jobServices().length;
          child.kill("SIGKILL");
        }),
    });
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout.toString()).toBe("ready\n");
    expect(servicesWhenKilled).toBe(1);
    await eventually(() => (jobServices().length === 0 ? true : undefined), 10_000);
    await eventually(() => (jobContainers().length === 0 ? true : undefined), 10_000);
  });
});

describe("locks, detach, ps, logs, wait, audit", () => {
  it("lets only one of two jobs holding the same lock run", async () => {
    // 6 s: the second oneoff must start and be refused meanwhile, on a machine other files load.
    const first = swarm(["--lock", "migrate", "--release", IMAGE, "--", "sh", "-c", "echo first; sleep 6"]);
    await eventually(() => (jobServices().length ? true : undefined));
    const second = await swarm(["--lock", "migrate", "--release", IMAGE, "--", "echo", "second"]);
    expect(second.code).toBe(125);
    expect(second.stderr).toMatch(/lock migrate is held by a one-off started by \S+ at \S+, job service \S+-lock-migrate/);
    expect((await first).code).toBe(0);
  });

  it("is not harmed when a job waiting for its lock is killed (SIGKILL): the waiter's watchdog removes only its own run's job", async () => {
    let waiter: Promise<Awaited<ReturnType<typeof oneoff>>> | undefined;
    const holder = swarm(["--lock", "wl", "--release", IMAGE, "--", "sh", "-c", "echo holding; sleep 8; echo holder-done"], {
      onStart: (live) =>
        void waitForOutput(live, (text) => text.includes("holding"), 60_000).then(() => {
          // Not quiet: the waiter's "waiting for lock" line is the moment to kill it.
          waiter = oneoff(
            [
              "run",
              "--engine",
              "swarm",
              "--constraint",
              "node.role==manager",
              "--lock",
              "wl",
              "--wait-lock",
              "60s",
              "--release",
              IMAGE,
              "--",
              "true",
            ],
            {
              env: { ONEOFF_AUDIT_LOG: auditLog },
              onSpawn: (waiting) => {
                let killed = false;
                waiting.stderr?.on("data", (chunk: Buffer) => {
                  if (!killed && chunk.toString().includes("waiting for lock wl")) {
                    killed = true;
                    waiting.kill("SIGKILL");
                  }
                });
              },
            },
          );
        }),
    });
    const held = await holder;
    const killed = await await eventually(() => waiter);
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stderr).toMatch(/waiting for lock wl, held by/);
    expect(held.stdout.toString()).toBe("holding\nholder-done\n");
    expect(held.code).toBe(0);
  }, 90_000);

  it("starts a detached job that ps, logs, wait and cleanup know", async () => {
    // The job ends when the test says so (a file in a bound folder), not after a sleep: ps
    // without --all lists only jobs that have not ended, and under load a second could pass
    // before ps ran (seen in CI at load average 12).
    const gate = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-gate-"));
    const started = await swarm([
      "-d",
      "--keep-for",
      "1s",
      "-v",
      `${gate}:/gate`,
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "echo to-out; echo to-err >&2; until [ -e /gate/go ]; do sleep 0.1; done; exit 6",
    ]);
    const id = started.stdout.toString().trim();
    expect(started.code).toBe(0);
    const listed = oneOffsOf<{ id: string; state: string }>((await oneoffInProcess(["ps", "--all-apps", "--json"])).stdout);
    expect(listed.find((entry) => entry.id === id)?.state).toMatch(/^job /);
    writeFileSync(path.join(gate, "go"), "");
    const waited = await oneoffInProcess(["wait", id]);
    // Its stderr as the message: what wait said, should it not print the exit code.
    expect(waited.stdout.toString(), `oneoff wait said: ${waited.stderr}`).toBe("6\n");
    expect(waited.code).toBe(6);
    const logs = await oneoffInProcess(["logs", id]);
    expect(logs.stdout.toString()).toBe("to-out\n");
    expect(logs.stderr).toBe("to-err\n");
    // Its keep time runs from when its task ended: cleanup's dry run names it once that has passed.
    await until(async () => ((await oneoffInProcess(["cleanup", "--dry-run"])).stderr.includes(id.slice(0, 12)) ? true : undefined));
    const cleaned = await oneoffInProcess(["cleanup"]);
    expect(cleaned.code).toBe(0);
    expect(jobServices()).toEqual([]);
  });

  it("runs the release task once per release as a job, recorded in the ledger", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-release-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      `app: swarmrel${tag}\nimage: oneoff-test/busybox\nrelease: latest\nengine: swarm\nconstraints: [node.role==manager]\ntasks:\n  release: [sh, -c, 'echo migrating; exit 0']\n`,
    );
    const first = await oneoffInProcess(["release"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: auditLog } });
    expect(first.stdout.toString()).toBe("migrating\n");
    expect(first.code).toBe(0);
    const second = await oneoffInProcess(["release"], { cwd: dir, env: { ONEOFF_AUDIT_LOG: auditLog } });
    expect(second.stdout.toString()).toBe("");
    expect(second.stderr).toMatch(/release task release already succeeded for release [0-9a-f]{12}/);
    expect(second.code).toBe(0);
    for (const volume of docker("volume", "ls", "-q", "--filter", `label=io.oneoff.ledger.app=swarmrel${tag}`).split("\n").filter(Boolean))
      docker("volume", "rm", volume);
  });

  it("reaps an orphaned job (its owner on this host is gone) with cleanup, and leaves a live owner's job", async () => {
    const labels = (owner: string, name: string) => [
      "--label",
      "io.oneoff.managed=true",
      "--label",
      `io.oneoff.app=reap${tag}`,
      "--label",
      `io.oneoff.owner=${owner}`,
      "--name",
      name,
    ];
    const orphan = `reap${tag}-run-000001`;
    const alive = `reap${tag}-run-000002`;
    // PID 2^22+1 is past Linux's pid_max: no process has it.
    const job = [
      "service",
      "create",
      "--detach",
      "--mode",
      "replicated-job",
      "--restart-condition",
      "none",
      "--constraint",
      "node.role==manager",
    ];
    docker(...job, ...labels(ownerLabel(4194305), orphan), IMAGE, "sleep", "60");
    docker(...job, ...labels(ownerLabel(process.pid), alive), IMAGE, "sleep", "60");
    const cleaned = await oneoffInProcess(["cleanup"]);
    expect(cleaned.code).toBe(0);
    const left = docker("service", "ls", "--format", "{{.Name}}", "--filter", `label=io.oneoff.app=reap${tag}`).split("\n").filter(Boolean);
    expect(left).toEqual([alive]);
    docker("service", "rm", alive);
    // These services are the test's own (no oneoff labels): their task containers, which this
    // engine (20.10) may still be creating when the service goes, are removed until none is left.
    const containersOf = (name: string) => docker("ps", "-aq", "--filter", `label=com.docker.swarm.service.name=${name}`).split("\n");
    await eventually(() => {
      const containers = [orphan, alive].flatMap(containersOf).filter(Boolean);
      if (containers.length === 0) return true;
      docker("rm", "-f", ...containers);
      return undefined;
    });
  });

  it("checks a job before it runs: the engine is a swarm manager, the release and command are there", async () => {
    const result = await oneoffInProcess(["check", "--json", "--engine", "swarm", "--release", IMAGE, "--", "sh"]);
    const document = documentOf<{ ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> }>("check", result.stdout);
    expect(document.ok).toBe(true);
    expect(document.checks.find((check) => check.name === "swarm")?.detail).toMatch(/^the engine is a swarm manager \(\d+ nodes?\)$/);
    expect(result.code).toBe(0);
  });

  it("writes one audit line per job, without secrets", async () => {
    await swarm(["--from", WEB, "-e", "DB_PASSWORD=planted-password", "--", "sh", "-c", "exit 2"]);
    const lines = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { exitCode: number; command: string[] });
    expect(lines.at(-1)?.exitCode).toBe(2);
    expect(readFileSync(auditLog, "utf8")).not.toContain("planted-password");
    expect(readFileSync(auditLog, "utf8")).not.toContain(SECRET_VALUE);
  });
});

describe("a terminal session on a job whose task is on this engine", () => {
  let terminal: TerminalSession | undefined;
  afterEach(() => terminal?.close());

  /** A shell as a job in a fresh terminal, answering once it is attached; the screen ends with oneoff's exit code. */
  async function startShellJob(): Promise<TerminalSession> {
    const work = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-tty-"));
    const script = path.join(work, "session.sh");
    writeFileSync(
      script,
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --engine swarm --constraint node.role==manager -it --release ${IMAGE} -- sh\necho "exit=$?"\nsleep 600\n`,
    );
    const session = new TerminalSession(`bash --norc --noprofile ${script}`);
    // Attached only once its task runs: what is typed before that would reach no one.
    await session.waitFor((screen) => /a Swarm job, removed on exit/.test(screen));
    session.type("echo $((6*7))");
    session.keys("Enter");
    await session.waitFor((screen) => /^42$/m.test(screen));
    return session;
  }

  it("attaches to the task's container: typing, output and the shell's exit code", async () => {
    terminal = await startShellJob();
    terminal.type("exit 5");
    terminal.keys("Enter");
    await terminal.waitFor((screen) => /exit=5/.test(screen));
  });

  it("stops the job when the session is detached with Ctrl-P Ctrl-Q, and says why", async () => {
    terminal = await startShellJob();
    terminal.keys("C-p", "C-q");
    const screen = await terminal.waitFor((text) => /exit=125/.test(text));
    expect(screen).toMatch(/the terminal session was detached, and a Swarm job cannot be left running detached: job \S+ was stopped/);
    expect(jobServices()).toEqual([]);
  });
});
