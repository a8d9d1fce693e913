import { describe, expect, it } from "vitest";
import { plan } from "./plan-fixture.js";
import { serviceLayer } from "../../src/config/swarm-service.js";
import type { ProcessSettings } from "../../src/types/config.js";
import type { ServiceDefinition } from "../../src/engine/swarm/types.js";
import { buildContainerSpec, type ContainerSpec } from "../../src/requests/create-body.js";
import { buildJobServiceSpec, type ServiceContainerSpec, type ServiceSpec } from "../../src/requests/service-spec.js";

const IMAGE_ID = `sha256:${"0123456789abcdef".repeat(4)}`;
const DIGEST_REFERENCE = `registry.example.com/shop@sha256:${"f".repeat(64)}`;
const identity = {
  imageId: IMAGE_ID,
  startedBy: "alice",
  startedAt: new Date("2025-01-02T03:04:05.678Z"),
  version: "0.1.0",
  owner: "laptop:4242",
};

function containerOf(overrides: Parameters<typeof plan>[0] = {}): ContainerSpec {
  return buildContainerSpec(plan(overrides), identity, "abc123");
}

function jobSpec(overrides: Parameters<typeof plan>[0] = {}, options: { base?: ServiceSpec; constraints?: string[] } = {}): ServiceSpec {
  return buildJobServiceSpec(containerOf(overrides), {
    name: "shop-run-abc123",
    image: DIGEST_REFERENCE,
    ...options,
  });
}

function baseService(template: Partial<ServiceSpec["TaskTemplate"]> = {}, container: Partial<ServiceContainerSpec> = {}): ServiceSpec {
  return {
    Name: "shop_web",
    Labels: { "com.docker.stack.namespace": "shop" },
    TaskTemplate: { ...template, ContainerSpec: { Image: "registry.example.com/shop:v41", ...container } },
    Mode: { Replicated: { Replicas: 3 } },
  };
}

