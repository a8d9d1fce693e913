/**
 * What real compose projects use that oneoff once refused or dropped: paths under `~`,
 * `hostname:`, file secrets, and the keys a one-off leaves aside on purpose.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadComposeService } from "../../src/config/compose-project.js";
import { IGNORED_FOR_ONE_OFF } from "../../src/config/compose-key-rules.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A compose project with `files` beside compose.yaml, read with `env` (HOME included). */
function load(text: string, env: Record<string, string> = {}, files: Record<string, string> = {}, service = "web") {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-compose-parity-"));
  writeFileSync(path.join(dir, "compose.yaml"), text);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return { dir, ...loadComposeService([], service, [dir], dir, env) };
}

const errorOf = (...args: Parameters<typeof load>) => {
  try {
    load(...args);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
};

describe("paths under ~", () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "oneoff-home-"));
  writeFileSync(path.join(home, "app.env"), "FROM_HOME=1\n");

  it("are under HOME in binds (short and long form), env_file and extends' file", () => {
    writeFileSync(path.join(home, "common.yaml"), "services:\n  common:\n    working_dir: /from-home\n");
    const text = [
      "services:",
      "  web:",
      "    image: shop",
      "    extends: {file: ~/common.yaml, service: common}",
      "    env_file: [~/app.env]",
      "    volumes:",
      "      - ~/data:/data",
      "      - ~:/home-itself:ro",
      "      - {type: bind, source: ~/backups, target: /backups}",
      "      - ./~/literal:/literal",
      "",
    ].join("\n");
    const { dir, layer } = load(text, { HOME: home });
    expect(layer.settings.env).toEqual({ FROM_HOME: "1" });
    expect(layer.settings.workdir).toBe("/from-home");
    expect(layer.settings.volume?.map((mount) => [mount.source, mount.target])).toEqual([
      [path.join(home, "data"), "/data"],
      [home, "/home-itself"],
      [path.join(home, "backups"), "/backups"],
      [path.join(dir, "~/literal"), "/literal"],
    ]);
  });

  it("refuses ~NAME (compose v1 reads another user's home, v2 a folder under HOME) and ~ without HOME, in one located line", () => {
    const text = "services:\n  web:\n    image: shop\n    volumes: ['~bob/data:/data']\n";
    expect(errorOf(text, { HOME: home })).toMatch(
      /compose\.yaml:4:15: services\.web\.volumes\[0\]: ~bob is another user's home, which compose v1 and v2 read differently$/,
    );
    expect(errorOf("services:\n  web:\n    image: shop\n    env_file: ~/app.env\n", {})).toMatch(
      /compose\.yaml:4:15: services\.web\.env_file: ~\/app\.env needs HOME, which is not set$/,
    );
  });
});

describe("hostname:", () => {
  it("is the one-off's hostname, as written (as compose v2 and docker run --hostname give it)", () => {
    expect(load("services:\n  web:\n    image: shop\n    hostname: console.shop.internal\n").layer.settings.hostname).toBe(
      "console.shop.internal",
    );
  });

  it("passes on what the engine takes, as compose does ('shop console', shop_console)", () => {
    for (const name of ["shop console", "shop_console", "-shop"])
      expect(load(`services:\n  web:\n    image: shop\n    hostname: '${name}'\n`).layer.settings.hostname).toBe(name);
  });

  it("refuses a name over Linux's 64 bytes, which the engine cannot start, in one located line", () => {
    expect(errorOf(`services:\n  web:\n    image: shop\n    hostname: ${"h".repeat(65)}\n`)).toBe(
      `compose.yaml:4:15: services.web.hostname: "${"h".repeat(65)}": longer than 64 bytes, the most Linux takes`,
    );
  });
});

