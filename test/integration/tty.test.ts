import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, docker, eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers, until } from "./helpers.js";
import { TerminalSession } from "./tmux.js";

expectNoLeftovers();

let session: TerminalSession | undefined;
afterEach(() => session?.close());

const work = mkdtempSync(path.join(os.tmpdir(), "oneoff-tty-"));
const node = JSON.stringify(process.execPath);

/**
 * Starts `oneoff ARGS` in a fresh terminal, wrapped so that the screen ends with its exit code
 * and the terminal's settings are saved before and after (stty -g).
 */
function startInTerminal(args: string, size?: { columns: number; rows: number }): TerminalSession {
  const script = path.join(work, `session-${Math.random().toString(16).slice(2)}.sh`);
  writeFileSync(
    script,
    // The terminal's settings after oneoff are saved before exit= shows: a test reads them once it sees it.
    `stty -g > ${script}.before\n${node} ${JSON.stringify(BIN)} ${args}\ncode=$?\nstty -g > ${script}.after\necho "exit=$code"\nsleep 600\n`,
  );
  session = new TerminalSession(`bash --norc --noprofile ${script}`, size);
  (session as TerminalSession & { script?: string }).script = script;
  return session;
}

function sttyUnchanged(terminal: TerminalSession): void {
  const script = (terminal as TerminalSession & { script?: string }).script as string;
  expect(readFileSync(`${script}.after`, "utf8")).toBe(readFileSync(`${script}.before`, "utf8"));
}

const PROMPT = /\/ # $/m;

