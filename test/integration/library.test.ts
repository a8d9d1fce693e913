import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { run, OneoffError } from "../../src/index.js";
import { docker, eventually, expectNoLeftovers, IMAGE, imageId } from "./helpers.js";

expectNoLeftovers();

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

describe('import { run } from "oneoff"', () => {
  it("returns the exit code, the container's ID as its id and kind, and the image ID the tag resolved to", async () => {
    const stdout = capture();
    const stderr = capture();
    const result = await run(
      { release: "oneoff-test/busybox:v1", command: ["sh", "-c", "echo from library; exit 4"], quiet: true },
      { stdout: stdout.stream, stderr: stderr.stream, stdin: Readable.from([]) },
    );
    expect(result.exitCode).toBe(4);
    expect(result.imageId).toBe(imageId("oneoff-test/busybox:v1"));
    expect(result.id).toMatch(/^[0-9a-f]{64}$/);
    expect(result.kind).toBe("container");
    expect(stdout.text()).toBe("from library\n");
    // The container was removed once it ended.
    expect(() => docker("inspect", result.id)).toThrow();
  });

  it("rejects with a OneoffError carrying exit code 127 when the command is not found", async () => {
    const error = await run(
      { release: IMAGE, command: ["missing-command"], quiet: true },
      { stdout: new PassThrough(), stderr: new PassThrough() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OneoffError);
    expect((error as OneoffError).exitCode).toBe(127);
  });

  it("stops the one-off when the caller aborts, and removes it", async () => {
    const controller = new AbortController();
    const stdout = new PassThrough();
    stdout.once("data", () => controller.abort());
    const result = await run(
      { release: IMAGE, command: ["sh", "-c", "trap 'echo term; exit 9' TERM; echo started; while true; do sleep 0.1; done"], quiet: true },
      { stdout, stderr: new PassThrough(), signal: controller.signal },
    );
    expect(result.exitCode).toBe(9);
  });

  it("detaches a terminal session when the detach keys come in one read with bytes before and after them", async () => {
    // One read holding a command, the keys, and then the terminal's answer to the shell's
    // cursor-position query (busybox asks with each prompt): the keys must still detach,
    // though they are not the last bytes read.
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = capture();
    let typed = false;
    stdout.stream.on("data", () => {
      if (typed || !/\/ # /.test(stdout.text())) return;
      typed = true;
      stdin.write("echo before-detach > /tmp/mark\r\x10\x11\x1b[9;5R");
    });
    const result = await run(
      { release: IMAGE, command: ["sh"], tty: true, interactive: true, quiet: true },
      { stdin, stdout: stdout.stream, stderr: new PassThrough(), stdinIsTTY: true },
    );
    try {
      expect(result.ending).toBe("detached");
      expect(docker("inspect", "-f", "{{.State.Status}} {{.Name}}", result.id)).toMatch(/^running \/\S+-detached$/);
      // The text before the keys reached the shell; the keys did not end it.
      const mark = await eventually(() => docker("exec", result.id, "cat", "/tmp/mark", "/dev/null") || undefined, 5_000);
      expect(mark).toBe("before-detach");
    } finally {
      docker("rm", "-f", result.id);
    }
  });
});
