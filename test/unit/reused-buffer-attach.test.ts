/**
 * The attach that reads into a reused buffer, against a socket server of the test's own that
 * answers as the engine does: the bytes a slow destination gets are exactly those sent (a
 * reused buffer overwritten too early would show), an answer head split over reads is found,
 * and a refusal carries the engine's status and message.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { reusedBufferAttach } from "../../src/engine/docker/reused-buffer-attach.js";
import { markWritesThrough, outputForwarder } from "../../src/session/output.js";
import { silentReporter } from "../../src/output/reporter.js";

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A unix socket server that answers each connection with `answer(socket, request)`. */
async function engine(answer: (socket: net.Socket, request: string) => void): Promise<string> {
  const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-attach-")), "engine.sock");
  const server = net.createServer((socket) => {
    let request = "";
    socket.on("data", (chunk) => {
      request += chunk.toString("latin1");
      if (request.includes("\r\n\r\n")) answer(socket, request);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

const frame = (type: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([type, 0, 0, 0, ...[24, 16, 8, 0].map((s) => (payload.length >>> s) & 255)]), payload]);

/**
 * A destination that takes each chunk only after a while, as a slow pipe does, and accepts
 * many before it asks to wait (a high-water mark above the whole output): it holds the chunks
 * it was given, which is what reusing a buffer too early would overwrite.
 */
function slowSink(): Writable & { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 64 * 2 ** 20,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      setTimeout(done, 1);
    },
  });
  return Object.assign(sink, { bytes: () => Buffer.concat(chunks) });
}

describe("attach reading into a reused buffer", () => {
  it("hands a slow destination exactly the bytes sent, head split over reads and all", async () => {
    const stdoutBytes = randomBytes(3 * 2 ** 20);
    const stderrBytes = randomBytes(2 ** 20);
    const socketPath = await engine((socket) => {
      // The head in three pieces, the first frames right behind it.
      socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n");
      setTimeout(() => socket.write("Connection: Upgrade\r\nUpgrade: tcp\r"), 5);
      setTimeout(() => {
        const frames: Buffer[] = [Buffer.from("\n\r\n")];
        for (let i = 0; i * 40_000 < stdoutBytes.length; i++) {
          frames.push(frame(1, stdoutBytes.subarray(i * 40_000, (i + 1) * 40_000)));
          if (i * 13_334 < stderrBytes.length) frames.push(frame(2, stderrBytes.subarray(i * 13_334, (i + 1) * 13_334)));
        }
        // In pieces, a moment apart: each read then finds the queues as the last one left them.
        const all = Buffer.concat(frames);
        const send = (offset: number) => {
          if (offset >= all.length) socket.end();
          else socket.write(all.subarray(offset, offset + 32_768), () => setTimeout(() => send(offset + 32_768), 0));
        };
        send(0);
      }, 10);
    });
    const stdout = slowSink();
    const stderr = slowSink();
    // They copy what they write (as the process's own streams keep nothing): the buffer may be
    // reused whenever their queues are empty.
    markWritesThrough(stdout, stderr);
    const forwarder = outputForwarder({ stdout, stderr }, { tty: false, report: silentReporter });
    const stream = await reusedBufferAttach(
      { kind: "unix", socketPath },
      "/containers/x/attach?stream=1&stdout=1&stderr=1",
      forwarder.idle,
    );
    expect(await forwarder.forward(stream)).toBeUndefined();
    // The forwarder never ends the caller's streams: end them here, once they have taken all.
    await Promise.all([stdout, stderr].map((sink) => new Promise((resolve) => sink.end(resolve))));
    const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");
    expect(md5(stdout.bytes())).toBe(md5(stdoutBytes));
    expect(md5(stderr.bytes())).toBe(md5(stderrBytes));
  });

  it("sends the upgrade request with no body, and rejects a refusal with the engine's status and message", async () => {
    let seen = "";
    const socketPath = await engine((socket, request) => {
      seen = request;
      const body = JSON.stringify({ message: "No such container: x" });
      socket.write(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      setTimeout(() => socket.write(body), 5);
    });
    const attempt = reusedBufferAttach({ kind: "unix", socketPath }, "/containers/x/attach?stream=1", () => true);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 404,
      json: { message: "No such container: x" },
      message: "No such container: x",
    });
    expect(seen).toMatch(/^POST \/containers\/x\/attach\?stream=1 HTTP\/1\.1\r\n/);
    expect(seen).toMatch(/\r\nUpgrade: tcp\r\n/);
    expect(seen.endsWith("\r\n\r\n")).toBe(true);
  });

  it("rejects as unreachable when nothing listens", async () => {
    const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-attach-")), "none.sock");
    await expect(reusedBufferAttach({ kind: "unix", socketPath }, "/x", () => true)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reads into a new buffer every time for a caller's own streams, which may keep the chunks they get", async () => {
    const bytes = randomBytes(2 ** 20);
    const socketPath = await engine((socket) => {
      const frames = [Buffer.from("HTTP/1.1 101 UPGRADED\r\n\r\n")];
      for (let offset = 0; offset < bytes.length; offset += 50_000) frames.push(frame(1, bytes.subarray(offset, offset + 50_000)));
      const all = Buffer.concat(frames);
      const send = (offset: number) => {
        if (offset >= all.length) socket.end();
        else socket.write(all.subarray(offset, offset + 32_768), () => setTimeout(() => send(offset + 32_768), 0));
      };
      send(0);
    });
    // Takes each chunk at once and keeps it as it is, as a caller collecting output does.
    const kept: Buffer[] = [];
    const stdout = new Writable({ write: (chunk: Buffer, _encoding, done) => (kept.push(chunk), done()) });
    const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
    const forwarder = outputForwarder({ stdout, stderr }, { tty: false, report: silentReporter });
    const stream = await reusedBufferAttach({ kind: "unix", socketPath }, "/containers/x/attach?stream=1&stdout=1", forwarder.idle);
    expect(await forwarder.forward(stream)).toBeUndefined();
    expect(Buffer.concat(kept).equals(bytes)).toBe(true);
  });

  it("works the same over plain tcp", async () => {
    const bytes = randomBytes(2 ** 19);
    const server = net.createServer((socket) => {
      socket.once("data", () => {
        socket.end(Buffer.concat([Buffer.from("HTTP/1.1 101 UPGRADED\r\n\r\n"), frame(1, bytes), frame(2, Buffer.from("on stderr"))]));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sink = (name: "stdout" | "stderr") =>
      new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks[name].push(Buffer.from(chunk)), done()) });
    const forwarder = outputForwarder({ stdout: sink("stdout"), stderr: sink("stderr") }, { tty: false, report: silentReporter });
    const stream = await reusedBufferAttach({ kind: "tcp", host: "127.0.0.1", port }, "/containers/x/attach?stream=1", forwarder.idle);
    expect(await forwarder.forward(stream)).toBeUndefined();
    expect(Buffer.concat(chunks.stdout).equals(bytes)).toBe(true);
    expect(Buffer.concat(chunks.stderr).toString()).toBe("on stderr");
  });
});