describe("buildJobServiceSpec", () => {
  it("runs a plain command once as a replicated job that is never restarted", () => {
    const container = containerOf();
    expect(buildJobServiceSpec(container, { name: "shop-run-abc123", image: DIGEST_REFERENCE })).toEqual({
      Name: "shop-run-abc123",
      Labels: container.body.Labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: DIGEST_REFERENCE,
          Args: ["bin/rails", "db:migrate"],
          Env: [],
          Labels: { "io.oneoff.job": "shop-run-abc123" },
          TTY: false,
          OpenStdin: false,
          StopGracePeriod: 10_000_000_000,
        },
        RestartPolicy: { Condition: "none" },
      },
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
    });
  });

  it.each<[string, Parameters<typeof plan>[0], Partial<ServiceContainerSpec>]>([
    [
      "the entrypoint as Command and the command as Args",
      { settings: { entrypoint: ["/bin/sh", "-c"] }, command: ["echo hi"] },
      { Command: ["/bin/sh", "-c"], Args: ["echo hi"] },
    ],
    [
      "env as KEY=VALUE entries in order",
      { settings: { env: { RAILS_ENV: "production", URL: "a=b", EMPTY: "" } } },
      { Env: ["RAILS_ENV=production", "URL=a=b", "EMPTY="] },
    ],
    ["user and working directory", { settings: { user: "app:app", workdir: "/srv/app" } }, { User: "app:app", Dir: "/srv/app" }],
    ["a terminal session with stdin open", { tty: true, interactive: true }, { TTY: true, OpenStdin: true }],
    [
      "the user's labels on the container",
      { settings: { label: { "com.example.team": "payments" } } },
      { Labels: { "com.example.team": "payments" } },
    ],
    [
      "--add-host host:ip as an /etc/hosts line",
      { settings: { addHost: ["db:10.0.0.5", "cache.internal:192.168.1.2"] } },
      { Hosts: ["10.0.0.5 db", "192.168.1.2 cache.internal"] },
    ],
    [
      "an IPv6 --add-host, split at the first colon",
      { settings: { addHost: ["db6:2001:db8::1", "local6:::1"] } },
      { Hosts: ["2001:db8::1 db6", "::1 local6"] },
    ],
    [
      "--dns as the DNS config's nameservers",
      { settings: { dns: ["1.1.1.1", "8.8.8.8"] } },
      { DNSConfig: { Nameservers: ["1.1.1.1", "8.8.8.8"] } },
    ],
    [
      "a tmpfs mount without a source",
      { settings: { volume: [{ type: "tmpfs", source: "", target: "/scratch", readOnly: false }] } },
      { Mounts: [{ Type: "tmpfs", Target: "/scratch" }] },
    ],
  ])("restates %s", (_, overrides, expected) => {
    expect(jobSpec(overrides).TaskTemplate.ContainerSpec).toMatchObject(expected);
  });

  it("puts oneoff's labels on the service only, and the user's on both", () => {
    const spec = jobSpec({ settings: { label: { "com.example.team": "payments" } }, task: "migrate" });
    expect(spec.Labels).toMatchObject({
      "io.oneoff.managed": "true",
      "io.oneoff.app": "shop",
      "io.oneoff.task": "migrate",
      "com.example.team": "payments",
    });
    // Only the job's name (for reaping its container on its node), never the one-off marker.
    expect(spec.TaskTemplate.ContainerSpec.Labels).toEqual({ "com.example.team": "payments", "io.oneoff.job": spec.Name });
  });

  it("gives the stop timeout row's seconds as the stop grace period, in nanoseconds", () => {
    expect(jobSpec({ settings: { stopTimeout: 3 } }).TaskTemplate.ContainerSpec.StopGracePeriod).toBe(3_000_000_000);
  });

  it("gives a job docker's stop grace of 10 s when no stop timeout is set", () => {
    expect(jobSpec().TaskTemplate.ContainerSpec.StopGracePeriod).toBe(10_000_000_000);
  });

  it.each<[string, Partial<ProcessSettings>, unknown]>([
    [
      "memory and cpus as limits",
      { memory: 512 * 1024 ** 2, cpus: 1_500_000_000 },
      { Limits: { MemoryBytes: 512 * 1024 ** 2, NanoCPUs: 1_500_000_000 } },
    ],
    ["memory alone", { memory: 1024 }, { Limits: { MemoryBytes: 1024 } }],
    ["no resources when neither is set", {}, undefined],
  ])("sets %s", (_, settings, resources) => {
    expect(jobSpec({ settings }).TaskTemplate.Resources).toEqual(resources);
  });

  it.each<[string, string[], ServiceSpec | undefined, unknown]>([
    [
      "the first network and the extra ones, in order",
      ["shop_default", "shop_backend"],
      undefined,
      [{ Target: "shop_default" }, { Target: "shop_backend" }],
    ],
    ["none for bridge or default, which a service cannot join", ["bridge", "default"], undefined, undefined],
    [
      "the base's aliases for the same network",
      ["shop_default", "other"],
      baseService({ Networks: [{ Target: "shop_default", Aliases: ["web"] }] }),
      [{ Target: "shop_default", Aliases: ["web"] }, { Target: "other" }],
    ],
    [
      "the aliases of a base that lists networks at the service level (older API)",
      ["shop_default"],
      { ...baseService(), Networks: [{ Target: "shop_default", Aliases: ["web"] }] },
      [{ Target: "shop_default", Aliases: ["web"] }],
    ],
  ])("attaches %s", (_, networks, base, expected) => {
    expect(jobSpec({ settings: { network: networks } }, base ? { base } : {}).TaskTemplate.Networks).toEqual(expected);
  });

  describe("from a long-running service", () => {
    const base = baseService(
      {
        LogDriver: { Name: "json-file", Options: { "max-size": "10m" } },
        Placement: { Constraints: ["node.role==worker"], Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }] },
        Resources: { Limits: { MemoryBytes: 1 }, Reservations: { MemoryBytes: 256 * 1024 ** 2 } },
        RestartPolicy: { Condition: "any", MaxAttempts: 0 },
      },
      {
        Command: ["puma"],
        Args: ["-C", "config/puma.rb"],
        Env: ["SECRET_FROM_BASE=1"],
        Labels: { "com.example.base": "yes" },
        Mounts: [{ Type: "volume", Source: "uploads", Target: "/uploads", VolumeOptions: { NoCopy: true } }],
        Hostname: "{{.Service.Name}}-{{.Task.Slot}}",
        Healthcheck: { Test: ["CMD", "curl", "-f", "http://localhost/up"] },
        Secrets: [{ SecretName: "db_password", File: { Name: "db_password", UID: "0", GID: "0", Mode: 292 } }],
        Configs: [{ ConfigName: "nginx_conf", File: { Name: "/etc/nginx.conf", UID: "0", GID: "0", Mode: 292 } }],
        Init: true,
        StopSignal: "SIGQUIT",
        User: "base-user",
        TTY: true,
      },
    );
    const spec = jobSpec({ command: ["rake", "db:migrate"] }, { base, constraints: ["node.hostname==db1"] });
    const container = spec.TaskTemplate.ContainerSpec;

    it("inherits secrets, configs, the log driver, reservations and other container fields", () => {
      expect(container.Secrets).toEqual(base.TaskTemplate.ContainerSpec.Secrets);
      expect(container.Configs).toEqual(base.TaskTemplate.ContainerSpec.Configs);
      expect(container).toMatchObject({ Init: true, StopSignal: "SIGQUIT" });
      expect(spec.TaskTemplate.LogDriver).toEqual({ Name: "json-file", Options: { "max-size": "10m" } });
      expect(spec.TaskTemplate.Resources).toEqual({ Reservations: { MemoryBytes: 256 * 1024 ** 2 } });
    });

    it("keeps the base's placement, with the extra constraints after its own", () => {
      expect(spec.TaskTemplate.Placement).toEqual({
        Constraints: ["node.role==worker", "node.hostname==db1"],
        Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      });
    });

    it("does not inherit the base's command, env, labels, mounts, user, terminal, hostname, health check or restarts", () => {
      expect(container.Command).toBeUndefined();
      expect(container.Args).toEqual(["rake", "db:migrate"]);
      expect(container.Env).toEqual([]);
      expect(container.Labels).toEqual({ "io.oneoff.job": "shop-run-abc123" });
      expect(container.Mounts).toBeUndefined();
      expect(container.User).toBeUndefined();
      expect(container.TTY).toBe(false);
      expect(container).not.toHaveProperty("Hostname");
      expect(container).not.toHaveProperty("Healthcheck");
      expect(container.Image).toBe(DIGEST_REFERENCE);
      expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: "none" });
      expect(spec.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    });

    it("keeps the base's own options for a mount it has, and builds the others", () => {
      const mounts = jobSpec(
        {
          settings: {
            volume: [
              { type: "volume", source: "uploads", target: "/uploads", readOnly: false },
              { type: "volume", source: "other", target: "/uploads", readOnly: false },
              { type: "bind", source: "/srv/tmp", target: "/tmp/host", readOnly: true },
            ],
          },
        },
        { base },
      ).TaskTemplate.ContainerSpec.Mounts;
      expect(mounts).toEqual([
        { Type: "volume", Source: "uploads", Target: "/uploads", VolumeOptions: { NoCopy: true } },
        { Type: "volume", Source: "other", Target: "/uploads" },
        { Type: "bind", Source: "/srv/tmp", Target: "/tmp/host", ReadOnly: true },
      ]);
    });
  });

  it.each<[string, ServiceSpec | undefined, string[], unknown]>([
    ["no placement without constraints", undefined, [], undefined],
    ["the extra constraints alone", undefined, ["node.role==manager"], { Constraints: ["node.role==manager"] }],
    [
      "the base's constraints alone",
      baseService({ Placement: { Constraints: ["node.role==worker"] } }),
      [],
      { Constraints: ["node.role==worker"] },
    ],
  ])("places with %s", (_, base, constraints, placement) => {
    expect(jobSpec({}, { ...(base ? { base } : {}), constraints }).TaskTemplate.Placement).toEqual(placement);
  });
});

