/**
 * The Swarm engine with a job placed on another node than the engine oneoff talks to: the
 * worker test/setup/swarm-worker.sh joins (the isolated engine of test/setup/isolated-engine.sh:
 * its own namespaces and root filesystem, hostname oneoff-isolated; node label oneoff-test=worker, left drained so the single-node suites never land there; made
 * active for this file only). There the task's container is out of oneoff's reach: output
 * comes from the service's log, a stop removes the service, a terminal session is refused.
 * After every test no job service is left on the manager; job containers left on the worker are
 * removed through its socket (the test "leaves nothing" checks that Swarm removed them itself).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  docker,
  eventually,
  expectNoLeftovers,
  IMAGE,
  jobServices,
  oneoff,
  until,
  waitForOutput,
  type CliOptions,
  type CliResult,
} from "./helpers.js";
import { documentOf, oneOffsOf } from "./json-schemas.js";
import { TerminalSession } from "./tmux.js";

expectNoLeftovers();

const WORKER_ROOTFS = "/var/lib/oneoff-isolated/rootfs";
const WORKER_SOCK = `unix://${WORKER_ROOTFS}/run/docker.sock`;
const WORKER_HOSTNAME = "oneoff-isolated";
const ON_WORKER = ["--constraint", "node.labels.oneoff-test==worker"];
const SETUP_HINT = "run: bash test/setup/all.sh (swarm.sh, remote-engines.sh, isolated-engine.sh, swarm-worker.sh)";
let workerNode = "";
let managerNode = "";

function workerDocker(...args: string[]): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DOCKER_HOST: WORKER_SOCK, DOCKER_CONTEXT: undefined },
  }).trim();
}

/** A job on the worker. A run that does not end in `killAfterMs` is killed (and fails the test). */
async function onWorker(args: string[], options: CliOptions & { killAfterMs?: number } = {}): Promise<CliResult & { hung: boolean }> {
  let hung = false;
  let timer: NodeJS.Timeout | undefined;
  const result = await oneoff(["run", "--engine", "swarm", ...ON_WORKER, ...args], {
    ...options,
    onSpawn: (child) => {
      timer = setTimeout(() => {
        hung = true;
        child.kill("SIGKILL");
      }, options.killAfterMs ?? 30_000);
      options.onSpawn?.(child);
    },
  });
  clearTimeout(timer);
  return { ...result, hung };
}

function ignoringFailure(action: () => unknown): void {
  try {
    action();
  } catch {
    // already gone
  }
}

/** The one-time notice a multi-node swarm gets for a release without a registry digest. */
const withoutDigestNotice = (stderr: string) => stderr.replace(/^oneoff: release \S+ has no registry digest: [^\n]*\n/, "");

/** Task containers on the worker (any state), as "ID SERVICE-NAME STATE". */
function workerTaskContainers(): string[] {
  return workerDocker(
    "ps",
    "-a",
    "--filter",
    "label=com.docker.swarm.task.id",
    "--format",
    '{{.ID}} {{.Label "com.docker.swarm.service.name"}} {{.State}}',
  )
    .split("\n")
    .filter(Boolean);
}

/** The job part of oneoff's --json document. */
function jsonJob(result: CliResult): {
  exitCode: number;
  name: string;
  job: { serviceId: string; nodeId: string; createToExitMs: number };
} {
  return documentOf<{
    exitCode: number;
    name: string;
    job: { serviceId: string; nodeId: string; createToExitMs: number };
  }>("run", result.stdout);
}

beforeAll(() => {
  try {
    workerDocker("info", "--format", "{{.Swarm.NodeID}}");
  } catch (error) {
    throw new Error(
      `no worker engine answers on ${WORKER_SOCK} (${String((error as { stderr?: string }).stderr ?? error).trim()}); ${SETUP_HINT}`,
    );
  }
  const nodes = docker("node", "ls", "--filter", "node.label=oneoff-test=worker", "--format", "{{.ID}} {{.Status}}")
    .split("\n")
    .filter(Boolean);
  const ready = nodes.filter((line) => line.endsWith(" Ready")).map((line) => line.split(" ")[0] as string);
  if (ready.length !== 1)
    throw new Error(`expected one ready swarm node labelled oneoff-test=worker, found: ${JSON.stringify(nodes)}; ${SETUP_HINT}`);
  workerNode = ready[0] as string;
  // The worker has the test image only as loaded by setup: with a registry digest (another
  // file's pull of this image from the loopback registry, left behind), oneoff
  // pins the job to that digest and the worker, which cannot reach this loopback registry,
  // refuses every job with "No such image". Said once here rather than by every test.
  const digests = docker("image", "inspect", "-f", '{{join .RepoDigests " "}}', IMAGE);
  if (digests)
    throw new Error(
      `${IMAGE} has a registry digest (${digests}) that the worker cannot pull: a test left that reference; remove it with docker image rm`,
    );
  managerNode = docker("info", "--format", "{{.Swarm.NodeID}}");
  expect(workerDocker("info", "--format", "{{.Swarm.NodeID}}")).toBe(workerNode);
  docker("node", "update", "--availability", "active", workerNode);
});

