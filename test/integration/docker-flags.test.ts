/**
 * What docker and compose users type (issue 18): docker run's runtime flags take effect in the
 * one-off as seen from inside it, the same settings from oneoff.yaml do too, --rm is accepted,
 * --name names the container, -T keeps a task that asks for a terminal off one.
 *
 * oneoff runs in this process (oneoffInProcess) in every test: what is asserted is what the
 * one-off saw and what the engine holds, never oneoff's process; no test here spawns one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, waitForOutput } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

/** What a process sees of its runtime settings, one line each. */
const PROBE = [
  "echo pid1=$(cat /proc/1/comm)",
  "grep CapEff /proc/self/status",
  "echo nofile=$(ulimit -Sn):$(ulimit -Hn)",
  "echo shm=$(df -k /dev/shm | awk 'NR==2 {print $2}')",
  "echo groups=$(id -G)",
  "grep -q ' /scratch tmpfs' /proc/mounts && echo scratch=tmpfs || echo scratch=none",
  "touch /probe 2>/dev/null && echo root=rw || echo root=ro",
  "echo hostname=$(hostname)",
  "grep -c '10.0.0.5[[:space:]]*db' /etc/hosts | sed 's/^/hosts-db=/'",
  "sed -n 's/^search /search=/p' /etc/resolv.conf",
].join("; ");

const FLAGS = [
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
  "--hostname",
  "box",
  "--add-host",
  "db:10.0.0.5",
  "--dns-search",
  "example.internal",
];

const EXPECTED = [
  /^pid1=docker-init$/m,
  /^nofile=1024:2048$/m,
  new RegExp(`^shm=${96 * 1024}$`, "m"),
  /^groups=.*\b123\b/m,
  /^scratch=tmpfs$/m,
  /^root=ro$/m,
  /^hostname=box$/m,
  /^hosts-db=1$/m,
  /^search=example\.internal$/m,
];

