import { describe, expect, it } from "vitest";
import { connectionFromAddress, connectionFromEnv, sshArguments } from "../../src/engine/docker/connection.js";

describe("connectionFromEnv", () => {
  it.each([
    [
      "no DOCKER_HOST: the default socket",
      {},
      { kind: "unix", socketPath: "/var/run/docker.sock", endpoint: "unix:///var/run/docker.sock" },
    ],
    ["unix://", { DOCKER_HOST: "unix:///tmp/d.sock" }, { kind: "unix", socketPath: "/tmp/d.sock", endpoint: "unix:///tmp/d.sock" }],
    ["tcp://HOST:PORT", { DOCKER_HOST: "tcp://127.0.0.1:1" }, { kind: "tcp", host: "127.0.0.1", port: 1, endpoint: "tcp://127.0.0.1:1" }],
    // Like the docker CLI: an address without a scheme is a TCP address.
    [
      "HOST:PORT without a scheme, read as tcp://",
      { DOCKER_HOST: "127.0.0.1:1" },
      { kind: "tcp", host: "127.0.0.1", port: 1, endpoint: "tcp://127.0.0.1:1" },
    ],
    [
      "a host name without a scheme or port, on the plain port",
      { DOCKER_HOST: "engine.example.com" },
      { kind: "tcp", host: "engine.example.com", port: 2375, endpoint: "tcp://engine.example.com" },
    ],
    [
      "HOST:PORT without a scheme, with surrounding spaces",
      { DOCKER_HOST: "  10.0.0.2:2375 " },
      { kind: "tcp", host: "10.0.0.2", port: 2375, endpoint: "tcp://10.0.0.2:2375" },
    ],
    ["an IPv6 tcp address", { DOCKER_HOST: "tcp://[::1]:2375" }, { kind: "tcp", host: "::1", port: 2375, endpoint: "tcp://[::1]:2375" }],
    [
      "ssh://host",
      { DOCKER_HOST: "ssh://engine.example.com" },
      { kind: "ssh", host: "engine.example.com", endpoint: "ssh://engine.example.com" },
    ],
    [
      "ssh://user@host:port",
      { DOCKER_HOST: "ssh://deploy@127.0.0.1:2222" },
      { kind: "ssh", host: "127.0.0.1", user: "deploy", port: 2222, endpoint: "ssh://deploy@127.0.0.1:2222" },
    ],
    [
      "ssh:// with a socket path",
      { DOCKER_HOST: "ssh://h/run/user/1000/docker.sock" },
      { kind: "ssh", host: "h", socketPath: "/run/user/1000/docker.sock", endpoint: "ssh://h/run/user/1000/docker.sock" },
    ],
    // TLS settings are for tcp:// only.
    [
      "ssh:// ignores DOCKER_TLS_VERIFY",
      { DOCKER_HOST: "ssh://h", DOCKER_TLS_VERIFY: "1" },
      { kind: "ssh", host: "h", endpoint: "ssh://h" },
    ],
  ])("reads %s", (_name, env: Record<string, string>, connection) => {
    expect(connectionFromEnv(env)).toEqual(connection);
  });

  it("takes a schemeless address with DOCKER_TLS_VERIFY as TLS on 2376, with the three files of DOCKER_CERT_PATH", () => {
    expect(connectionFromEnv({ DOCKER_HOST: "engine.example.com", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" })).toEqual({
      kind: "tcp",
      host: "engine.example.com",
      port: 2376,
      tls: { ca: "/certs/ca.pem", cert: "/certs/cert.pem", key: "/certs/key.pem" },
      endpoint: "tcp://engine.example.com",
    });
  });

  it.each([
    ["a scheme it does not know", "foo://bar", 'DOCKER_HOST "foo://bar": the foo scheme is not supported'],
    [
      "npipe:// (Windows only)",
      "npipe:////./pipe/docker_engine",
      'DOCKER_HOST "npipe:////./pipe/docker_engine": the npipe scheme is not supported',
    ],
    ["tcp:// without a host", "tcp://", 'DOCKER_HOST "tcp://" is not a valid address'],
    ["unix:// without a path", "unix://", 'DOCKER_HOST "unix://" is not a valid address'],
    ["ssh:// without a host", "ssh://", 'DOCKER_HOST "ssh://" is not a valid address'],
    [
      "ssh:// with a password, without showing it",
      "ssh://me:hunter2@h",
      'DOCKER_HOST "ssh://me:***@h": a password in an ssh:// address is not supported',
    ],
    ["ssh:// with a query", "ssh://h?x=1", 'DOCKER_HOST "ssh://h?x=1": an ssh:// address takes no query or fragment'],
    [
      "ssh:// whose socket path holds shell code",
      "ssh://h/tmp/x;touch${IFS}/tmp/pwned",
      'DOCKER_HOST "ssh://h/tmp/x;touch${IFS}/tmp/pwned": the socket path /tmp/x;touch$%7BIFS%7D/tmp/pwned holds characters the remote shell would run as code',
    ],
    ["ssh:// whose socket path holds a command substitution", "ssh://h/run/$(id)", "holds characters the remote shell would run as code"],
    ["ssh:// whose socket path holds a space", "ssh://h/run/my%20docker.sock", "holds characters the remote shell would run as code"],
  ])("refuses %s", (_name, address, message) => {
    expect(() => connectionFromEnv({ DOCKER_HOST: address })).toThrow(message);
  });

  it("keeps a user:password of a tcp:// address out of the endpoint it shows", () => {
    expect(connectionFromAddress("tcp://me:secret@10.0.0.2:2375", "--host")).toMatchObject({
      host: "10.0.0.2",
      endpoint: "tcp://10.0.0.2:2375",
    });
  });
});

describe("sshArguments", () => {
  it.each([
    [{ kind: "ssh" as const, host: "h", endpoint: "" }, ["-o", "ConnectTimeout=30", "-T", "--", "h", "docker", "system", "dial-stdio"]],
    [
      { kind: "ssh" as const, host: "h", user: "deploy", port: 2222, endpoint: "" },
      ["-o", "ConnectTimeout=30", "-T", "-l", "deploy", "-p", "2222", "--", "h", "docker", "system", "dial-stdio"],
    ],
    [
      { kind: "ssh" as const, host: "h", socketPath: "/run/d.sock", endpoint: "" },
      ["-o", "ConnectTimeout=30", "-T", "--", "h", "docker", "--host=unix:///run/d.sock", "system", "dial-stdio"],
    ],
  ])("builds the docker CLI's ssh command line for %j", (connection, args) => {
    expect(sshArguments(connection)).toEqual(args);
  });
});