afterAll(() => {
  if (workerNode) docker("node", "update", "--availability", "drain", workerNode);
});

afterEach(() => {
  const services = jobServices();
  if (services.length) docker("service", "rm", ...services);
  const containers = workerTaskContainers().map((line) => line.split(" ")[0] as string);
  for (const container of containers) {
    try {
      workerDocker("rm", "-f", container);
    } catch (error) {
      // Being removed already (the worker's own cleanup of a task), or gone since listed.
      if (!/already in progress|No such container/.test(String((error as { stderr?: string }).stderr))) throw error;
    }
  }
  expect(services, "job services left behind").toEqual([]);
});

describe("a job placed on the worker by constraint", () => {
  it("runs there (its node is the worker, not the manager) and passes exit code 3 through", async () => {
    const result = await onWorker(["--json", "--release", IMAGE, "--", "sh", "-c", "echo hi; exit 3"]);
    const document = jsonJob(result);
    expect(document.job.nodeId).toBe(workerNode);
    expect(document.job.nodeId).not.toBe(managerNode);
    expect(document.exitCode).toBe(3);
    expect(result.code).toBe(3);
    process.stderr.write(`swarm-worker: create->exit on the worker ${document.job.createToExitMs} ms\n`);
  });

  it("passes exit code 0 through, with the command's output", async () => {
    const result = await onWorker(["--release", IMAGE, "--", "sh", "-c", "echo done"]);
    expect(result.hung).toBe(false);
    expect(result.stdout.toString()).toBe("done\n");
    expect(result.code).toBe(0);
  });

  it("ends when a job that was seen running ends (output drained from the service's log)", async () => {
    const result = await onWorker(["--release", IMAGE, "--", "sh", "-c", "echo start; sleep 2; echo end; exit 5"], { killAfterMs: 20_000 });
    expect(result.hung, "oneoff did not end within 20 s of starting a 2 s job").toBe(false);
    expect(result.stdout.toString()).toBe("start\nend\n");
    expect(result.code).toBe(5);
  });

  it("delivers 2,000 stdout and 2,000 stderr lines complete, in order and apart", async () => {
    const script = "i=1; while [ $i -le 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done; sleep 1";
    const result = await onWorker(["-q", "--release", IMAGE, "--", "sh", "-c", script]);
    expect(result.hung, "oneoff did not end within 30 s").toBe(false);
    const expected = (prefix: string) => Array.from({ length: 2000 }, (_, i) => `${prefix}${i + 1}\n`).join("");
    expect(result.stdout.toString()).toBe(expected("out"));
    expect(withoutDigestNotice(result.stderr)).toBe(expected("err"));
    expect(result.code).toBe(0);
  });
});

describe("a job on the worker and a service on the manager", () => {
  const tag = randomBytes(3).toString("hex");
  const WEB = `oneoff-itw-web-${tag}`;
  const NETWORK = `oneoff-itw-net-${tag}`;

  beforeAll(async () => {
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
      "--constraint",
      "node.role==manager",
      IMAGE,
      "sh",
      "-c",
      "while true; do printf 'HTTP/1.0 200 OK\\r\\n\\r\\nhello from the manager\\n' | nc -l -p 8080; done",
    );
    await eventually(
      () =>
        docker("service", "ps", WEB, "--filter", "desired-state=running", "--format", "{{.CurrentState}}").startsWith("Running")
          ? true
          : undefined,
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    ignoringFailure(() => docker("service", "rm", WEB));
    // The service's task container and the network go in Swarm's own time.
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        docker("network", "rm", NETWORK);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });

  it("reaches it by name over an attachable overlay network (VXLAN between the two engines)", async () => {
    const result = await onWorker([
      "--network",
      NETWORK,
      "--json",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      `nc -w 5 ${WEB} 8080 </dev/null | tail -n 1`,
    ]);
    const document = jsonJob(result);
    expect(document.job.nodeId).toBe(workerNode);
    expect(document.exitCode).toBe(0);
    // With --json the document is stdout; the command's output goes to stderr.
    expect(withoutDigestNotice(result.stderr)).toBe("hello from the manager\n");
    expect(docker("service", "ps", WEB, "--filter", "desired-state=running", "--format", "{{.Node}}")).not.toBe(WORKER_HOSTNAME);
  });
});

