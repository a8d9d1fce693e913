/**
 * dockerode's sharp edges (shared/ENGINE-NOTES.md), each checked on the wire: a recording
 * proxy sits between oneoff and the real engine socket and keeps what oneoff sends.
 */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/index.js";
import { docker, expectNoLeftovers, IMAGE, oneoff, oneOffContainers } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

let proxy: net.Server;
let proxySocket: string;
const sent: string[] = [];
/**
 * Starts a new recording of what is sent. A connection kept alive from before (oneoff in this
 * process keeps its agent's connections between runs) goes on in an entry of its own.
 */
let generation = 0;
function clearSent(): void {
  sent.length = 0;
  generation += 1;
}
/** While set, the proxy cuts any connection whose request matches: the engine "goes away". */
let cutWhen: RegExp | undefined;

beforeAll(async () => {
  proxySocket = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-proxy-")), "docker.sock");
  // Half-open both ways: stdin's EOF is a half-close that must not cut off the output.
  proxy = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ path: "/var/run/docker.sock", allowHalfOpen: true });
    let record = "";
    let index = sent.push("") - 1;
    let recording = generation;
    client.on("data", (chunk: Buffer) => {
      if (recording !== generation) {
        [record, index, recording] = ["", sent.push("") - 1, generation];
      }
      if (record.length < 1_000_000) sent[index] = record += chunk.toString("latin1");
      if (cutWhen?.test(chunk.toString("latin1"))) {
        client.destroy();
        upstream.destroy();
      }
    });
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(proxySocket, resolve));
});

afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

const viaProxy = () => ({ DOCKER_HOST: `unix://${proxySocket}` });

// oneoff runs in this process (oneoffInProcess), its requests through the proxy as a spawned
// one's are; but for DOCKER_CLIENT_TIMEOUT, which a client library could read from its own
// process's environment (docker-modem does) rather than from the one oneoff is given.

describe("on the wire to the engine", () => {
  it("keeps env values out of the create request's URL (dockerd logs URLs)", async () => {
    clearSent();
    const result = await oneoffInProcess(
      ["run", "-q", "-e", "API_TOKEN=s3cr3t-value", "--release", IMAGE, "--", "sh", "-c", 'test "$API_TOKEN" = s3cr3t-value'],
      { env: viaProxy() },
    );
    expect(result.code).toBe(0);
    const traffic = sent.join("\n");
    // A request's body ends without a line break: split on \n too, so the next request's line starts a line.
    const createLine = traffic.split(/\r?\n/).find((line) => line.startsWith("POST ") && line.includes("/containers/create"));
    expect(createLine).toMatch(/^POST \/containers\/create\?name=[\w.-]+ HTTP\/1\.1$/);
    expect(createLine).not.toContain("s3cr3t");
    // ...while the body does carry it: the value reached the container above.
    expect(traffic).toContain('"API_TOKEN=s3cr3t-value"');
  });

  it("sends no body on the hijacked attach connection (it would reach stdin)", async () => {
    clearSent();
    const result = await oneoffInProcess(["run", "-q", "-i", "--release", IMAGE, "--", "cat"], { env: viaProxy(), input: "only this" });
    expect(result.stdout.toString()).toBe("only this");
    // The attach upgrade owns its connection, so the request starts a recorded connection.
    const attach = sent.find((request) => /^POST \/containers\/[0-9a-f]+\/attach\?/.test(request));
    expect(attach).toBeDefined();
    const [head, body] = (attach as string).split("\r\n\r\n");
    expect(head).toMatch(/\r\nUpgrade: tcp/i);
    expect(body).toBe("only this");
  });

  it("ignores DOCKER_CLIENT_TIMEOUT, which would cut a long one-off short", async () => {
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "sh", "-c", "sleep 1; echo survived"], {
      env: { DOCKER_CLIENT_TIMEOUT: "200" },
    });
    expect(result.stdout.toString()).toBe("survived\n");
    expect(result.code).toBe(0);
  });

  it("writes each run record with one request: no lookup of the name before the create", async () => {
    clearSent();
    const result = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "true"], { env: viaProxy() });
    expect(result.code).toBe(0);
    // Not split into lines: on a kept-alive connection a request line follows the last body's end.
    const traffic = sent.join("\n");
    expect(traffic.match(/POST \/(v[\d.]+\/)?volumes\/create HTTP/g)).toHaveLength(2); // the start record, then the end
    expect(traffic.match(/GET \/(v[\d.]+\/)?volumes\/oneoff-record-\S+ HTTP/g)).toBeNull();
  });

  it("removes the container when the command fails to start", async () => {
    clearSent();
    const result = await oneoffInProcess(["run", "--release", IMAGE, "--", "missing-command"], { env: viaProxy() });
    expect(result.code).toBe(127);
    const requestLines = sent.join("\r\n").split("\r\n");
    expect(requestLines.some((line) => /^DELETE \/containers\/[0-9a-f]+\?.*force=(1|true)\b/.test(line))).toBe(true);
  });

  it("names the container it could not remove when the engine goes away at the end", async () => {
    cutWhen = /^DELETE \/containers\//m;
    try {
      const result = await oneoffInProcess(["run", "-l", "test.case=unremovable", "--release", IMAGE, "--", "sh", "-c", "exit 3"], {
        env: viaProxy(),
      });
      expect(result.code).toBe(3);
      const id = oneOffContainers().find(
        (candidate) => docker("inspect", "-f", '{{index .Config.Labels "test.case"}}', candidate) === "unremovable",
      );
      expect(id).toBeDefined();
      const name = docker("inspect", "-f", "{{.Name}}", id as string).replace(/^\//, "");
      expect(result.stderr.trimEnd()).toMatch(
        new RegExp(
          `^oneoff: could not remove the one-off container ${name} \\(${(id as string).slice(0, 12)}\\): .+; the watchdog keeps trying for 2 minutes, or remove it with: docker rm -f ${(id as string).slice(0, 12)}$`,
        ),
      );
      docker("rm", "-f", id as string);
    } finally {
      cutWhen = undefined;
    }
  });

  it("asks a Swarm manager for its node (docker info, the engine's slowest read) once per job", async () => {
    clearSent();
    // The library with no watchdog: a watchdog's reap of orphans would ask too.
    const result = await run(
      { release: IMAGE, engine: "swarm", command: ["sh", "-c", "exit 6"], quiet: true },
      { env: { ...process.env, ...viaProxy() }, watchdog: false, stdout: new PassThrough(), stderr: new PassThrough() },
    );
    expect(result.exitCode).toBe(6);
    expect(result.job?.nodeId).toBeDefined();
    expect(sent.join("\n").match(/GET \/info HTTP\/1\.1\r\n/g)).toHaveLength(1);
  });
});