describe("oneoff shell: an interactive terminal session", () => {
  it("runs commands typed in the container's shell, passes the shell's exit code, restores the terminal", async () => {
    const terminal = startInTerminal(`shell --release ${IMAGE}`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    terminal.type("echo $((6*7)); tty; echo TERM=$TERM");
    terminal.keys("Enter");
    // The echoed command line holds "TERM=" too: wait for the output line itself.
    const screen = await terminal.waitFor((text) => /^42$/m.test(text) && /^TERM=\S/m.test(text));
    expect(screen).toMatch(/^\/dev\/pts\/\d+$/m);
    expect(screen).toMatch(/^TERM=(tmux|screen|xterm)[\w-]*$/m);
    terminal.type("exit 3");
    terminal.keys("Enter");
    await terminal.waitFor((text) => /exit=3/.test(text));
    sttyUnchanged(terminal);
  });

  it("prints a banner on stderr naming the app, the release and that the container is removed", async () => {
    const terminal = startInTerminal(`shell --release ${IMAGE}`);
    const screen = await terminal.waitFor((text) => PROMPT.test(text));
    expect(screen).toMatch(
      /oneoff: \S+ one-off: release [0-9a-f]{12} \(oneoff-test\/busybox:latest\) as \S+@\S+; a one-off container, removed on exit; Ctrl-P Ctrl-Q detaches, Ctrl-C three times stops it/,
    );
    terminal.keys("C-d");
    await terminal.waitFor((text) => /exit=0/.test(text));
  });

  it("sends Ctrl-C to the process in the container, and the shell survives it", async () => {
    const terminal = startInTerminal(`shell --release ${IMAGE}`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    terminal.type("sleep 60; echo sleep-finished");
    terminal.keys("Enter");
    // Ctrl-C only proves something once sleep runs in the one-off (before, it would only clear the line).
    await eventually(() => (oneOffContainers("status=running").some((id) => docker("top", id).includes("sleep 60")) ? true : undefined));
    terminal.keys("C-c");
    terminal.type("echo still-alive");
    terminal.keys("Enter");
    const screen = await terminal.waitFor((text) => /^still-alive$/m.test(text));
    expect(screen).not.toMatch(/^sleep-finished$/m);
    expect(screen).not.toMatch(/exit=/);
    terminal.type("exit");
    terminal.keys("Enter");
    await terminal.waitFor((text) => /exit=0/.test(text));
    sttyUnchanged(terminal);
  });

  it("stops a one-off whose PID 1 ignores SIGINT after three Ctrl-C's (SIGTERM, then SIGKILL), exit 130; the banner says how", async () => {
    const terminal = startInTerminal(`run -it --stop-timeout 1 --release ${IMAGE} -- sleep 300`);
    const banner = await terminal.waitFor((text) => /Ctrl-C three times stops it/.test(text));
    expect(banner).toMatch(/a one-off container, removed on exit; Ctrl-P Ctrl-Q detaches, Ctrl-C three times stops it/);
    await eventually(() => (oneOffContainers("status=running").some((id) => docker("top", id).includes("sleep 300")) ? true : undefined));
    terminal.keys("C-c");
    terminal.keys("C-c");
    terminal.keys("C-c");
    const screen = await terminal.waitFor((text) => /exit=\d+/.test(text));
    expect(screen).toMatch(/exit=130/);
    expect(screen).toMatch(/Ctrl-C three times: stopping the one-off \(SIGTERM, then SIGKILL after 1s/);
    // sleep 300 outlives the wait for exit=: a one-off not stopped is the failure, without a bound on the clock.
    sttyUnchanged(terminal);
  });

  it("gives the container the terminal's size at start and follows a resize", async () => {
    const terminal = startInTerminal(`shell --release ${IMAGE}`, { columns: 120, rows: 40 });
    await terminal.waitFor((screen) => PROMPT.test(screen));
    terminal.type("stty size");
    terminal.keys("Enter");
    await terminal.waitFor((screen) => /^40 120$/m.test(screen));
    terminal.resize(100, 30);
    // The resize reaches the one-off a moment later: ask until it answers with the new size.
    await until(async () => {
      terminal.type("clear; stty size");
      terminal.keys("Enter");
      return terminal.waitFor((screen) => /^30 100$/m.test(screen), 1_000).catch(() => undefined);
    });
    terminal.type("exit");
    terminal.keys("Enter");
    await terminal.waitFor((text) => /exit=0/.test(text));
  });

  it("restores the terminal when the session ends by a signal to oneoff", async () => {
    const terminal = startInTerminal(`run -it --stop-timeout 1 --release ${IMAGE} -- sh -c 'trap "" TERM HUP; echo ready; sleep 60'`);
    await terminal.waitFor((screen) => /^ready/m.test(screen));
    // Ctrl-C would go to the container; a signal from outside goes to oneoff.
    terminal.type("");
    const pid = execPidOfOneoff(terminal);
    process.kill(pid, "SIGTERM");
    await terminal.waitFor((text) => /exit=143/.test(text));
    sttyUnchanged(terminal);
  });

  it("removes the container when the local terminal hangs up", async () => {
    const terminal = startInTerminal(`shell --stop-timeout 1 -l test.case=hangup --release ${IMAGE}`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    expect(oneOffContainers()).toHaveLength(1);
    terminal.close();
    session = undefined;
    // SIGHUP is forwarded; busybox sh as PID 1 ignores it, so the kill after --stop-timeout ends it.
    await eventually(() => (oneOffContainers().length === 0 ? true : undefined), 15_000);
  });

  it("detaches with Ctrl-P Ctrl-Q, leaving the one-off running, and attaches again", async () => {
    const terminal = startInTerminal(`shell --release ${IMAGE}`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    terminal.type("echo before-detach > /tmp/mark");
    terminal.keys("Enter");
    terminal.keys("C-p", "C-q");
    const screen = await terminal.waitFor((text) => /exit=0/.test(text));
    const id = /Re-attach: oneoff attach ([0-9a-f]{12})/.exec(screen)?.[1] as string;
    expect(screen).toMatch(/detached from \S+-detached \([0-9a-f]{12}\); it keeps running/);
    sttyUnchanged(terminal);
    try {
      expect(docker("inspect", "-f", "{{.State.Status}}", id)).toBe("running");
      // Still there for the reaper to leave alone: its name marks it detached.
      expect(docker("inspect", "-f", "{{.Name}}", id)).toMatch(/-detached$/);
      terminal.close();
      const again = startInTerminal(`attach ${id}`);
      again.keys("Enter");
      again.type("cat /tmp/mark; exit 5");
      again.keys("Enter");
      const back = await again.waitFor((text) => /exit=5/.test(text));
      expect(back).toMatch(/^before-detach$/m);
      sttyUnchanged(again);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it("detaches only with the keys --detach-keys names (ctrl-x,x), not docker's default", async () => {
    const terminal = startInTerminal(`shell --detach-keys ctrl-x,x --release ${IMAGE}`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    // The default keys reach the shell like any others: the session goes on.
    terminal.keys("C-p", "C-q");
    terminal.keys("C-u");
    terminal.type("echo still-attached");
    terminal.keys("Enter");
    await terminal.waitFor((text) => /^still-attached$/m.test(text));
    terminal.keys("C-x");
    terminal.type("x");
    const screen = await terminal.waitFor((text) => /exit=0/.test(text));
    const id = /Re-attach: oneoff attach ([0-9a-f]{12})/.exec(screen)?.[1] as string;
    try {
      expect(screen).toMatch(/detached from \S+-detached \([0-9a-f]{12}\); it keeps running/);
      expect(docker("inspect", "-f", "{{.State.Status}}", id)).toBe("running");
      sttyUnchanged(terminal);
    } finally {
      if (id) docker("rm", "-f", id);
    }
  });

  it("runs a task marked interactive: true as a terminal session", async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), "oneoff-tty-app-"));
    writeFileSync(
      path.join(app, "oneoff.yaml"),
      `image: oneoff-test/busybox\ntasks:\n  console:\n    interactive: true\n    command: [sh, -c, "tty && read line && echo got:$$line"]\n`,
    );
    const terminal = startInTerminal(`run -q -f ${JSON.stringify(path.join(app, "oneoff.yaml"))} console`);
    await terminal.waitFor((screen) => /\/dev\/pts\/\d+/.test(screen));
    terminal.type("typed");
    terminal.keys("Enter");
    await terminal.waitFor((text) => /got:typed/.test(text) && /exit=0/.test(text));
  });
});

describe("oneoff run at a terminal: a terminal session by default, as docker compose run", () => {
  it("gives a command typed at a terminal an interactive TTY without -it", async () => {
    const terminal = startInTerminal(`run -q --release ${IMAGE} -- sh`);
    await terminal.waitFor((screen) => PROMPT.test(screen));
    terminal.type("tty; exit 4");
    terminal.keys("Enter");
    const screen = await terminal.waitFor((text) => /exit=4/.test(text));
    expect(screen).toMatch(/^\/dev\/pts\/\d+$/m);
    sttyUnchanged(terminal);
  });

  it("keeps streams apart with -T, and without a terminal on stdout (a pipe)", async () => {
    for (const args of [
      `run -q -T --release ${IMAGE} -- sh -c 'tty; echo to-err >&2'`,
      `run -q --release ${IMAGE} -- sh -c 'tty; echo to-err >&2' | cat`,
    ]) {
      const terminal = startInTerminal(args);
      const screen = await terminal.waitFor((text) => /exit=\d+/.test(text));
      expect(screen).toMatch(/^not a tty$/m);
      expect(screen).toMatch(/^to-err$/m);
      terminal.close();
    }
  });
});

describe("terminal sessions without a terminal", () => {
  it("refuses -it when stdin is not a TTY, like docker", async () => {
    const result = await oneoff(["run", "-it", "--release", IMAGE, "--", "sh"]);
    expect(result.code).toBe(125);
    expect(result.stderr).toBe(
      "oneoff: -t needs a terminal, and the input device is not a TTY (run it from a terminal, or drop -t and pipe input with -i)\n",
    );
  });

  it("refuses oneoff shell when stdin is not a TTY", async () => {
    const result = await oneoff(["shell", "--release", IMAGE]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^oneoff: oneoff shell needs a terminal/);
  });

  it("falls back to plain stdin for a task marked interactive: auto", async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), "oneoff-tty-app-"));
    writeFileSync(
      path.join(app, "oneoff.yaml"),
      `image: oneoff-test/busybox\ntasks:\n  console:\n    interactive: auto\n    command: [sh]\n`,
    );
    const result = await oneoff(["run", "-q", "console"], { cwd: app, input: "tty; echo piped\n" });
    expect(result.stdout.toString()).toBe("not a tty\npiped\n");
    expect(result.code).toBe(0);
  });
});

/** The PID of the oneoff process running in the terminal (a child of the session's bash). */
function execPidOfOneoff(terminal: TerminalSession): number {
  const panePid = terminal.panePid();
  const children = execFileSyncText("sh", ["-c", `cat /proc/${panePid}/task/*/children`])
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const pid = children.find((child) => readFileSync(`/proc/${child}/cmdline`, "utf8").includes("oneoff.js"));
  if (!pid) throw new Error("oneoff is not running in the terminal");
  return pid;
}

function execFileSyncText(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: "utf8" }).trim();
}