function definition(
  template: Partial<ServiceSpec["TaskTemplate"]>,
  container: Partial<ServiceContainerSpec>,
  networks?: ServiceSpec["Networks"],
): ServiceDefinition {
  return { id: "svc1", name: "shop_web", spec: { ...baseService(template, container), ...(networks ? { Networks: networks } : {}) } };
}

describe("serviceLayer (what --from copies from a service)", () => {
  it("copies image, env without per-container values, own labels, networks, user, workdir, entrypoint, mounts, hosts, dns (servers, search domains, options) and limits", () => {
    const service = definition(
      {
        Networks: [{ Target: "net-id-1", Aliases: ["web"] }, { Target: "net-id-2" }],
        Resources: { Limits: { MemoryBytes: 1024, NanoCPUs: 500_000_000 } },
      },
      {
        Image: `registry.example.com/shop:v41@sha256:${"a".repeat(64)}`,
        Env: ["PATH=/bin", "HOSTNAME=web-1", "SHOP_ENV=production", "URL=a=b"],
        Labels: {
          "com.example.team": "payments",
          "com.docker.stack.namespace": "shop",
          "com.docker.swarm.task": "x",
          "com.docker.compose.project": "shop",
          "io.oneoff.app": "shop",
        },
        User: "app",
        Dir: "/srv/app",
        Command: ["/entrypoint.sh"],
        Args: ["puma"],
        Mounts: [
          { Type: "volume", Source: "uploads", Target: "/uploads" },
          { Type: "bind", Source: "/etc/ssl", Target: "/etc/ssl", ReadOnly: true },
          { Type: "tmpfs", Target: "/scratch" },
          { Type: "npipe", Source: "\\\\.\\pipe\\docker_engine", Target: "\\\\.\\pipe\\docker_engine" },
        ],
        Hosts: ["10.0.0.5 db", "2001:db8::1 db6 db6.internal", "  192.168.1.2   cache  "],
        DNSConfig: { Nameservers: ["1.1.1.1"], Search: ["example.com"], Options: ["ndots:2", "timeout:3"] },
        Hostname: "{{.Node.Hostname}}-web",
      },
    );
    expect(serviceLayer(service)).toEqual({
      source: "service shop_web",
      settings: {
        release: `registry.example.com/shop:v41@sha256:${"a".repeat(64)}`,
        env: { PATH: "/bin", SHOP_ENV: "production", URL: "a=b" },
        label: { "com.example.team": "payments" },
        network: ["net-id-1", "net-id-2"],
        user: "app",
        workdir: "/srv/app",
        entrypoint: ["/entrypoint.sh"],
        volume: [
          { type: "volume", source: "uploads", target: "/uploads", readOnly: false },
          { type: "bind", source: "/etc/ssl", target: "/etc/ssl", readOnly: true },
          { type: "tmpfs", source: "", target: "/scratch", readOnly: false },
        ],
        addHost: ["db:10.0.0.5", "db6:2001:db8::1", "cache:192.168.1.2"],
        dns: ["1.1.1.1"],
        dnsSearch: ["example.com"],
        dnsOption: ["ndots:2", "timeout:3"],
        memory: 1024,
        cpus: 500_000_000,
      },
    });
  });

  it("copies only the image and env of a bare service", () => {
    expect(serviceLayer(definition({}, { Image: "shop:v41" }))).toEqual({
      source: "service shop_web",
      settings: { release: "shop:v41", env: {} },
    });
  });

  it("reads networks listed at the service level when the task template has none", () => {
    expect(serviceLayer(definition({}, {}, [{ Target: "net-id-1" }])).settings.network).toEqual(["net-id-1"]);
  });

  it("turns the service's hosts back into the same hosts lines on the job", () => {
    const hosts = ["10.0.0.5 db", "2001:db8::1 db6"];
    const settings = serviceLayer(definition({}, { Hosts: hosts })).settings;
    expect(jobSpec({ settings: { addHost: settings.addHost ?? [] } }).TaskTemplate.ContainerSpec.Hosts).toEqual(hosts);
  });
});