describe("docker run's flags", () => {
  it("take effect inside the one-off, and --rm is accepted", async () => {
    const plain = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "sh", "-c", PROBE]);
    const flagged = await oneoffInProcess(["run", "-q", "--rm", ...FLAGS, "--release", IMAGE, "--", "sh", "-c", PROBE]);
    expect(flagged.stderr).toBe("");
    expect(flagged.code).toBe(0);
    const seen = flagged.stdout.toString();
    for (const line of EXPECTED) expect(seen).toMatch(line);
    // None of it by default: each line is the flags' doing.
    for (const line of EXPECTED) expect(plain.stdout.toString()).not.toMatch(line);
    // NET_ADMIN (bit 12) is in the capabilities only with --cap-add.
    const capabilities = (text: string) => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(text)?.[1] ?? "0"}`);
    expect(capabilities(seen) & (1n << 12n)).toBe(1n << 12n);
    expect(capabilities(plain.stdout.toString()) & (1n << 12n)).toBe(0n);
  });

  it("take effect from oneoff.yaml too, written as in compose (a task adds its own)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-flags-yaml-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      [
        `app: flagsyaml${Date.now()}`,
        `release: ${IMAGE}`,
        "init: true",
        "cap_add: [NET_ADMIN]",
        "tmpfs: [/scratch]",
        "ulimits: {nofile: {soft: 1024, hard: 2048}}",
        "shm_size: 96m",
        "group_add: ['123']",
        "extra_hosts: ['db:10.0.0.5']",
        "dns_search: [example.internal]",
        "tasks:",
        "  probe:",
        // oneoff.yaml interpolates $: the probe's own are written $$.
        `    command: [sh, -c, "${PROBE.replace(/"/g, '\\"').replace(/\$/g, "$$$$")}"]`,
        "    read_only: true",
        "",
      ].join("\n"),
    );
    const result = await oneoffInProcess(["run", "-q", "--hostname", "box", "probe"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const line of EXPECTED) expect(result.stdout.toString()).toMatch(line);
  });

  it("--platform creates for that platform: this engine's runs, another's is refused in one line, nothing left", async () => {
    const arch = docker("version", "--format", "{{.Server.Arch}}");
    const here = await oneoffInProcess(["run", "-q", "--platform", `linux/${arch}`, "--release", IMAGE, "--", "echo", "ok"]);
    expect(here.stdout.toString()).toBe("ok\n");
    expect(here.code).toBe(0);
    const other = arch === "arm64" ? "linux/amd64" : "linux/arm64";
    const refused = await oneoffInProcess(["run", "-q", "--platform", other, "--pull", "never", "--release", IMAGE, "--", "true"]);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(
      new RegExp(`^oneoff: create the one-off container: .*does not match the specified platform: wanted ${other}`),
    );
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--name names the container; with --lock the lock's name wins, said in one line", async () => {
    const name = `oneoff-named-${process.pid}`;
    let seenName = "";
    // It runs until the test has looked (its stdin ends then): no sleep a loaded machine outlasts.
    const named = await oneoffInProcess(["run", "-q", "--name", name, "--release", IMAGE, "--", "sh", "-c", "echo ready; read go"], {
      holdStdin: true,
      onStart: (live) =>
        void waitForOutput(live, (text) => text.includes("ready")).then(() => {
          // -a: the engine's list can still say "created" for a moment after the process
          // started (its view is updated apart from the container), and plain ps shows only
          // running ones: seen missing on a loaded machine.
          seenName = docker("ps", "-a", "--filter", `name=^/${name}$`, "--format", "{{.Names}}");
          live.stdin.end("go\n");
        }),
    });
    expect(named.code).toBe(0);
    expect(seenName).toBe(name);
    const locked = await oneoffInProcess(["run", "--name", name, "--lock", "flags", "--release", IMAGE, "--", "true"]);
    expect(locked.code).toBe(0);
    expect(locked.stderr).toMatch(
      new RegExp(
        `^oneoff: --name ${name} set aside: a one-off holding lock flags is named after the lock \\(that name is the lock\\)$`,
        "m",
      ),
    );
  });

  it("-T keeps a task that asks for a terminal off one: stdin passes, stdout and stderr stay apart", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-flags-T-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      `app: flagsT\nrelease: ${IMAGE}\ntasks:\n  console:\n    command: [sh, -c, "cat; echo to-err >&2; [ -t 0 ] && echo tty || echo no-tty"]\n    interactive: true\n`,
    );
    // Without -T the task needs a terminal, and there is none here.
    const refused = await oneoffInProcess(["run", "console"], { cwd: dir, input: "in\n" });
    expect(refused.code).toBe(125);
    const result = await oneoffInProcess(["run", "-q", "-T", "console"], { cwd: dir, input: "in\n" });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("in\nno-tty\n");
    expect(result.stderr).toBe("to-err\n");
  });

  it("--stop-signal is what a timed-out one-off gets first, as docker stop would send it", async () => {
    const result = await oneoffInProcess([
      "run",
      "-q",
      "--stop-signal",
      "SIGUSR1",
      "--timeout",
      "2",
      "--release",
      IMAGE,
      "--",
      "sh",
      "-c",
      'trap "echo got-usr1; exit 3" USR1; trap "echo got-term; exit 4" TERM; echo ready; while :; do sleep 0.1; done',
    ]);
    expect(result.stdout.toString()).toBe("ready\ngot-usr1\n");
    expect(result.code).toBe(124);
  });

  it("oneoff.yaml's compose keys for docker run's settings reach the container", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-flags-yaml-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      `app: flagsyaml\nrelease: ${IMAGE}\npids_limit: 64\ncpu_shares: 256\nstop_signal: SIGINT\nmem_reservation: 32m\nblkio_config:\n  weight: 300\n`,
    );
    const started = await oneoffInProcess(["run", "-d", "--keep-for", "5m", "--", "sleep", "30"], { cwd: dir });
    const id = started.stdout.toString().trim();
    expect(started.code, started.stderr).toBe(0);
    try {
      const [inspect] = JSON.parse(docker("inspect", id));
      expect(inspect.HostConfig).toMatchObject({ PidsLimit: 64, CpuShares: 256, MemoryReservation: 32 * 2 ** 20 });
      expect(inspect.Config.StopSignal).toBe("SIGINT");
    } finally {
      docker("rm", "-f", id);
    }
  });
});
