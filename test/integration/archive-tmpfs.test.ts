/**
 * The experiment behind secret delivery (ENGINE-NOTES #9): where does the archive endpoint
 * write when the target directory is a tmpfs the one-off mounts at start? Answer on this
 * engine: always into the container's writable layer, under the mount point, where the
 * command cannot see it; a path that is no mount gets the bytes visibly. docs/secrets-and-files.md's
 * "Secrets" section says what these assertions prove.
 */
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import { connectEngine } from "../../src/engine/connect.js";
import { tarFileText } from "../../src/engine/archive-answers.js";
import { docker, expectNoLeftovers, IMAGE, imageId, MARKER_LABEL } from "./helpers.js";

expectNoLeftovers();

const created: string[] = [];
afterEach(() => {
  if (created.length) docker("rm", "-f", ...created.splice(0));
});

function oneFile(name: string, text: string): Readable {
  const archive = pack();
  archive.entry({ name, mode: 0o400 }, text);
  archive.finalize();
  return archive;
}

async function container(command: string[]) {
  const engine = await connectEngine(process.env);
  const id = await engine.createContainer(`oneoff-archive-exp-${Math.random().toString(16).slice(2, 8)}`, {
    Image: imageId(IMAGE),
    Cmd: command,
    Env: [],
    Labels: { [MARKER_LABEL]: "true" },
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    StdinOnce: false,
    Tty: false,
    HostConfig: { AutoRemove: false, Tmpfs: { "/tmp": "" } },
  } as never);
  created.push(id);
  return { engine, id };
}

describe("where the archive endpoint writes for a tmpfs target", () => {
  it("before start: the file lands in the writable layer, hidden by the tmpfs mounted over it at start", async () => {
    const { engine, id } = await container(["sh", "-c", "cat /tmp/planted || echo hidden; cat /etc/planted"]);
    await engine.putArchive(id, "/tmp", oneFile("planted", "under-tmpfs"));
    await engine.putArchive(id, "/etc", oneFile("planted", "in-layer"));
    await engine.start(id);
    expect(await engine.waitForExit(id)).toBe(0);
    const output = docker("logs", id);
    expect(output).toContain("hidden");
    expect(output).not.toContain("under-tmpfs");
    expect(output).toContain("in-layer");
    // The hidden bytes are still there, in the layer: readable through the archive endpoint
    // and `docker diff` until the container is removed.
    expect(tarFileText(await streamToBuffer(await engine.getArchive(id, "/tmp/planted")))).toBe("under-tmpfs");
    expect(docker("diff", id)).toContain("/etc/planted");
  });

  it("while running: the file lands under the mount too, never in the tmpfs the command sees", async () => {
    const { engine, id } = await container(["sleep", "30"]);
    await engine.start(id);
    await engine.putArchive(id, "/tmp", oneFile("planted", "while-running"));
    const seen = execFileSync("docker", ["exec", id, "sh", "-c", "cat /tmp/planted || echo hidden"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(seen.trim()).toBe("hidden");
    await engine.remove(id);
  });
});

async function streamToBuffer(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
