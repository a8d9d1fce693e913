import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { FrameDemuxer } from "../../src/session/demux.js";
import { WriteFailed } from "../../src/output/write-failures.js";

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const SYSTEM_ERROR = 3;

/** One frame of the engine's multiplexed attach stream. */
function frame(type: number, payload: Buffer | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** A deterministic generator, so a failing split can be replayed. */
function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

interface Sink {
  stream: Writable;
  bytes: () => Buffer;
}

function sink(options: { highWaterMark?: number } = {}): Sink {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    ...options,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

async function finished(...streams: Writable[]): Promise<void> {
  await Promise.all(
    streams.map((stream) => {
      stream.end();
      return once(stream, "finish");
    }),
  );
}

/** Feeds `chunks` through a demuxer (with backpressure, as the engine socket would) and collects what came out. */
async function demux(chunks: Buffer[]): Promise<{ stdout: Buffer; stderr: Buffer; systemErrors: string[] }> {
  const stdout = sink();
  const stderr = sink();
  const systemErrors: string[] = [];
  await pipeline(
    Readable.from(chunks.filter((chunk) => chunk.length > 0)),
    new FrameDemuxer(stdout.stream, stderr.stream, (message) => systemErrors.push(message)),
  );
  await finished(stdout.stream, stderr.stream);
  return { stdout: stdout.bytes(), stderr: stderr.bytes(), systemErrors };
}

/** A stream of frames with random payloads (empty ones, and every byte value 0-255 among them). */
function randomStream(seed: number, frameCount: number, maxPayload: number) {
  const random = seededRandom(seed);
  const frames: Buffer[] = [];
  const expected = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for (let i = 0; i < frameCount; i++) {
    const type = random(2) === 0 ? STDOUT : STDERR;
    const length = i % 5 === 0 ? 0 : random(maxPayload + 1);
    const payload = Buffer.from(Array.from({ length }, () => random(256)));
    frames.push(frame(type, payload));
    (type === STDOUT ? expected.stdout : expected.stderr).push(payload);
  }
  // One frame of every byte value, on each stream.
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
  frames.push(frame(STDOUT, everyByte), frame(STDERR, Buffer.from(everyByte).reverse()));
  expected.stdout.push(everyByte);
  expected.stderr.push(Buffer.from(everyByte).reverse());
  return { bytes: Buffer.concat(frames), stdout: Buffer.concat(expected.stdout), stderr: Buffer.concat(expected.stderr) };
}

function splitRandomly(bytes: Buffer, random: (n: number) => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + random(maxChunk);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("FrameDemuxer", () => {
  it.each([
    ["one stdout frame", [frame(STDOUT, "hello\n")], "hello\n", ""],
    ["one stderr frame", [frame(STDERR, "oops\n")], "", "oops\n"],
    ["interleaved frames", [frame(STDOUT, "a"), frame(STDERR, "b"), frame(STDOUT, "c"), frame(STDERR, "d")], "ac", "bd"],
    ["empty payloads", [frame(STDOUT, ""), frame(STDERR, ""), frame(STDOUT, "x"), frame(STDOUT, "")], "x", ""],
    ["a stdin-typed frame as stdout", [frame(STDIN, "echoed")], "echoed", ""],
    ["no frames at all", [], "", ""],
  ])("routes %s", async (_name, frames, stdout, stderr) => {
    const result = await demux([Buffer.concat(frames)]);
    expect(result.stdout.toString()).toBe(stdout);
    expect(result.stderr.toString()).toBe(stderr);
  });

  it("delivers exactly each stream's bytes when the input is split in two at every offset", async () => {
    const stream = randomStream(1, 12, 24);
    for (let offset = 0; offset <= stream.bytes.length; offset++) {
      const result = await demux([stream.bytes.subarray(0, offset), stream.bytes.subarray(offset)]);
      expect(result.stdout.equals(stream.stdout), `split at ${offset}: stdout`).toBe(true);
      expect(result.stderr.equals(stream.stderr), `split at ${offset}: stderr`).toBe(true);
    }
  });

  it("delivers exactly each stream's bytes when fed one byte at a time", async () => {
    const stream = randomStream(2, 10, 40);
    const result = await demux(Array.from(stream.bytes, (byte) => Buffer.from([byte])));
    expect(result.stdout.equals(stream.stdout)).toBe(true);
    expect(result.stderr.equals(stream.stderr)).toBe(true);
  });

  it.each([3, 4, 5, 6, 7, 8, 9, 10])("delivers exactly each stream's bytes in random chunk sizes (seed %i)", async (seed) => {
    const stream = randomStream(seed, 60, 300);
    const random = seededRandom(seed * 7919);
    for (const maxChunk of [3, 17, 64, 1000]) {
      const result = await demux(splitRandomly(stream.bytes, random, maxChunk));
      expect(result.stdout.equals(stream.stdout), `max chunk ${maxChunk}: stdout`).toBe(true);
      expect(result.stderr.equals(stream.stderr), `max chunk ${maxChunk}: stderr`).toBe(true);
    }
  });

  it("carries a large payload spread over many chunks", async () => {
    const payload = Buffer.alloc(300_000, 0xab);
    const bytes = frame(STDERR, payload);
    const result = await demux(splitRandomly(bytes, seededRandom(11), 8192));
    expect(result.stderr.equals(payload)).toBe(true);
    expect(result.stdout).toHaveLength(0);
  });

  it.each([4, 7, 42, 255])("fails on a frame of unknown type %i, naming the type", async (type) => {
    const bytes = Buffer.concat([frame(STDOUT, "before"), frame(type, "junk")]);
    await expect(demux([bytes])).rejects.toThrow(`the engine sent an output frame of unknown type ${type}: the stream is not multiplexed`);
  });

  it("fails on raw (non-multiplexed) output", async () => {
    await expect(demux([Buffer.from("hello from a TTY stream\n")])).rejects.toThrow(/unknown type 104/);
  });

  it.each([
    ["inside a header", Buffer.concat([frame(STDOUT, "ok"), frame(STDOUT, "next").subarray(0, 5)])],
    ["inside a payload", frame(STDOUT, "truncated payload").subarray(0, 12)],
    ["right after a header", frame(STDERR, "never sent").subarray(0, 8)],
  ])("fails when the stream ends %s", async (_name, bytes) => {
    await expect(demux([bytes])).rejects.toThrow(
      "the engine closed the output stream in the middle of a frame: the last output may be incomplete",
    );
  });

  it("does not fail when the stream ends right after a frame with an empty payload", async () => {
    const result = await demux([frame(STDOUT, "x"), frame(STDERR, "")]);
    expect(result.stdout.toString()).toBe("x");
  });

  it("passes a system error frame to onSystemError instead of the output", async () => {
    const result = await demux([Buffer.concat([frame(STDOUT, "out"), frame(SYSTEM_ERROR, "container killed: OOM"), frame(STDERR, "err")])]);
    expect(result.systemErrors).toEqual(["container killed: OOM"]);
    expect(result.stdout.toString()).toBe("out");
    expect(result.stderr.toString()).toBe("err");
  });

  it("passes every piece of a system error frame split across chunks to onSystemError", async () => {
    const bytes = frame(SYSTEM_ERROR, "exec failed: no such file");
    const result = await demux([bytes.subarray(0, 14), bytes.subarray(14)]);
    expect(result.systemErrors.join("")).toBe("exec failed: no such file");
  });

  it("works without an onSystemError callback", async () => {
    const stdout = sink();
    const stderr = sink();
    await pipeline(
      Readable.from([Buffer.concat([frame(SYSTEM_ERROR, "ignored"), frame(STDOUT, "kept")])]),
      new FrameDemuxer(stdout.stream, stderr.stream),
    );
    await finished(stdout.stream, stderr.stream);
    expect(stdout.bytes().toString()).toBe("kept");
    expect(stderr.bytes()).toHaveLength(0);
  });

  describe("backpressure", () => {
    /** A destination that takes one chunk at a time and finishes each only when told to. */
    function slowSink() {
      const received: Buffer[] = [];
      const pending: Array<() => void> = [];
      const stream = new Writable({
        highWaterMark: 1,
        write(chunk: Buffer, _encoding, done) {
          received.push(Buffer.from(chunk));
          pending.push(() => done());
        },
      });
      return {
        stream,
        received,
        pendingCount: () => pending.length,
        release: () => pending.splice(0).forEach((done) => done()),
      };
    }

    it("acknowledges a chunk only after the slow destination drains", async () => {
      const stdout = slowSink();
      const stderr = sink();
      const demuxer = new FrameDemuxer(stdout.stream, stderr.stream);
      let acknowledged = false;
      demuxer.write(frame(STDOUT, "x".repeat(100)), () => {
        acknowledged = true;
      });
      for (let i = 0; i < 5; i++) await tick();
      expect(stdout.pendingCount()).toBe(1);
      expect(acknowledged).toBe(false);

      stdout.release();
      for (let i = 0; i < 5 && !acknowledged; i++) await tick();
      expect(acknowledged).toBe(true);
      expect(Buffer.concat(stdout.received).toString()).toBe("x".repeat(100));
    });

    it("waits for both destinations when one chunk fills both", async () => {
      const stdout = slowSink();
      const stderr = slowSink();
      const demuxer = new FrameDemuxer(stdout.stream, stderr.stream);
      let acknowledged = false;
      demuxer.write(Buffer.concat([frame(STDOUT, "out"), frame(STDERR, "err")]), () => {
        acknowledged = true;
      });
      for (let i = 0; i < 5; i++) await tick();
      expect(acknowledged).toBe(false);

      stdout.release();
      for (let i = 0; i < 5; i++) await tick();
      expect(acknowledged).toBe(false);

      stderr.release();
      for (let i = 0; i < 5 && !acknowledged; i++) await tick();
      expect(acknowledged).toBe(true);
    });

    it("does not write the next chunk's frames while the destination is still full", async () => {
      const stdout = slowSink();
      const demuxer = new FrameDemuxer(stdout.stream, sink().stream);
      demuxer.write(frame(STDOUT, "first"));
      demuxer.write(frame(STDOUT, "second"));
      for (let i = 0; i < 5; i++) await tick();
      expect(stdout.received.map(String)).toEqual(["first"]);

      stdout.release();
      for (let i = 0; i < 5 && stdout.received.length < 2; i++) await tick();
      expect(stdout.received.map(String)).toEqual(["first", "second"]);
    });

    it("keeps a fast source from running far ahead of a slow destination", async () => {
      const chunkSize = 1024;
      const totalChunks = 2048; // 2 MiB
      let produced = 0;
      let consumed = 0;
      let largestLead = 0;
      async function* source() {
        for (let i = 0; i < totalChunks; i++) {
          produced += chunkSize;
          largestLead = Math.max(largestLead, produced - consumed);
          yield frame(i % 2 === 0 ? STDOUT : STDERR, Buffer.alloc(chunkSize - 8, i % 256));
        }
      }
      const slowWriter = () =>
        new Writable({
          highWaterMark: 1024,
          write(chunk: Buffer, _encoding, done) {
            consumed += chunk.length + 4; // payload + a share of the two streams' headers
            setImmediate(done);
          },
        });
      await pipeline(Readable.from(source()), new FrameDemuxer(slowWriter(), slowWriter()));
      expect(produced).toBe(chunkSize * totalChunks);
      // Without backpressure the whole 2 MiB would be produced before the first write finished.
      expect(largestLead).toBeLessThan(256 * 1024);
    });
  });

  describe("a destination that goes away", () => {
    function failingSink() {
      let writes = 0;
      const stream = new Writable({
        write(_chunk, _encoding, done) {
          writes++;
          done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        },
      });
      return { stream, writes: () => writes };
    }

    it.each([
      ["stdout", STDOUT],
      ["stderr", STDERR],
    ])("fails with the write failure of %s, naming the stream and why, and writes no further", async (name, failingType) => {
      const failing = failingSink();
      const healthy = sink();
      const [stdout, stderr] = failingType === STDOUT ? [failing.stream, healthy.stream] : [healthy.stream, failing.stream];
      const healthyType = failingType === STDOUT ? STDERR : STDOUT;
      const chunks: Buffer[] = [];
      for (let i = 0; i < 30; i++) chunks.push(frame(failingType, `lost ${i}\n`), frame(healthyType, `kept ${i}\n`));
      const failure = await pipeline(Readable.from(chunks), new FrameDemuxer(stdout, stderr)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WriteFailed);
      expect(failure).toMatchObject({ stream: name, code: "EPIPE", readerGone: true, exitCode: 141 });
      expect((failure as Error).message).toBe(`could not write to ${name}: its reader went away (EPIPE)`);
      expect(failing.writes()).toBe(1);
    });

    it("stops waiting for a full destination that then errors", async () => {
      let fail: () => void = () => {};
      const stdout = new Writable({
        highWaterMark: 1,
        write(_chunk, _encoding, done) {
          fail = () => done(new Error("write EPIPE"));
        },
      });
      const demuxer = new FrameDemuxer(stdout, sink().stream);
      const failed = once(demuxer, "error");
      let acknowledged = false;
      demuxer.write(frame(STDOUT, "blocked"), () => {
        acknowledged = true;
      });
      for (let i = 0; i < 5; i++) await tick();
      expect(acknowledged).toBe(false);

      fail();
      for (let i = 0; i < 5 && !acknowledged; i++) await tick();
      expect(acknowledged).toBe(true);
      expect(((await failed)[0] as Error).message).toBe("could not write to stdout: write EPIPE");
    });
  });
});

describe("FrameDemuxer edge cases found in review", () => {
  it("reports a system-error frame split across chunks once, multi-byte characters intact", async () => {
    const bytes = Buffer.concat([frame(3, "café ☕ failed"), frame(1, "ok")]);
    for (let split = 1; split < bytes.length; split++) {
      const result = await demux([bytes.subarray(0, split), bytes.subarray(split)]);
      expect(result.systemErrors).toEqual(["café ☕ failed"]);
      expect(result.stdout.toString()).toBe("ok");
    }
  });

  it("drops output for a destination destroyed without an error instead of waiting for it forever", async () => {
    const stdout = new Writable({ highWaterMark: 1, write: (_chunk, _encoding, done) => setTimeout(done, 10_000) });
    const stderr = sink();
    const demuxer = new FrameDemuxer(stdout, stderr.stream);
    const done = pipeline(Readable.from([frame(1, "x".repeat(100)), frame(1, "y".repeat(100)), frame(2, "to stderr")]), demuxer);
    await tick();
    stdout.destroy();
    await done;
    await finished(stderr.stream);
    expect(stderr.bytes().toString()).toBe("to stderr");
  });
});
