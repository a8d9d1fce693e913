import { describe, expect, it } from "vitest";
import { composeProjectName, parseComposeService } from "../../src/config/compose.js";
import type { OneoffError } from "../../src/output/errors.js";

const parse = (text: string, service = "web", env: Record<string, string> = {}) =>
  parseComposeService(text, { path: "/srv/My Shop/compose.yaml", displayPath: "compose.yaml", service, env });

describe("compose services as a source", () => {
  it("copies the runtime keys: init, capabilities, tmpfs, ulimits, shm size, groups, sysctls, devices, logging, ...", () => {
    const service = parse(
      [
        "services:",
        "  web:",
        "    image: shop",
        "    init: true",
        "    cap_add: [NET_ADMIN]",
        "    cap_drop: [MKNOD]",
        "    security_opt: [no-new-privileges]",
        "    tmpfs: [/scratch, '/cache:size=8m']",
        "    ulimits: {nproc: 512, nofile: {soft: 1024, hard: 2048}}",
        "    shm_size: 96m",
        "    group_add: ['123']",
        "    sysctls: [net.core.somaxconn=1024]",
        "    read_only: true",
        "    privileged: false",
        "    devices: [/dev/fuse, '/dev/null:/dev/nothing:r']",
        "    device_cgroup_rules: ['c 10:229 rwm']",
        "    pid: host",
        "    ipc: shareable",
        "    runtime: runc",
        "    logging: {driver: local, options: {max-size: 10m}}",
        "    dns_opt: [ndots:2]",
        "    dns_search: example.internal",
      ].join("\n"),
    );
    expect(service.layer.settings).toMatchObject({
      init: true,
      capAdd: ["NET_ADMIN"],
      capDrop: ["MKNOD"],
      securityOpt: ["no-new-privileges"],
      tmpfs: { "/scratch": "", "/cache": "size=8m" },
      ulimits: [
        { name: "nproc", soft: 512, hard: 512 },
        { name: "nofile", soft: 1024, hard: 2048 },
      ],
      shmSizeBytes: 96 * 2 ** 20,
      groupAdd: ["123"],
      sysctls: { "net.core.somaxconn": "1024" },
      readOnly: true,
      privileged: false,
      devices: [
        { pathOnHost: "/dev/fuse", pathInContainer: "/dev/fuse", permissions: "rwm" },
        { pathOnHost: "/dev/null", pathInContainer: "/dev/nothing", permissions: "r" },
      ],
      deviceCgroupRules: ["c 10:229 rwm"],
      pidMode: "host",
      ipcMode: "shareable",
      runtime: "runc",
      logDriver: "local",
      logOptions: { "max-size": "10m" },
      dnsOptions: ["ndots:2"],
      dnsSearch: ["example.internal"],
    });
  });

  it.each([
    ["shm_size: lots", /services\.web\.shm_size: "lots" is not a size/],
    ["ulimits: {nofile: {soft: 1}}", /services\.web\.ulimits\.nofile: needs both soft and hard/],
    ["devices: [fuse]", /services\.web\.devices\[0\]: "fuse" is not a device/],
    ["sysctls: [somaxconn]", /services\.web\.sysctls: "somaxconn" is not NAME=VALUE/],
    ["logging: {drivr: local}", /services\.web\.logging/],
  ])("refuses a bad runtime key in one line: %s", (line, message) => {
    expect(() => parse(`services:\n  web:\n    image: shop\n    ${line}\n`)).toThrow(message);
  });

  it("copies what shapes the environment, under compose's names", () => {
    const service = parse(
      [
        "services:",
        "  web:",
        "    image: registry.example.com/shop:${TAG:-v1}",
        "    command: bundle exec puma",
        "    ports: ['8080:8080']",
        "    environment:",
        "      - RAILS_ENV=production",
        "      - FROM_HOST",
        "    env_file: [web.env]",
        "    networks: [backend, shared]",
        "    volumes: ['data:/data', './conf:/conf:ro', {type: tmpfs, target: /scratch}]",
        "    user: app",
        "    working_dir: /app",
        "    entrypoint: /usr/bin/tini --",
        "    extra_hosts: {db: 10.0.0.5}",
        "    dns: 10.0.0.2",
        "    labels: [com.example.team=payments]",
        "    deploy: {resources: {limits: {memory: 256m, cpus: '0.5'}}}",
        "networks:",
        "  backend: {}",
        "  shared: {external: true}",
        "volumes:",
        "  data: {}",
      ].join("\n"),
      "web",
      { FROM_HOST: "h" },
    );
    expect(service.project).toBe("myshop");
    expect(service.envFiles).toEqual(["/srv/My Shop/web.env"]);
    expect(service.builtImageNames).toEqual([]);
    expect(service.layer.settings).toEqual({
      release: "registry.example.com/shop:v1",
      env: { RAILS_ENV: "production", FROM_HOST: "h" },
      labels: { "com.example.team": "payments" },
      networks: ["myshop_backend", "shared"],
      mounts: [
        { type: "volume", source: "myshop_data", target: "/data", readOnly: false },
        { type: "bind", source: "/srv/My Shop/conf", target: "/conf", readOnly: true },
        { type: "tmpfs", source: "", target: "/scratch", readOnly: false },
      ],
      user: "app",
      workdir: "/app",
      entrypoint: ["/usr/bin/tini", "--"],
      extraHosts: ["db:10.0.0.5"],
      dns: ["10.0.0.2"],
      memoryBytes: 256 * 1024 * 1024,
      nanoCpus: 500_000_000,
    });
  });

  it("puts a service without networks on the project's default network, and names the image compose built", () => {
    const service = parse("name: Shop\nservices:\n  worker:\n    build: .\n", "worker");
    expect(service.layer.settings.networks).toEqual(["shop_default"]);
    expect(service.builtImageNames).toEqual(["shop-worker", "shop_worker"]);
  });

  it.each([
    ["an unknown service", "services:\n  api: {image: x}\n", "web", /compose\.yaml:2:3: services: no service named web$/],
    [
      "a setting oneoff does not reproduce",
      "services:\n  web:\n    image: x\n    userns_mode: host\n",
      "web",
      /compose\.yaml:4:5: services\.web\.userns_mode: oneoff does not reproduce this compose setting/,
    ],
    [
      "an unsupported network_mode",
      "services:\n  web:\n    image: x\n    network_mode: service:db\n",
      "web",
      /network_mode service:db is not supported/,
    ],
    [
      "a missing variable",
      "services:\n  web:\n    image: shop:${TAG}\n",
      "web",
      /compose\.yaml:3:12: services\.web\.image: variable TAG is not set/,
    ],
  ])("refuses %s, naming the place", (_, text, service, message) => {
    expect(() => parse(text, service)).toThrow(message);
    try {
      parse(text, service);
    } catch (error) {
      expect((error as OneoffError).hint).toBeTruthy();
    }
  });

  it.each([
    [undefined, undefined, "/x/My-App_2", "my-app_2"],
    ["Explicit", "named", "/x/dir", "explicit"],
    [undefined, "Named.Project", "/x/dir", "namedproject"],
  ])("names the project like compose: -p %s, name: %s, dir %s -> %s", (explicit, named, dir, project) => {
    expect(composeProjectName(explicit, named, dir)).toBe(project);
  });
});