describe("stopping a job on the worker", () => {
  it("SIGTERM to oneoff reaches the job's task on the worker: its handler's output and exit code come back, the job is removed", async () => {
    let serviceName = "";
    const result = await onWorker(
      ["--release", IMAGE, "--", "sh", "-c", "trap 'echo got-term; exit 4' TERM; echo ready; sleep 60 & wait"],
      {
        onSpawn: (child) =>
          void waitForOutput(child, (text) => text.includes("ready")).then(() => {
            serviceName = jobServices()
              .map((id) => docker("service", "inspect", "--format", "{{.Spec.Name}}", id))
              .join(" ");
            child.kill("SIGTERM");
          }),
      },
    );
    expect(result.hung, "oneoff did not end within 30 s of SIGTERM").toBe(false);
    expect(result.stdout.toString()).toBe("ready\ngot-term\n");
    expect(result.code).toBe(4);
    expect(jobServices()).toEqual([]);
    // The task itself must stop too, not run on unowned: its container on the worker is not running.
    const running = () => workerTaskContainers().filter((line) => line.includes(` ${serviceName} `) && line.endsWith(" running"));
    await eventually(() => (running().length ? undefined : true), 10_000).catch(() => {
      throw new Error(`the job's task still runs on the worker 10 s after oneoff ended: ${running().join(", ")}`);
    });
  });
});

