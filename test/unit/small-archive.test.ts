/**
 * Reading a small file out of an image (/etc/passwd, /etc/group), against a socket server of
 * the test's own that answers as the engine's archive endpoint does: a file past the cap is
 * refused after reading only about the cap, whatever the image holds (a hostile image could
 * otherwise fill oneoff's memory with a huge /etc/passwd).
 */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSmallArchive } from "../../src/engine/docker/archive.js";
import { tarFileText } from "../../src/engine/archive-answers.js";

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** The header of a tar entry for the regular file `name` of `size` bytes. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, "ascii");
  header.write("0000644\0", 100, "ascii");
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  header.write("0", 156, "ascii");
  return header;
}

const LINE = "app:x:1000:1000::/home/app:/bin/sh\n";

/**
 * An engine that answers GET archive with the tar of a passwd file of `fileSize` bytes (made
 * as it is sent), written as fast as the client reads; `sent()` says how many bytes it got to
 * write before the client hung up.
 */
async function engineSending(fileSize: number): Promise<{ socketPath: string; sent: () => number }> {
  const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-archive-")), "engine.sock");
  let sent = 0;
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    let request = "";
    socket.on("data", (chunk) => {
      request += chunk.toString("latin1");
      if (!request.includes("\r\n\r\n")) return;
      const padding = (512 - (fileSize % 512)) % 512;
      const total = 512 + fileSize + padding + 1024;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: ${total}\r\n\r\n`);
      socket.write(tarHeader("passwd", fileSize));
      const piece = Buffer.from(LINE.repeat(2048));
      let content = 0;
      const writeMore = () => {
        while (content < fileSize && !socket.destroyed) {
          const chunk = piece.subarray(0, Math.min(piece.length, fileSize - content));
          content += chunk.length;
          sent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once("drain", writeMore);
            return;
          }
        }
        if (content >= fileSize && !socket.destroyed) socket.end(Buffer.alloc(padding + 1024));
      };
      writeMore();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, sent: () => sent };
}

const target = (socketPath: string) => ({ connection: { kind: "unix" as const, socketPath, endpoint: `unix://${socketPath}` } });

describe("reading a small file out of an image", () => {
  it("reads a file under 1 MiB whole", async () => {
    const { socketPath } = await engineSending(1024 * 1024 - 4096);
    const tar = await readSmallArchive(target(socketPath), "c1", "/etc/passwd");
    expect(Buffer.isBuffer(tar)).toBe(true);
    expect(tarFileText(tar as Buffer)).toHaveLength(1024 * 1024 - 4096);
  });

  it("refuses a file over 1 MiB after reading about that much of it, not the rest", async () => {
    const engine = await engineSending(64 * 1024 * 1024);
    const tar = await readSmallArchive(target(engine.socketPath), "c1", "/etc/passwd");
    // Said as a size: a failing assertion must not print megabytes.
    expect(Buffer.isBuffer(tar) ? `a tar of ${tar.length} bytes` : tar).toBe("too large");
    // The server fills the socket's buffers ahead of the client: a few MiB, never the 64.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(engine.sent()).toBeLessThan(16 * 1024 * 1024);
  });
});
