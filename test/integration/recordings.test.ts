/**
 * Recorded sessions (record:, --record) and `oneoff replay`: the cast is kept on the engine in
 * a volume of its own beside the run's record, secret values masked, capped at record_limit,
 * pruned with its record, and nothing is left behind by storing or reading it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BIN, docker, expectNoLeftovers, FILE_RUN, oneoff, ROOT, until } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { TerminalSession } from "./tmux.js";

expectNoLeftovers();

const apps: string[] = [];
const terminals: TerminalSession[] = [];

/** Nothing of storing or reading a recording stays: no container of the record-store image. */
afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.close();
  expect(docker("ps", "-a", "-q", "--filter", "label=io.oneoff.record-store"), "record-store containers left behind").toBe("");
});

afterAll(() => {
  for (const app of apps) {
    for (const label of [`io.oneoff.record.app=${app}`, `io.oneoff.recording.app=${app}`]) {
      const volumes = docker("volume", "ls", "-q", "--filter", `label=${label}`).split("\n").filter(Boolean);
      if (volumes.length) docker("volume", "rm", "-f", ...volumes);
    }
  }
});

const SECRET = `rec-secret-${Math.random().toString(16).slice(2, 10)}`;

/** An app folder with its oneoff.yaml (a secret delivered as TOKEN); its records and recordings are removed after the file. */
function appDir(extra = ""): { dir: string; name: string; env: Record<string, string> } {
  const name = `rec${Math.random().toString(16).slice(2, 10)}`;
  apps.push(name);
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-recordings-"));
  writeFileSync(
    path.join(dir, "oneoff.yaml"),
    `app: ${name}\nimage: oneoff-test/busybox\nrelease: latest\nsecrets:\n  TOKEN: { env: REC_TOKEN, as: env }\n${extra}`,
  );
  return { dir, name, env: { REC_TOKEN: SECRET } };
}

interface Entry {
  runId: string;
  recording?: { bytes: number; cut: boolean };
}

async function newestEntry(app: { dir: string }): Promise<Entry> {
  const result = await oneoffInProcess(["history", "--json", "-n", "1"], { cwd: app.dir, env: app.env });
  return (JSON.parse(result.stdout.toString()) as { entries: Entry[] }).entries[0] as Entry;
}

/**
 * The stored file itself, read from the volume's folder on this machine (the tests' engine is
 * this machine's), not through oneoff, and without a container started to cat it.
 */
function rawRecording(runId: string): string {
  const folder = docker("volume", "inspect", "-f", "{{.Mountpoint}}", `oneoff-recording-${runId}`);
  return gunzipSync(readFileSync(path.join(folder, "session.cast.gz"))).toString("utf8");
}

/** A recorded run's ID, as oneoff says it once the session is stored. */
const recordedRunId = (stderr: string) => /oneoff replay ([0-9a-f]+)/.exec(stderr)?.[1] as string;

/** The events of a cast as [time, code, text], its header left out. */
const castEvents = (cast: string) =>
  cast
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => JSON.parse(line) as [number, string, string]);

/** The text of a cast's events of one code ("o", "i", ...), joined. */
const textOf = (cast: string, code: string) =>
  castEvents(cast)
    .filter(([, eventCode]) => eventCode === code)
    .map(([, , text]) => text)
    .join("");

const recordingVolumes = (app: string) =>
  docker("volume", "ls", "-q", "--filter", `label=io.oneoff.recording.app=${app}`).split("\n").filter(Boolean);

