import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { composeProjectName } from "../../src/config/compose-file.js";
import { loadComposeService } from "../../src/config/compose-project.js";
import type { OneoffError } from "../../src/output/errors.js";

/** A compose project in a folder named "My Shop" (its project name: myshop), with `files` beside compose.yaml. */
function project(text: string, files: Record<string, string> = {}): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "oneoff-compose-")), "My Shop");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "compose.yaml"), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const parse = (text: string, service = "web", env: Record<string, string> = {}, files: Record<string, string> = {}) => {
  const dir = project(text, files);
  return { dir, ...loadComposeService([], service, [dir], dir, env) };
};

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
      ulimit: [
        { name: "nproc", soft: 512, hard: 512 },
        { name: "nofile", soft: 1024, hard: 2048 },
      ],
      shmSize: 96 * 2 ** 20,
      groupAdd: ["123"],
      sysctl: { "net.core.somaxconn": "1024" },
      readOnly: true,
      privileged: false,
      device: [
        { pathOnHost: "/dev/fuse", pathInContainer: "/dev/fuse", permissions: "rwm" },
        { pathOnHost: "/dev/null", pathInContainer: "/dev/nothing", permissions: "r" },
      ],
      deviceCgroupRule: ["c 10:229 rwm"],
      pid: "host",
      ipc: "shareable",
      runtime: "runc",
      logDriver: "local",
      logOpt: { "max-size": "10m" },
      dnsOption: ["ndots:2"],
      dnsSearch: ["example.internal"],
    });
  });

  it.each([
    ["shm_size: lots", /services\.web\.shm_size: "lots": not a size/],
    ["ulimits: {nofile: {soft: 1}}", /services\.web\.ulimits\.nofile: needs both soft and hard/],
    ["devices: [fuse]", /services\.web\.devices\[0\]: "fuse": not HOST_PATH\[:CONTAINER_PATH\[:rwm\]\]/],
    ["sysctls: [somaxconn]", /services\.web\.sysctls\[0\]: "somaxconn": not NAME=VALUE/],
    ["logging: {drivr: local}", /services\.web\.logging/],
    ["entrypoint: sh -c 'x", /^compose.yaml:4:17: services\.web\.entrypoint: unterminated single quote$/],
  ])("refuses a bad runtime key in one line: %s", (line, message) => {
    expect(() => parse(`services:\n  web:\n    image: shop\n    ${line}\n`)).toThrow(message);
  });

  // compose-spec: "" (or []) overrides the image's entrypoint to be empty; with no command, the
  // engine then runs the image's CMD (unlike oneoff.yaml's and docker run's "", which is [""]).
  it.each([
    ['""', []],
    ["[]", []],
    ["/bin/sh -c", ["/bin/sh", "-c"]],
    ["[/bin/sh, -c]", ["/bin/sh", "-c"]],
  ])("reads entrypoint: %s as compose does", (value, words) => {
    expect(parse(`services:\n  web:\n    image: shop\n    entrypoint: ${value}\n`).layer.settings.entrypoint).toEqual(words);
  });

  // compose's platform: is docker run's --platform: the image is pulled and the container created for it.
  it("reads platform: as --platform, and refuses one that is not os/arch[/variant] in one line", () => {
    expect(parse("services:\n  web:\n    image: shop\n    platform: linux/arm64/v8\n").layer.settings.platform).toBe("linux/arm64/v8");
    expect(() => parse("services:\n  web:\n    image: shop\n    platform: arm64\n")).toThrow(
      /^compose.yaml:4:15: services\.web\.platform: "arm64": not os\/arch\[\/variant\]$/,
    );
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
      { "web.env": "FROM_FILE=f\nRAILS_ENV=development\n" },
    );
    expect(service.project).toBe("myshop");
    expect(service.builtImageNames).toEqual([]);
    expect(service.layer.settings).toEqual({
      release: "registry.example.com/shop:v1",
      // environment: wins over env_file.
      env: { FROM_FILE: "f", RAILS_ENV: "production", FROM_HOST: "h" },
      label: { "com.example.team": "payments" },
      network: ["myshop_backend", "shared"],
      volume: [
        { type: "volume", source: "myshop_data", target: "/data", readOnly: false, shortMode: "" },
        { type: "bind", source: path.join(service.dir, "conf"), target: "/conf", readOnly: true, shortMode: "ro" },
        { type: "tmpfs", source: "", target: "/scratch", readOnly: false },
      ],
      user: "app",
      workdir: "/app",
      entrypoint: ["/usr/bin/tini", "--"],
      addHost: ["db:10.0.0.5"],
      dns: ["10.0.0.2"],
      memory: 256 * 1024 * 1024,
      cpus: 500_000_000,
    });
  });

  it("puts a service without networks on the project's default network, and names the image compose built", () => {
    const service = parse("name: Shop\nservices:\n  worker:\n    build: .\n", "worker");
    expect(service.layer.settings.network).toEqual(["shop_default"]);
    expect(service.builtImageNames).toEqual(["shop-worker", "shop_worker"]);
  });

  it.each([
    ["an unknown service", "services:\n  api: {image: x}\n", "web", /compose\.yaml:2:3: services: no service named web$/],
    [
      "a setting oneoff does not reproduce",
      "services:\n  web:\n    image: x\n    mac_address: 02:42:ac:11:00:02\n",
      "web",
      /compose\.yaml:4:5: services\.web\.mac_address: oneoff does not reproduce this compose setting/,
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

describe("compose projects read as compose reads them", () => {
  const BASE = [
    "services:",
    "  web:",
    "    image: shop:v1",
    "    environment: [APP_ENV=production, KEEP=base]",
    "    volumes: ['data:/data', './conf:/conf']",
    "    dns: [10.0.0.2]",
    "    cap_add: [NET_ADMIN]",
    "    entrypoint: [/bin/base]",
    "volumes:",
    "  data: {}",
    "",
  ].join("\n");

  it("adds the override file beside compose.yaml, merging as compose does", () => {
    const service = parse(
      BASE,
      "web",
      {},
      {
        "compose.override.yaml": [
          "services:",
          "  web:",
          "    environment: {APP_ENV: staging, OVERRIDDEN: 'yes'}",
          "    volumes: ['./other:/conf:ro', 'cache:/cache']",
          "    dns: [10.0.0.2, 10.0.0.3]",
          "    cap_add: [SYS_PTRACE]",
          "    entrypoint: [/bin/over]",
          "volumes:",
          "  cache: {external: true}",
          "",
        ].join("\n"),
      },
    );
    expect(service.files.map((file) => path.basename(file))).toEqual(["compose.yaml", "compose.override.yaml"]);
    expect(service.layer.settings).toMatchObject({
      release: "shop:v1",
      env: { APP_ENV: "staging", KEEP: "base", OVERRIDDEN: "yes" },
      volume: [
        { type: "volume", source: "myshop_data", target: "/data", readOnly: false },
        { type: "bind", source: path.join(service.dir, "other"), target: "/conf", readOnly: true },
        { type: "volume", source: "cache", target: "/cache", readOnly: false },
      ],
      dns: ["10.0.0.2", "10.0.0.3"],
      capAdd: ["NET_ADMIN", "SYS_PTRACE"],
      entrypoint: ["/bin/over"],
    });
  });

  it("takes COMPOSE_FILE (its separator too) instead, with no override added; --compose files win over both", () => {
    const dir = project(BASE, {
      "compose.override.yaml": "services:\n  web:\n    environment: [FROM_OVERRIDE=1]\n",
      "extra.yaml": "services:\n  web:\n    environment: [FROM_EXTRA=1]\n",
    });
    const viaEnv = loadComposeService([], "web", [dir], dir, { COMPOSE_FILE: "compose.yaml;extra.yaml", COMPOSE_PATH_SEPARATOR: ";" });
    expect(viaEnv.layer.settings.env).toEqual({ APP_ENV: "production", KEEP: "base", FROM_EXTRA: "1" });
    const given = loadComposeService(["compose.yaml", "compose.override.yaml"], "web", [dir], dir, { COMPOSE_FILE: "extra.yaml" });
    expect(given.layer.settings.env).toEqual({ APP_ENV: "production", KEEP: "base", FROM_OVERRIDE: "1" });
  });

  it("puts a service over the one it extends, in the same file or another (whose relative paths stay its own)", () => {
    const dir = project(
      [
        "services:",
        "  base:",
        "    image: shop:v1",
        "    environment: [LEVEL=base, BASE_ONLY=b]",
        "  web:",
        "    extends: base",
        "    environment: [LEVEL=web]",
        "  worker:",
        "    extends: {file: common/common.yaml, service: common}",
        "    user: app",
        "",
      ].join("\n"),
    );
    mkdirSync(path.join(dir, "common"));
    writeFileSync(
      path.join(dir, "common/common.yaml"),
      "services:\n  common:\n    image: shop:v2\n    env_file: [common.env]\n    volumes: ['./files:/files']\n",
    );
    writeFileSync(path.join(dir, "common/common.env"), "FROM_COMMON=1\n");
    expect(loadComposeService([], "web", [dir], dir, {}).layer.settings).toMatchObject({
      release: "shop:v1",
      env: { LEVEL: "web", BASE_ONLY: "b" },
    });
    expect(loadComposeService([], "worker", [dir], dir, {}).layer.settings).toMatchObject({
      release: "shop:v2",
      user: "app",
      env: { FROM_COMMON: "1" },
      volume: [{ type: "bind", source: path.join(dir, "common/files"), target: "/files", readOnly: false }],
    });
  });

  it("refuses an extends loop in one line", () => {
    expect(() => parse("services:\n  a: {extends: b, image: x}\n  b: {extends: a}\n", "a")).toThrow(/extends: a -> b -> a is a loop/);
  });

  it("finds a service in an included file, whose relative paths are its own", () => {
    const dir = project("include: [lib/db.yaml]\nservices:\n  web: {image: shop}\n");
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "lib/db.yaml"), "services:\n  migrate:\n    image: shop-migrate\n    volumes: ['./sql:/sql']\n");
    expect(loadComposeService([], "migrate", [dir], dir, {}).layer.settings).toMatchObject({
      release: "shop-migrate",
      volume: [{ type: "bind", source: path.join(dir, "lib/sql"), target: "/sql", readOnly: false }],
    });
  });

  it("skips a missing env_file marked required: false, and refuses a missing required one", () => {
    const yaml = (required: string) =>
      `services:\n  web:\n    image: shop\n    env_file:\n      - path: present.env\n      - path: absent.env\n        required: ${required}\n`;
    expect(parse(yaml("false"), "web", {}, { "present.env": "A=1\n" }).layer.settings.env).toEqual({ A: "1" });
    expect(() => parse(yaml("true"), "web", {}, { "present.env": "A=1\n" })).toThrow(/absent\.env/);
  });

  it("runs a service of an inactive profile when it is named, as docker compose run does", () => {
    expect(parse("services:\n  tools:\n    image: shop\n    profiles: [debug]\n", "tools").layer.settings.release).toBe("shop");
  });

  it("takes the project's name from COMPOSE_PROJECT_NAME in the project's .env", () => {
    const service = parse(BASE, "web", {}, { ".env": "COMPOSE_PROJECT_NAME=fromdotenv\n" });
    expect(service.project).toBe("fromdotenv");
    expect(service.layer.settings.network).toEqual(["fromdotenv_default"]);
  });
});

describe("compose volumes: modes and the long form, read with docker's words", () => {
  const mountsOf = (volumes: string) =>
    parse(["services:", "  web:", "    image: shop", `    volumes: ${volumes}`, ""].join("\n")).layer.settings.volume;

  it("takes z,ro as read-only, as ro,z", () => {
    expect(mountsOf("['/srv/conf:/etc/app:z,ro', '/srv/conf:/etc/b:ro,z']")).toEqual([
      { type: "bind", source: "/srv/conf", target: "/etc/app", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" },
      { type: "bind", source: "/srv/conf", target: "/etc/b", readOnly: true, selinuxLabel: "z", shortMode: "ro,z" },
    ]);
  });

  it("reads the long form's bind, volume and tmpfs options", () => {
    expect(
      mountsOf(
        "[{type: bind, source: /srv, target: /srv, read_only: true, bind: {propagation: rslave}}, " +
          "{type: bind, source: /l, target: /l, bind: {selinux: Z, create_host_path: true}}, " +
          "{type: volume, source: data, target: /v, volume: {nocopy: true}}, {type: tmpfs, target: /t, tmpfs: {size: 1m, mode: 0o1770}}]",
      ),
    ).toEqual([
      { type: "bind", source: "/srv", target: "/srv", readOnly: true, propagation: "rslave" },
      { type: "bind", source: "/l", target: "/l", readOnly: false, selinuxLabel: "Z", shortMode: "Z" },
      { type: "volume", source: "myshop_data", target: "/v", readOnly: false, noCopy: true },
      { type: "tmpfs", source: "", target: "/t", readOnly: false, tmpfsSizeBytes: 1048576, tmpfsMode: 0o1770 },
    ]);
  });

  it.each([
    ["['./conf:/c:rx']", /unknown mode "rx"/],
    ["[{type: bind, source: /a, target: /a, bind: {propagation: sideways}}]", /"sideways" is not a propagation/],
    ["[{type: volume, source: a, target: /a, bind: {propagation: rslave}}]", /bind options on a mount of type volume/],
    ["[{type: bind, source: /a, target: /a, bind: {colour: red}}]", /colour/],
  ])("refuses %s in one line", (volumes, message) => {
    expect(() => mountsOf(volumes)).toThrow(message);
  });
});