describe("keys a one-off leaves aside, and keys it refuses", () => {
  it("ignores each key of the table, and x- extension fields", () => {
    const text = [
      "services:",
      "  web:",
      "    image: shop",
      "    command: [serve]",
      "    ports: ['8000:8000']",
      "    restart: always",
      "    healthcheck: {test: [CMD, 'true']}",
      "    depends_on: [db]",
      "    stop_signal: SIGQUIT",
      "    links: [db, 'cache:cache']",
      "    x-team: payments",
      "",
    ].join("\n");
    expect(load(text).layer.settings.release).toBe("shop");
  });

  it("refuses a link under another name, domainname and configs, each in one line that says why", () => {
    const service = (lines: string) => `services:\n  web:\n    image: shop\n${lines}`;
    expect(errorOf(service("    links: ['db:database']\n"))).toBe(
      "compose.yaml:4:12: services.web.links[0]: the alias database for db is not made for a one-off",
    );
    expect(errorOf(service("    domainname: shop.internal\n"))).toBe(
      "compose.yaml:4:5: services.web.domainname: oneoff has no --domainname to give a one-off a domain name",
    );
    expect(errorOf(service("    configs: [app]\n"))).toMatch(
      /^compose\.yaml:4:5: services\.web\.configs: oneoff does not deliver compose configs/,
    );
  });

  it("lists every ignored key with its reason in docs/parity.md", () => {
    const doc = readFileSync(path.join(ROOT, "docs", "parity.md"), "utf8");
    for (const [key, why] of IGNORED_FOR_ONE_OFF) expect(doc).toContain(`| \`${key}\` | ${why} |`);
  });
});

describe("file secrets", () => {
  const text = (service: string, top: string) => `services:\n  web:\n    image: shop\n    secrets:\n${service}secrets:\n${top}`;

  it("become oneoff secrets read from the file, at /run/secrets/NAME, a relative target under it, an absolute one as it is", () => {
    const { dir, layer } = load(
      text(
        "      - db_password\n      - {source: api_key, target: api.key, mode: 0440}\n      - {source: tls, target: /etc/shop/tls.key}\n",
        "  db_password: {file: ./db.txt}\n  api_key: {file: api.txt}\n  tls: {file: tls.key, name: shop_tls}\n  unused: {file: not-there}\n",
      ),
      {},
      { "db.txt": "x", "api.txt": "y", "tls.key": "z" },
    );
    expect(layer.secrets?.map((secret) => [secret.name, secret.source, secret.delivery])).toEqual([
      [
        "db_password",
        { kind: "file", value: path.join(dir, "db.txt") },
        { as: "file", target: "/run/secrets/db_password", at: "compose.yaml:5:9" },
      ],
      [
        "api_key",
        { kind: "file", value: path.join(dir, "api.txt") },
        { as: "file", target: "/run/secrets/api.key", at: "compose.yaml:6:9" },
      ],
      ["tls", { kind: "file", value: path.join(dir, "tls.key") }, { as: "file", target: "/etc/shop/tls.key", at: "compose.yaml:7:9" }],
    ]);
    expect(layer.secrets?.[0]?.sourceAt).toBe("compose.yaml:9:17: secrets.db_password.file");
  });

  it("refuses, in one located line, a secret that is not defined, whose file is missing, or that is not a file", () => {
    expect(errorOf(text("      - nope\n", "  other: {file: x}\n"))).toBe(
      "compose.yaml:5:9: services.web.secrets[0]: no secret named nope under the top-level secrets:",
    );
    expect(errorOf(text("      - db\n", "  db:\n    file: ./missing.txt\n"))).toMatch(
      /^compose\.yaml:8:11: secrets\.db\.file: \/.*\/missing\.txt does not exist$/,
    );
    expect(errorOf(text("      - db\n", "  db:\n    environment: DB_PASSWORD\n"))).toBe(
      "compose.yaml:8:5: secrets.db.environment: compose 1.29 has no environment secrets",
    );
    expect(errorOf(text("      - db\n", "  db:\n    external: true\n"))).toBe(
      "compose.yaml:8:5: secrets.db.external: an external secret lives in the Swarm, where oneoff cannot read it",
    );
  });
});
