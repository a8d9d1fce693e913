import { describe, expect, it } from "vitest";
import {
  contextId,
  parseContextMeta,
  parseCurrentContext,
  type ContextEndpoint,
  type DockerContexts,
} from "../../src/engine/docker/contexts.js";
import { describeEngine, locateEngine, type EngineChoice } from "../../src/engine/docker/locate.js";

const CONTEXTS: Record<string, ContextEndpoint> = {
  prod: {
    host: "tcp://prod.example.com:2376",
    skipTlsVerify: false,
    tls: { ca: "/cfg/tls/prod/ca.pem", cert: "/cfg/tls/prod/cert.pem", key: "/cfg/tls/prod/key.pem" },
  },
  lab: { host: "ssh://me@lab", skipTlsVerify: false, tls: {} },
  loose: { host: "tcp://loose:2376", skipTlsVerify: true, tls: {} },
  plain: { host: "tcp://plain:2375", skipTlsVerify: false, tls: {} },
};

function config(currentContext?: string): DockerContexts {
  return { dir: "/cfg", currentContext: () => currentContext, context: (name) => CONTEXTS[name] };
}

type Row = [string, EngineChoice, Record<string, string>, string | undefined, string, string];

describe("locateEngine: the docker CLI's precedence, with oneoff's environments between flags and variables", () => {
  const staging = { name: "staging", context: "lab" };
  it.each<Row>([
    ["nothing set: the default socket", {}, {}, undefined, "unix:///var/run/docker.sock", "the default socket"],
    ["currentContext in config.json", {}, {}, "prod", "tcp://prod.example.com:2376", "context prod (currentContext in /cfg/config.json)"],
    ["DOCKER_CONTEXT over currentContext", {}, { DOCKER_CONTEXT: "lab" }, "prod", "ssh://me@lab", "DOCKER_CONTEXT lab"],
    ["DOCKER_HOST over DOCKER_CONTEXT", {}, { DOCKER_HOST: "tcp://h:1", DOCKER_CONTEXT: "lab" }, "prod", "tcp://h:1", "DOCKER_HOST"],
    [
      "an environment over DOCKER_HOST",
      { environment: staging },
      { DOCKER_HOST: "tcp://h:1" },
      undefined,
      "ssh://me@lab",
      "environment staging (context lab)",
    ],
    [
      "an environment's host",
      { environment: { name: "ci", host: "unix:///tmp/ci.sock" } },
      { DOCKER_HOST: "tcp://h:1" },
      undefined,
      "unix:///tmp/ci.sock",
      "environment ci",
    ],
    [
      "an environment that names no engine: the variables",
      { environment: { name: "bare" } },
      { DOCKER_HOST: "tcp://h:1" },
      undefined,
      "tcp://h:1",
      "DOCKER_HOST",
    ],
    [
      "--context over an environment",
      { context: "prod", environment: staging },
      { DOCKER_HOST: "tcp://h:1" },
      undefined,
      "tcp://prod.example.com:2376",
      "--context prod",
    ],
    [
      "--host over everything",
      { host: "ssh://other", environment: staging },
      { DOCKER_HOST: "tcp://h:1", DOCKER_CONTEXT: "lab" },
      "prod",
      "ssh://other",
      "--host",
    ],
    ["--context default: DOCKER_HOST", { context: "default" }, { DOCKER_HOST: "tcp://h:1" }, "prod", "tcp://h:1", "--context default"],
    [
      "--context default without DOCKER_HOST: the socket",
      { context: "default" },
      { DOCKER_CONTEXT: "lab" },
      "prod",
      "unix:///var/run/docker.sock",
      "--context default",
    ],
    ["DOCKER_CONTEXT=default", {}, { DOCKER_CONTEXT: "default" }, "prod", "unix:///var/run/docker.sock", "DOCKER_CONTEXT default"],
  ])("%s", (_name, choice, env, current, endpoint, source) => {
    const located = locateEngine(choice, env, config(current));
    expect({ endpoint: located.connection.endpoint, source: located.source }).toEqual({ endpoint, source });
  });

  it("gives --host the TLS of DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as docker -H", () => {
    const located = locateEngine({ host: "tcp://h:2376" }, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/c" }, config());
    expect(located.connection).toEqual({
      kind: "tcp",
      host: "h",
      port: 2376,
      endpoint: "tcp://h:2376",
      tls: { ca: "/c/ca.pem", cert: "/c/cert.pem", key: "/c/key.pem" },
    });
  });

  it("gives a context its own TLS files, and not DOCKER_TLS_VERIFY's", () => {
    const located = locateEngine({ context: "prod" }, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/c" }, config());
    expect(located.connection).toMatchObject({ kind: "tcp", port: 2376, tls: CONTEXTS.prod!.tls });
  });

  it.each([
    ["SkipTLSVerify: TLS without checking the engine", "loose", { skipVerify: true }],
    ["no TLS files: plain TCP", "plain", undefined],
  ])("reads a context with %s", (_name, context, tls) => {
    expect((locateEngine({ context }, {}, config()).connection as { tls?: unknown }).tls).toEqual(tls);
  });

  it("says which engine and why for --dry-run, without certificate contents", () => {
    expect(describeEngine(locateEngine({ context: "prod" }, {}, config()))).toEqual({
      endpoint: "tcp://prod.example.com:2376",
      source: "--context prod",
      tls: "verified",
    });
    expect(describeEngine(locateEngine({ context: "loose" }, {}, config()))).toEqual({
      endpoint: "tcp://loose:2376",
      source: "--context loose",
      tls: "unverified",
    });
    expect(describeEngine(locateEngine({}, {}, config()))).toEqual({
      endpoint: "unix:///var/run/docker.sock",
      source: "the default socket",
    });
  });

  it.each([
    ["--host with --context, as docker does", { host: "tcp://h:1", context: "prod" }, {}, "--host and --context both name the engine"],
    ["an unknown --context", { context: "nope" }, {}, 'context "nope" not found in /cfg/contexts'],
    ["an unknown DOCKER_CONTEXT", {}, { DOCKER_CONTEXT: "nope" }, 'context "nope" not found in /cfg/contexts'],
    ["a bad --host", { host: "foo://x" }, {}, '--host "foo://x": the foo scheme is not supported'],
    ["a bad environment host", { environment: { name: "ci", host: "tcp://" } }, {}, 'environment ci "tcp://" is not a valid address'],
  ])("refuses %s", (_name, choice: EngineChoice, env: Record<string, string>, message) => {
    expect(() => locateEngine(choice, env, config())).toThrow(message);
  });

  it("reads no config.json when a flag or variable decides", () => {
    const untouchable: DockerContexts = {
      dir: "/cfg",
      currentContext: () => {
        throw new Error("read config.json");
      },
      context: () => undefined,
    };
    expect(locateEngine({ host: "tcp://h:1" }, {}, untouchable).source).toBe("--host");
    expect(locateEngine({}, { DOCKER_HOST: "tcp://h:1" }, untouchable).source).toBe("DOCKER_HOST");
  });
});

describe("the docker CLI's context files", () => {
  it("stores a context under the SHA-256 of its name", () => {
    // As `docker context create tls-ctx` lays it out: contexts/meta/f29671c3.../meta.json
    expect(contextId("tls-ctx")).toBe("f29671c36aea263eda561e45f53d2985925dff54c881728df51a83e0008fd4ef");
  });

  it("reads Endpoints.docker of a meta.json as the CLI writes it", () => {
    const text = '{"Name":"skip","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://1.2.3.4:2376","SkipTLSVerify":true}}}';
    expect(parseContextMeta(text, "skip", "meta.json")).toEqual({ host: "tcp://1.2.3.4:2376", skipTlsVerify: true });
  });

  it("refuses a context with no Docker endpoint, and a meta.json that is not JSON", () => {
    expect(() => parseContextMeta('{"Name":"k8s","Endpoints":{}}', "k8s", "/cfg/m.json")).toThrow(
      'context "k8s" has no Docker endpoint (/cfg/m.json)',
    );
    expect(() => parseContextMeta("{", "x", "/cfg/m.json")).toThrow("/cfg/m.json: not valid JSON at line 1, column 2");
  });

  it.each([
    ['{"auths":{},"currentContext":"prod"}', "prod"],
    ['{"auths":{}}', undefined],
    ['{"currentContext":""}', undefined],
  ])("reads currentContext of %s", (text, current) => {
    expect(parseCurrentContext(text, "config.json")).toBe(current);
  });
});