describe("runtime settings on a Swarm job", () => {
  it("puts init, capabilities, sysctls, ulimits, read-only, groups, DNS options, tmpfs and the log driver where a service has them", () => {
    const spec = jobSpec({
      settings: {
        init: true,
        capAdd: ["NET_ADMIN"],
        capDrop: ["MKNOD"],
        sysctl: { "net.core.somaxconn": "1024" },
        ulimit: [{ name: "nofile", soft: 1024, hard: 2048 }],
        readOnly: true,
        groupAdd: ["123"],
        dnsSearch: ["example.internal"],
        dnsOption: ["ndots:2"],
        tmpfs: { "/scratch": "size=8m,mode=1777", "/cache": "" },
        logDriver: "local",
        logOpt: { "max-size": "10m" },
      },
    });
    expect(spec.TaskTemplate.ContainerSpec).toMatchObject({
      Init: true,
      CapabilityAdd: ["CAP_NET_ADMIN"],
      CapabilityDrop: ["CAP_MKNOD"],
      Sysctls: { "net.core.somaxconn": "1024" },
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      ReadOnly: true,
      Groups: ["123"],
      DNSConfig: { Search: ["example.internal"], Options: ["ndots:2"] },
      Mounts: [
        { Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 8 * 2 ** 20, Mode: 0o1777 } },
        { Type: "tmpfs", Target: "/cache" },
      ],
    });
    expect(spec.TaskTemplate.LogDriver).toEqual({ Name: "local", Options: { "max-size": "10m" } });
  });
});

describe("a Swarm job's mounts", () => {
  it("refuses a z/Z relabel in one line: a service's mounts cannot carry it", async () => {
    const { swarmJobBackend } = await import("../../src/backends/swarm-job/backend.js");
    const { plan } = await import("./plan-fixture.js");
    const labelled = plan({
      settings: { volume: [{ type: "bind", source: "/srv", target: "/srv", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" }] },
    });
    expect(() => swarmJobBackend.refuse(labelled)).toThrow(
      "--engine swarm cannot relabel /srv for SELinux (:z): a service's mounts have no such option",
    );
  });
});
