import { describe, expect, it } from "vitest";
import { composeProjectName, parseComposeService } from "../../src/config/compose.js";
import type { OneoffError } from "../../src/output/errors.js";

const parse = (text: string, service = "web", env: Record<string, string> = {}) =>
  parseComposeService(text, { path: "/srv/My Shop/compose.yaml", displayPath: "compose.yaml", service, env });

describe("compose services as a source", () => {
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
      "services:\n  web:\n    image: x\n    privileged: true\n",
      "web",
      /compose\.yaml:4:5: services\.web\.privileged: oneoff does not reproduce this compose setting/,
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
