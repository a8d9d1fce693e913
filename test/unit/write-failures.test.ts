import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { onWriteFailure, watchWrites, WriteFailed, writesSettled } from "../../src/output/write-failures.js";

/** A stream whose writes fail as a full disk's, a hung-up terminal's or a closed pipe's do. */
function failing(error: Error & { code?: string }): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done(error) });
}
const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("write failures of oneoff's stdout and stderr", () => {
  it.each([
    ["ENOSPC", "ENOSPC: no space left on device, write", "could not write to stdout: no space left on device (ENOSPC)", 125],
    ["EIO", "EIO: i/o error, write", "could not write to stdout: i/o error (EIO)", 125],
    ["EPIPE", "write EPIPE", "could not write to stdout: its reader went away (EPIPE)", 141],
  ])(
    "names the stream and says why in one line for %s, with its exit code (125, or 141 for EPIPE)",
    async (code, message, line, exitCode) => {
      const stream = failing(systemError(code, message));
      watchWrites(stream, "stdout");
      stream.write("x");
      const failure = await writesSettled(stream);
      expect(failure).toBeInstanceOf(WriteFailed);
      expect(failure?.message).toBe(line);
      expect(failure?.exitCode).toBe(exitCode);
      expect(failure?.readerGone).toBe(code === "EPIPE");
    },
  );

  it("keeps the first failure and the first name, and tells a listener that comes after it", async () => {
    const stream = failing(systemError("ENOSPC", "ENOSPC: no space left on device, write"));
    watchWrites(stream, "stderr");
    stream.write("x");
    const first = await writesSettled(stream);
    const told = await new Promise<WriteFailed>((resolve) => onWriteFailure(stream, "stdout", resolve));
    expect(told).toBe(first);
    expect(told.stream).toBe("stderr");
  });

  it("finds nothing on a stream whose writes went out", async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), setTimeout(done, 5)) });
    watchWrites(stream, "stdout");
    stream.write("a");
    stream.write("b");
    expect(await writesSettled(stream)).toBeUndefined();
    expect(Buffer.concat(chunks).toString()).toBe("ab");
  });
});
