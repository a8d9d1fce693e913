import { PassThrough, Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { recordSession } from "../../src/session/recorder.js";

/** A terminal-like output that keeps what it is given. */
function terminalOutput(columns = 100, rows = 30) {
  const written: Buffer[] = [];
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk);
        done();
      },
    }),
    { isTTY: true, columns, rows },
  );
  return { output, text: () => Buffer.concat(written).toString() };
}

const events = (cast: Buffer) =>
  gunzipSync(cast)
    .toString()
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => JSON.parse(line) as [number, string, string]);

describe("a session's recorder", () => {
  it("passes every chunk on to the caller's stream, answers as its terminal, and records resizes", async () => {
    const { output, text } = terminalOutput();
    const stdin = new PassThrough();
    const recording = recordSession(
      { stdin, stdout: output, stderr: output },
      { tty: true, input: false, limitBytes: 1 << 20, secrets: [], title: "t", env: {} },
    );
    const stdout = recording.io.stdout as Writable & { isTTY?: boolean; columns?: number; rows?: number };
    expect([stdout.isTTY, stdout.columns, stdout.rows]).toEqual([true, 100, 30]);
    const resized: number[] = [];
    stdout.on("resize", () => resized.push(1));
    stdout.write("hello ");
    Object.assign(output, { columns: 90, rows: 25 });
    output.emit("resize");
    recording.io.stderr.write("world");
    await new Promise((resolve) => setImmediate(resolve));
    const { cast } = await recording.finish();
    expect(text()).toBe("hello world");
    expect(resized).toEqual([1]);
    expect(events(cast).map(([, code, data]) => [code, data])).toEqual([
      ["o", "hello "],
      ["r", "90x25"],
      ["o", "world"],
    ]);
  });

  it("with input, records what the session reads once it reads, and takes nothing from stdin before", async () => {
    const { output } = terminalOutput();
    const stdin = new PassThrough();
    const recording = recordSession(
      { stdin, stdout: output, stderr: output },
      { tty: true, input: true, limitBytes: 1 << 20, secrets: ["hunter22"], title: "t", env: {} },
    );
    stdin.write("typed early ");
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody reads yet: the bytes wait in stdin for the session.
    expect(stdin.readableFlowing).toBeNull();
    const read: string[] = [];
    stdin.on("data", (chunk: Buffer) => read.push(chunk.toString()));
    stdin.resume();
    stdin.write("pw hunter22\r");
    await new Promise((resolve) => setImmediate(resolve));
    const { cast } = await recording.finish();
    expect(read.join("")).toBe("typed early pw hunter22\r");
    const typed = events(cast)
      .filter(([, code]) => code === "i")
      .map(([, , data]) => data)
      .join("");
    expect(typed).toBe("typed early pw *****\r");
  });

  it("without input, records none of what is typed", async () => {
    const { output } = terminalOutput();
    const stdin = new PassThrough();
    const recording = recordSession(
      { stdin, stdout: output, stderr: output },
      { tty: true, input: false, limitBytes: 1 << 20, secrets: [], title: "t", env: {} },
    );
    stdin.resume();
    stdin.write("secret typing");
    await new Promise((resolve) => setImmediate(resolve));
    const { cast } = await recording.finish();
    expect(events(cast).filter(([, code]) => code === "i")).toEqual([]);
  });
  it("keeps every event, in order, across the batches it compresses in (more than one batch, and a last part one)", async () => {
    const { output, text } = terminalOutput();
    const recording = recordSession(
      { stdin: new PassThrough(), stdout: output, stderr: output },
      { tty: true, input: false, limitBytes: 64 << 20, secrets: [], title: "t", env: {} },
    );
    // ~1.4 MiB of lines: several of the recorder's batches, the last one part full.
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"x".repeat(60)}\r\n`);
    for (const line of lines) recording.io.stdout.write(line);
    await new Promise((resolve) => setImmediate(resolve));
    const { cast } = await recording.finish();
    expect(text()).toBe(lines.join(""));
    const recorded = events(cast);
    expect(recorded).toHaveLength(lines.length);
    expect(recorded.map(([, , data]) => data).join("")).toBe(lines.join(""));
  });
});
