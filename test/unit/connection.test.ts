import { describe, expect, it } from "vitest";
import { connectionFromEnv } from "../../src/engine/docker/connection.js";

describe("connectionFromEnv", () => {
  it.each([
    ["no DOCKER_HOST: the default socket", {}, { kind: "unix", socketPath: "/var/run/docker.sock", endpoint: "unix:///var/run/docker.sock" }],
    ["unix://", { DOCKER_HOST: "unix:///tmp/d.sock" }, { kind: "unix", socketPath: "/tmp/d.sock", endpoint: "unix:///tmp/d.sock" }],
    ["tcp://HOST:PORT", { DOCKER_HOST: "tcp://127.0.0.1:1" }, { kind: "tcp", host: "127.0.0.1", port: 1, endpoint: "tcp://127.0.0.1:1" }],
    // Like the docker CLI: an address without a scheme is a TCP address.
    ["HOST:PORT without a scheme, read as tcp://", { DOCKER_HOST: "127.0.0.1:1" }, { kind: "tcp", host: "127.0.0.1", port: 1, endpoint: "tcp://127.0.0.1:1" }],
    ["a host name without a scheme or port, on the plain port", { DOCKER_HOST: "engine.example.com" }, { kind: "tcp", host: "engine.example.com", port: 2375, endpoint: "tcp://engine.example.com" }],
    ["HOST:PORT without a scheme, with surrounding spaces", { DOCKER_HOST: "  10.0.0.2:2375 " }, { kind: "tcp", host: "10.0.0.2", port: 2375, endpoint: "tcp://10.0.0.2:2375" }],
  ])("reads %s", (_name, env: Record<string, string>, connection) => {
    expect(connectionFromEnv(env)).toEqual(connection);
  });

  it("takes a schemeless address with DOCKER_TLS_VERIFY as TLS on 2376", () => {
    expect(connectionFromEnv({ DOCKER_HOST: "engine.example.com", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" })).toEqual({
      kind: "tcp",
      host: "engine.example.com",
      port: 2376,
      tls: { certPath: "/certs" },
      endpoint: "tcp://engine.example.com",
    });
  });

  it("still refuses a scheme it does not support", () => {
    expect(() => connectionFromEnv({ DOCKER_HOST: "ssh://user@host" })).toThrow('DOCKER_HOST "ssh://user@host": the ssh scheme is not supported yet');
  });
});