describe("a terminal session on a job that lands on the worker", () => {
  let terminal: TerminalSession | undefined;
  afterEach(() => terminal?.close());

  it("is refused in one line naming the node, and the job service is removed", async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), "oneoff-swarm-worker-tty-"));
    const script = path.join(work, "session.sh");
    const stderrFile = path.join(work, "stderr");
    writeFileSync(
      script,
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --engine swarm ${ON_WORKER.join(" ")} -it --release ${IMAGE} -- sh 2>${JSON.stringify(stderrFile)}\necho "exit=$?"\nsleep 600\n`,
    );
    terminal = new TerminalSession(`bash --norc --noprofile ${script}`);
    await terminal.waitFor((screen) => /exit=\d+/.test(screen), 30_000);
    // The session's banner ("oneoff: APP one-off: release ...") comes first; then the refusal, alone.
    const lines = withoutDigestNotice(readFileSync(stderrFile, "utf8"))
      .split("\n")
      .filter((line) => line && !/^oneoff: \S+ one-off: release /.test(line));
    expect(lines).toEqual([
      expect.stringMatching(
        /^oneoff: the job's task landed on node oneoff-isolated, not on the engine oneoff talks to \(unix:\/\/\/var\/run\/docker\.sock\): a terminal session needs its container here/,
      ),
    ]);
    expect(terminal.screen()).toMatch(/exit=125/);
    expect(jobServices()).toEqual([]);
  });
});

describe("after a job on the worker", () => {
  it("leaves nothing: the job service goes at once; its container on the worker goes with oneoff cleanup there", async () => {
    const result = await onWorker(["--json", "--release", IMAGE, "--", "true"]);
    const document = jsonJob(result);
    expect(result.code).toBe(0);
    expect(jobServices()).toEqual([]);
    // Engines before 24.0 leave a finished job's container on its node (moby#44312): oneoff
    // cleanup on that node's engine removes it once it has ended 10 s ago.
    const owned = () => workerDocker("ps", "-aq", "--filter", `label=com.docker.swarm.service.id=${document.job.serviceId}`);
    const cleanupOnWorker = () => oneoff(["cleanup"], { env: { DOCKER_HOST: WORKER_SOCK, DOCKER_CONTEXT: undefined } });
    // Right after the job a cleanup leaves its container (it ended less than 10 s ago), if
    // this engine kept it at all; once 10 s have passed, a cleanup removes it and says so.
    const early = owned();
    if (early) {
      expect((await cleanupOnWorker()).code).toBe(0);
      expect(owned()).toBe(early);
      const cleaned = await until(async () => {
        const attempt = await cleanupOnWorker();
        return attempt.stderr.includes(`the container of Swarm job ${document.name}, ended`) ? attempt : undefined;
      }, 30_000);
      expect(cleaned.code).toBe(0);
    }
    expect(owned()).toBe("");
  }, 60_000);
});

describe("timeout, detach and lock for jobs on the worker", () => {
  /** The job's task containers on the worker that still run. */
  const runningOnWorker = () => workerTaskContainers().filter((line) => line.endsWith(" running"));

  it("stops a job past --timeout there: exit 124, its output, the job removed and its task stopped", async () => {
    const result = await onWorker([
      "--timeout",
      "1s",
      "--stop-timeout",
      "1",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "echo started; sleep 30",
    ]);
    expect(result.hung).toBe(false);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(/timed out after 1s/);
    expect(result.stdout.toString()).toBe("started\n");
    expect(jobServices()).toEqual([]);
    await eventually(() => (runningOnWorker().length ? undefined : true), 15_000);
  });

  it("starts a detached job there that ps, logs and wait know (its output through the service's log)", async () => {
    // The job ends when the test says so, not after a sleep: ps without --all lists only jobs
    // that have not ended, and under load a second can pass before ps runs. The gate is a
    // folder of the worker's root filesystem (its host path there is what the job's bind
    // names); the same path is made here too, where oneoff checks a bind's folder.
    const gate = mkdtempSync(path.join(WORKER_ROOTFS, "tmp", "oneoff-swarm-gate-"));
    const gateOnWorker = gate.slice(WORKER_ROOTFS.length);
    mkdirSync(gateOnWorker, { recursive: true });
    const started = await onWorker([
      "-d",
      "--keep-for",
      "1s",
      "-v",
      `${gateOnWorker}:/gate`,
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      "echo to-out; echo to-err >&2; until [ -e /gate/go ]; do sleep 0.1; done; exit 6",
    ]);
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    expect(id).not.toBe("");
    const listed = oneOffsOf<{ id: string; state: string }>((await oneoff(["ps", "--all-apps", "--json"])).stdout);
    expect(listed.find((entry) => entry.id === id)?.state).toMatch(/^job /);
    writeFileSync(path.join(gate, "go"), "");
    const waited = await oneoff(["wait", id]);
    // Its stderr as the message: what wait said, should it not print the exit code.
    expect(waited.stdout.toString(), `oneoff wait said: ${waited.stderr}`).toBe("6\n");
    expect(waited.code).toBe(6);
    expect(docker("service", "ps", id, "--format", "{{.Node}}")).toBe(WORKER_HOSTNAME);
    const logs = await oneoff(["logs", id]);
    expect(logs.stdout.toString()).toBe("to-out\n");
    expect(logs.stderr).toBe("to-err\n");
    // Its keep time runs from when its task ended: cleanup's dry run names it once that has passed.
    await until(async () => ((await oneoff(["cleanup", "--dry-run"])).stderr.includes(id.slice(0, 12)) ? true : undefined));
    expect((await oneoff(["cleanup"])).code).toBe(0);
    expect(jobServices()).toEqual([]);
  });

  it("makes a second job with the same lock wait until the first, on the worker, has ended", async () => {
    let waiter: Promise<CliResult & { hung: boolean }> | undefined;
    let holderEnded = 0;
    let waiterEnded = 0;
    const holder = onWorker(["--lock", "wk", "--release", IMAGE, "--", "sh", "-c", "echo holding; sleep 2; echo holder-done"], {
      onSpawn: (child) =>
        void waitForOutput(child, (text) => text.includes("holding"), 60_000).then(() => {
          waiter = onWorker(["--lock", "wk", "--wait-lock", "60s", "--release", IMAGE, "--", "echo", "second"], { killAfterMs: 60_000 });
          void waiter.then(() => (waiterEnded = Date.now()));
        }),
    }).then((result) => ((holderEnded = Date.now()), result));
    const held = await holder;
    const second = await await eventually(() => waiter);
    expect(held.stdout.toString()).toBe("holding\nholder-done\n");
    expect(held.code).toBe(0);
    expect(second.stderr).toMatch(/waiting for lock wk, held by/);
    expect(second.stdout.toString()).toBe("second\n");
    expect(second.code).toBe(0);
    expect(waiterEnded).toBeGreaterThanOrEqual(holderEnded);
  }, 90_000);
});