describe("a recorded terminal session", () => {
  it("replays with the same screen: lines, a colour, typed input, a resize", async () => {
    const app = appDir();
    const script = path.join(app.dir, "console.sh");
    // The console: some lines and a colour, waits for a line typed after the resize, then the size it has.
    writeFileSync(
      script,
      `cd ${JSON.stringify(app.dir)} && REC_TOKEN=${SECRET} ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run -q --record -i -t -- sh -c 'echo line one; echo line two; printf "\\033[31mred text\\033[0m\\n"; read answer; echo "got $answer"; stty size; echo all done'\nsleep 600\n`,
    );
    const terminal = new TerminalSession(`bash --norc --noprofile ${script}`, { columns: 100, rows: 30 });
    terminals.push(terminal);
    await terminal.waitFor((screen) => screen.includes("red text"));
    terminal.resize(90, 25);
    // The one-off sees the new size before it is typed to.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    terminal.type("yes");
    terminal.keys("Enter");
    const original = await terminal.waitFor((screen) => screen.includes("all done"));
    expect(original).toMatch(/^25 90$/m);
    const entry = await until(async () => {
      const newest = await newestEntry(app).catch(() => undefined);
      return newest?.recording ? newest : undefined;
    });
    const cast = rawRecording(entry.runId);
    expect(cast).toMatch(/\[[\d.]+,"r","90x25"\]/);
    expect(cast.split("\n")[0]).toMatch(/"width":100,"height":30/);

    const replay = new TerminalSession(
      `bash --norc --noprofile -c ${JSON.stringify(`cd ${app.dir} && ${process.execPath} ${BIN} replay ${entry.runId} --speed 1000; sleep 600`)}`,
      { columns: 90, rows: 25 },
    );
    terminals.push(replay);
    const replayed = await replay.waitFor((screen) => screen.includes("all done"));
    const trimmed = (screen: string) => screen.replace(/\s+$/, "");
    expect(trimmed(replayed)).toBe(trimmed(original));
    // The colour is replayed as a colour, not as text.
    expect(replay.screen(true)).toMatch(/\x1b\[31mred text/);
    expect(terminal.screen(true)).toMatch(/\x1b\[31mred text/);
  });
});

describe("what is typed at a recorded terminal", () => {
  /**
   * Runs a console in a tmux terminal that asks a name (echoed) and then a password (the
   * terminal's echo off first, as a password prompt does), types both, and returns the run's
   * ID once its recording is stored.
   */
  async function typeAtConsole(app: { dir: string; env: Record<string, string> }, password: string): Promise<string> {
    const script = path.join(app.dir, "console.sh");
    writeFileSync(
      script,
      `cd ${JSON.stringify(app.dir)} && REC_TOKEN=${SECRET} ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run -q -i -t -- sh -c 'printf "name: "; read name; stty -echo; printf "password: "; read pw; stty echo; echo; echo "hello $name, \${#pw} characters"; echo all done'\nsleep 600\n`,
    );
    const terminal = new TerminalSession(`bash --norc --noprofile ${script}`, { columns: 100, rows: 30 });
    terminals.push(terminal);
    await terminal.waitFor((screen) => screen.includes("name: "));
    terminal.type("typed-name");
    terminal.keys("Enter");
    await terminal.waitFor((screen) => screen.includes("password: "));
    terminal.type(password);
    terminal.keys("Enter");
    const screen = await terminal.waitFor((text) => text.includes("all done"));
    expect(screen).toContain(`hello typed-name, ${password.length} characters`);
    expect(screen).not.toContain(password);
    const entry = await until(async () => {
      const newest = await newestEntry(app).catch(() => undefined);
      return newest?.recording ? newest : undefined;
    });
    return entry.runId;
  }

  it("is recorded as input events with record: input, the password the terminal did not echo among them", async () => {
    const app = appDir("record: input\n");
    const password = `pw-${Math.random().toString(16).slice(2, 10)}`;
    const cast = rawRecording(await typeAtConsole(app, password));
    const typed = textOf(cast, "i");
    expect(typed).toContain("typed-name\r");
    expect(typed).toContain(`${password}\r`);
    // The screen showed the name (echoed), never the password.
    expect(textOf(cast, "o")).toContain("typed-name");
    expect(textOf(cast, "o")).not.toContain(password);
  });

  it("is not recorded with record: true: no input events, and the password the terminal did not echo is nowhere", async () => {
    const app = appDir("record: true\n");
    const password = `pw-${Math.random().toString(16).slice(2, 10)}`;
    const cast = rawRecording(await typeAtConsole(app, password));
    expect(castEvents(cast).filter(([, code]) => code === "i")).toEqual([]);
    expect(cast).not.toContain(password);
    // What the terminal echoed is output, and kept as such.
    expect(textOf(cast, "o")).toContain("typed-name");
  });
});

describe("what a recording keeps", () => {
  it("masks a secret the one-off prints back, split across two writes, in the replayed cast and on the engine", async () => {
    const app = appDir();
    const printBack = 'printf %s "$TOKEN" | head -c 7; sleep 0.5; printf "%s\\n" "$(printf %s "$TOKEN" | tail -c +8)"';
    // Spawned: the secret values a run masks are remembered per process (output/redact.ts), and
    // in this one, other tests' runs of the same secret would mask for a run that forgot it.
    const run = await oneoff(["run", "--record", "--", "sh", "-c", printBack], { cwd: app.dir, env: app.env });
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toBe(`${SECRET}\n`);
    const runId = /oneoff replay ([0-9a-f]+)/.exec(run.stderr)?.[1] as string;
    expect(runId).toBeTruthy();
    const cast = await oneoffInProcess(["replay", runId, "--cast"], { cwd: app.dir, env: app.env });
    expect(cast.code).toBe(0);
    expect(cast.stdout.toString()).not.toContain(SECRET);
    expect(cast.stdout.toString()).toContain("*****");
    const raw = rawRecording(runId);
    expect(raw).not.toContain(SECRET);
    expect(raw).toContain("*****");
    // Neither half alone is there as one event's text either.
    expect(raw).not.toContain(SECRET.slice(0, 7));
  });

  it("records a one-off without a terminal as two streams, and replays each to its own", async () => {
    const app = appDir();
    const run = await oneoffInProcess(
      ["run", "--record", "--", "sh", "-c", "echo to-out; sleep 0.2; echo to-err >&2; sleep 0.2; echo out-again"],
      {
        cwd: app.dir,
        env: app.env,
      },
    );
    expect(run.code).toBe(0);
    const runId = /oneoff replay ([0-9a-f]+)/.exec(run.stderr)?.[1] as string;
    const raw = rawRecording(runId);
    expect(raw).toMatch(/"e","to-err\\n"/);
    const replay = await oneoffInProcess(["replay", runId, "--speed", "1000"], { cwd: app.dir, env: app.env });
    expect(replay.code).toBe(0);
    expect(replay.stdout.toString()).toBe("to-out\nout-again\n");
    expect(replay.stderr).toBe("to-err\n");
    // The standard file plays stderr as output (asciinema skips "e").
    const cast = (await oneoffInProcess(["replay", runId, "--cast"], { cwd: app.dir, env: app.env })).stdout.toString();
    expect(cast).not.toMatch(/"e",/);
    expect(cast).toMatch(/"o","to-err\\n"/);
  });

  it("records over the ssh engine and replays over the TLS engine: both reach the same recording", async () => {
    const app = appDir();
    // The ssh oneoff finds on PATH is the test engines' (their config, keys and known_hosts).
    const ssh = {
      ...app.env,
      DOCKER_HOST: "ssh://root@127.0.0.1:2222",
      PATH: `/tmp/oneoff-remote-engines/ssh/bin:${process.env.PATH}`,
      DOCKER_CONTEXT: undefined,
    };
    const tls = {
      ...app.env,
      DOCKER_HOST: "tcp://127.0.0.1:23760",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/tmp/oneoff-remote-engines/client",
      DOCKER_CONTEXT: undefined,
    };
    // Spawned: over ssh, oneoff finds ssh on its own process's PATH and ends its ssh children as it exits.
    const run = await oneoff(["run", "--record", "--", "sh", "-c", 'echo "over ssh $TOKEN"; echo to-err >&2'], { cwd: app.dir, env: ssh });
    expect(run.code).toBe(0);
    const runId = /oneoff replay ([0-9a-f]+)/.exec(run.stderr)?.[1] as string;
    expect(runId).toMatch(/^[0-9a-f]{16}$/);
    const replay = await oneoffInProcess(["replay", runId, "--speed", "1000"], { cwd: app.dir, env: tls });
    expect(replay.code).toBe(0);
    expect(replay.stdout.toString()).toBe("over ssh *****\n");
    expect(replay.stderr).toBe("to-err\n");
  });

  it("stops at record_limit with a marker, and history says the recording was cut", async () => {
    const app = appDir("record_limit: 1k\n");
    const run = await oneoffInProcess(["run", "--record", "--", "seq", "1", "3000"], { cwd: app.dir, env: app.env });
    expect(run.code).toBe(0);
    expect(run.stdout.toString().split("\n")).toHaveLength(3001);
    const entry = await newestEntry(app);
    expect(entry.recording?.cut).toBe(true);
    const lines = rawRecording(entry.runId).trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\[[\d.]+,"m","recording cut at 1k \(record_limit\)"\]$/);
    const table = await oneoffInProcess(["history", "-n", "1"], { cwd: app.dir, env: app.env });
    expect(table.stdout.toString()).toContain(`${entry.runId} (cut)`);
  });

  it("does not record a task whose record: false beats --record, and says so in one line", async () => {
    const app = appDir("tasks:\n  customers:\n    command: [echo, customer data]\n    record: false\n");
    const run = await oneoffInProcess(["run", "--record", "customers"], { cwd: app.dir, env: app.env });
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toBe("customer data\n");
    expect(run.stderr).toContain(
      "oneoff: not recording this session: tasks.customers.record is false in oneoff.yaml, which --record does not override\n",
    );
    expect(run.stderr).not.toContain("oneoff replay");
    expect(recordingVolumes(app.name)).toEqual([]);
    const entry = await newestEntry(app);
    expect(entry.recording).toBeUndefined();
    const replay = await oneoffInProcess(["replay", entry.runId], { cwd: app.dir, env: app.env });
    expect(replay.code).toBe(125);
    expect(replay.stderr).toBe(
      `oneoff: replay ${entry.runId}: the run was not recorded (record: true in oneoff.yaml, or --record, records a run)\n`,
    );
  });

  it("carries the run's own labels, as its record does, so a label selector finds both", async () => {
    const app = appDir();
    const team = `team-${Math.random().toString(16).slice(2, 10)}`;
    const run = await oneoffInProcess(["run", "--record", "--label", `rec.team=${team}`, "--", "echo", "labelled"], {
      cwd: app.dir,
      env: app.env,
    });
    expect(run.code).toBe(0);
    const runId = recordedRunId(run.stderr);
    expect(runId).toBeTruthy();
    const selected = docker("volume", "ls", "-q", "--filter", `label=rec.team=${team}`).split("\n").filter(Boolean).sort();
    expect(selected).toEqual([`oneoff-record-${runId}`, `oneoff-recording-${runId}`].sort());
    const labels = JSON.parse(docker("volume", "inspect", "-f", "{{json .Labels}}", `oneoff-recording-${runId}`)) as Record<string, string>;
    expect(labels).toEqual({
      "rec.team": team,
      "oneoff.test-run": FILE_RUN,
      "io.oneoff.recording": "true",
      "io.oneoff.recording.run": runId,
      "io.oneoff.recording.app": app.name,
    });
  });

  it("is pruned with its record by history_keep", async () => {
    const app = appDir("history_keep: 1\nrecord: true\n");
    const first = await oneoffInProcess(["run", "--", "echo", "first"], { cwd: app.dir, env: app.env });
    const firstId = /oneoff replay ([0-9a-f]+)/.exec(first.stderr)?.[1] as string;
    expect(recordingVolumes(app.name)).toEqual([`oneoff-recording-${firstId}`]);
    // Started later: the newer record is kept.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await oneoffInProcess(["run", "--", "echo", "second"], { cwd: app.dir, env: app.env });
    const secondId = /oneoff replay ([0-9a-f]+)/.exec(second.stderr)?.[1] as string;
    expect(secondId).not.toBe(firstId);
    // The second run's watchdog may prune as it ends (a due reap); cleanup prunes in any case.
    const cleanup = await oneoffInProcess(["cleanup"], { cwd: app.dir, env: app.env });
    expect(cleanup.code).toBe(0);
    expect(recordingVolumes(app.name)).toEqual([`oneoff-recording-${secondId}`]);
    const replay = await oneoffInProcess(["replay", firstId], { cwd: app.dir, env: app.env });
    expect(replay.code).toBe(125);
    expect(replay.stderr).toMatch(new RegExp(`^oneoff: replay ${firstId}: no such run in ${app.name}'s history`));
  });
});

describe("replay of another app's run", () => {
  it("finds it with --all-apps, and without says in one line that this app has no such run", async () => {
    const recorded = appDir();
    const other = appDir();
    const run = await oneoffInProcess(["run", "--record", "--", "echo", "from the other app"], { cwd: recorded.dir, env: recorded.env });
    expect(run.code).toBe(0);
    const runId = recordedRunId(run.stderr);
    expect(runId).toBeTruthy();
    const refused = await oneoffInProcess(["replay", runId, "--speed", "1000"], { cwd: other.dir, env: other.env });
    expect(refused.code).toBe(125);
    expect(refused.stdout.toString()).toBe("");
    expect(refused.stderr).toMatch(
      new RegExp(
        `^oneoff: replay ${runId}: no such run in ${other.name}'s history on the engine at \\S+ \\(oneoff history lists them; --all-apps for another app's\\)\\n$`,
      ),
    );
    const found = await oneoffInProcess(["replay", runId, "--all-apps", "--speed", "1000"], { cwd: other.dir, env: other.env });
    expect(found.code).toBe(0);
    expect(found.stdout.toString()).toBe("from the other app\n");
  });
});

describe("the library's record option", () => {
  it("records a run({ record: true }) of dist/index.js, which replay finds", async () => {
    const app = appDir();
    const script = path.join(app.dir, "library-run.mjs");
    writeFileSync(
      script,
      `
import { Writable } from "node:stream";
import { run } from ${JSON.stringify(path.join(ROOT, "dist/index.js"))};
const chunks = [];
const stdout = new Writable({ write(chunk, _encoding, done) { chunks.push(chunk); done(); } });
const stderr = new Writable({ write(_chunk, _encoding, done) { done(); } });
const result = await run({ command: ["sh", "-c", "echo from the library $TOKEN"], record: true, quiet: true }, { stdout, stderr });
console.log(JSON.stringify({ exitCode: result.exitCode, stdout: Buffer.concat(chunks).toString() }));
`,
    );
    const output = execFileSync(process.execPath, [script], { cwd: app.dir, env: { ...process.env, ...app.env }, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ exitCode: 0, stdout: `from the library ${SECRET}\n` });
    const entry = await newestEntry(app);
    expect(entry.recording?.cut).toBe(false);
    const replay = await oneoffInProcess(["replay", entry.runId, "--speed", "1000"], { cwd: app.dir, env: app.env });
    expect(replay.code).toBe(0);
    expect(replay.stdout.toString()).toBe("from the library *****\n");
  });
});
