/**
 * ssh:// engines the way the docker CLI reaches them (cli/connhelper): each connection is an
 * `ssh ... -- HOST docker system dial-stdio` child whose stdin/stdout carry the HTTP bytes.
 * Not through docker-modem's own ssh support: that needs ssh2, which the bundle leaves out
 * (absent.ts), and would not read the user's ~/.ssh/config, agent or known_hosts as ssh does.
 *
 * No child outlives oneoff: each is killed when its stream is destroyed, and all that remain
 * when the process exits. For a oneoff killed outright (SIGKILL), ssh runs under
 * `setpriv --pdeathsig TERM` where there is one (util-linux), as the docker CLI gives its ssh
 * Pdeathsig: a closed stdin alone does not end ssh while the engine keeps the far side open
 * (an attach to a container that was removed before it started).
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { http } from "./node-http.js";
import { Duplex, type Readable, type Writable } from "node:stream";
import { sshArguments, type Connection } from "./connection.js";

type SshConnection = Extract<Connection, { kind: "ssh" }>;
type SshChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** The error code translateEngineError turns into one "cannot reach the engine" line. */
export const DIAL_FAILED = "ONEOFF_DIAL_FAILED";

const children = new Set<SshChild>();
let killedOnExit = false;

function killAll(): void {
  for (const child of children) child.kill("SIGTERM");
}

/** A duplex over one `ssh ... docker system dial-stdio` child: a socket as far as http cares. */
export class SshStream extends Duplex {
  private stderrTail = "";
  private readonly child: SshChild;

  constructor(private readonly connection: SshConnection) {
    super({ allowHalfOpen: true });
    if (!killedOnExit) process.on("exit", killAll);
    killedOnExit = true;
    // Its own session, as the docker CLI does (Setsid): a Ctrl-C meant for the one-off must
    // not kill the connection before oneoff has passed the signal on.
    const wrapper = deathSignalWrapper();
    const [command, args] = wrapper
      ? [wrapper, ["--pdeathsig", "TERM", "--", "ssh", ...sshArguments(connection)]]
      : ["ssh", sshArguments(connection)];
    this.child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
    const child = this.child;
    children.add(child);
    child.stdout.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (this.stderrTail = (this.stderrTail + text).slice(-4096)));
    // EPIPE once ssh is gone: "close" below says why it went.
    child.stdin.on("error", () => {});
    child.once("error", (error: NodeJS.ErrnoException) =>
      this.ended(error.code === "ENOENT" ? notInstalled() : dialError(`cannot run ssh: ${error.message}`, "")),
    );
    child.once("close", (code, signal) => {
      if (code === 0 || signal !== null || this.destroyed) this.ended();
      else this.ended(this.failure(code ?? -1));
    });
  }

  private ended(error?: Error): void {
    children.delete(this.child);
    if (this.destroyed) return;
    if (error) this.destroy(error);
    else this.push(null);
  }

  private failure(code: number): Error {
    if (code === 127 && /^setpriv: failed to execute ssh: No such file/m.test(this.stderrTail)) return notInstalled();
    const line = lastLine(this.stderrTail) || `ssh exited with ${code}`;
    const { host } = this.connection;
    const login = `${this.connection.user ? `${this.connection.user}@` : ""}${host}`;
    if (code === 255)
      return dialError(
        `ssh to ${login} failed: ${line}`,
        `check that ssh ${login}${this.connection.port ? ` -p ${this.connection.port}` : ""} logs in without a prompt (keys, ssh-agent, known_hosts)`,
      );
    if (code === 127)
      return dialError(
        `no docker command on ${host}: ${line}`,
        `install the docker CLI there: oneoff runs docker system dial-stdio over ssh, as docker does`,
      );
    return dialError(`docker system dial-stdio on ${host} failed: ${line}`, `check the engine there: ssh ${login} docker info`);
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.child.stdin.write(chunk)) callback();
    else this.child.stdin.once("drain", () => callback());
  }

  /** EOF on the hijacked stream: ssh passes it on, and dial-stdio half-closes toward the engine. */
  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    callback(error);
  }

  // What http's client and Agent call on a socket. Timeouts and Nagle mean nothing for a pipe;
  // ref/unref decide whether an idle keep-alive connection holds the process open.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { ref?: () => void }).ref?.();
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    return this;
  }
}

/** The keep-alive agent dockerode's requests go through: one ssh child per pooled connection. */
export class SshAgent extends http.Agent {
  constructor(private readonly connection: SshConnection) {
    super({ keepAlive: true });
  }

  override createConnection(): Duplex {
    return new SshStream(this.connection);
  }
}

let wrapperFound: string | undefined | null = null;

/** setpriv on PATH, looked up once. */
function deathSignalWrapper(): string | undefined {
  if (wrapperFound !== null) return wrapperFound;
  wrapperFound = undefined;
  if (process.platform !== "linux") return wrapperFound;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", "setpriv");
    try {
      accessSync(candidate, constants.X_OK);
      wrapperFound = candidate;
      break;
    } catch {
      // not here
    }
  }
  return wrapperFound;
}

function dialError(message: string, hint: string): Error {
  return Object.assign(new Error(message), { code: DIAL_FAILED, hint });
}

function notInstalled(): Error {
  return dialError(
    "ssh is not installed here (no ssh on PATH)",
    "install an OpenSSH client, or reach the engine through tcp:// or a unix socket",
  );
}

/** ssh's last word, without its chatter about known hosts. */
function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("Warning: Permanently added"));
  return lines.at(-1) ?? "";
}
