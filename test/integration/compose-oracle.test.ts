/**
 * `oneoff run --service SERVICE` against the real thing: for a corpus of compose projects
 * (override files, several files, extends, env files, interpolation, networks and volumes with
 * and without name:/external, YAML merge keys, paths under ~, hostname:, file secrets), `docker-compose run --rm -T SERVICE` (Debian's compose, 1.29)
 * and oneoff run the same probe in the same project, and must see the same env, user, group,
 * workdir, mounts and networks. Where v1 and v2 differ, the corpus keeps to what both do
 * (test/unit/compose.test.ts checks the v2 rules oneoff follows there).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

/** What the process sees of its settings, each line sorted where order is not meaning. */
const PROBE = [
  "env | grep -v -e '^HOSTNAME=' -e '^HOME=' -e '^TERM=' | sort",
  "echo user=$(id -u):$(id -g)",
  "echo workdir=$(pwd)",
  // Mount points of the corpus (under /m/) with their ro/rw flag.
  'awk \'$2 ~ /^\\/m\\// {split($4, o, ","); print "mount=" $2 " " o[1]}\' /proc/mounts | sort',
  // The networks it is on, as their subnets (each network of the engine has its own).
  "for a in $(ip -4 -o addr show | awk '$2 != \"lo\" {print $4}'); do ipcalc -n -p $a | tr '\\n' ' '; echo; done | sort",
  // Runtime settings: PID 1 (an init?), capabilities, limits, /dev/shm, groups, a read-only root.
  "echo pid1=$(cat /proc/1/comm) $(grep CapEff /proc/self/status)",
  "echo nofile=$(ulimit -Sn):$(ulimit -Hn) shm=$(df -k /dev/shm | awk 'NR==2 {print $2}') groups=$(id -G)",
  "touch /probe 2>/dev/null && echo root=rw || echo root=ro",
].join("; ");

const EXTERNAL_NETWORK = `oneoff-oracle-ext-${process.pid}`;
const EXTERNAL_VOLUME = `oneoff-oracle-extvol-${process.pid}`;
const NAMED_VOLUME = `oneoff-oracle-named-${process.pid}`;
/** HOME for the projects that name paths under `~`: its files are the ones compose finds there. */
const HOME_DIR = path.join(os.tmpdir(), `oneoff-oracle-home-${process.pid}`);
const HOME_FILES: Record<string, string> = {
  "minecraft_data/level.dat": "world-from-home",
  "backups/latest": "backup-from-home",
  "app.env": "FROM_HOME_ENV_FILE=1\n",
};
let root: string;

beforeAll(() => {
  execFileSync("docker-compose", ["version"], { stdio: "pipe" }); // fails loudly without it: bash test/setup/all.sh
  root = mkdtempSync(path.join(os.tmpdir(), "oneoff-oracle-"));
  docker("network", "create", EXTERNAL_NETWORK);
  docker("volume", "create", EXTERNAL_VOLUME);
  for (const [file, content] of Object.entries(HOME_FILES)) {
    mkdirSync(path.dirname(path.join(HOME_DIR, file)), { recursive: true });
    writeFileSync(path.join(HOME_DIR, file), content);
  }
});

afterAll(() => {
  for (const args of [
    ["network", "rm", EXTERNAL_NETWORK],
    ["volume", "rm", EXTERNAL_VOLUME],
    ["volume", "rm", NAMED_VOLUME],
  ])
    try {
      docker(...args);
    } catch {}
  rmSync(root, { recursive: true, force: true });
  rmSync(HOME_DIR, { recursive: true, force: true });
});

interface Project {
  files: Record<string, string>;
  service?: string;
  /** The environment both run with (COMPOSE_FILE, variables the files interpolate). */
  env?: Record<string, string>;
  /** More probe lines, for what only this project sets (a hostname, secret files). */
  probe?: string;
  /** Lines the probe must show: the project's settings took effect (the comparison is not of two empty outputs). */
  sees: RegExp[];
}

const CORPUS: Record<string, Project> = {
  "an override file beside docker-compose.yml": {
    files: {
      "docker-compose.yml": `services:\n  web:\n    image: ${IMAGE}\n    environment: [APP_ENV=production, KEEP=base]\n    volumes: ['data:/m/data', './conf:/m/conf']\n    user: "1000"\n    working_dir: /tmp\nvolumes:\n  data: {}\n`,
      "docker-compose.override.yml": `services:\n  web:\n    environment:\n      APP_ENV: staging\n      OVERRIDDEN: "yes"\n    volumes: ['./other:/m/conf:ro']\n    user: "1000:1000"\n`,
      "conf/.keep": "",
      "other/.keep": "",
    },
    sees: [/^APP_ENV=staging$/m, /^OVERRIDDEN=yes$/m, /^user=1000:1000$/m, /^mount=\/m\/conf ro$/m],
  },
  "several files in COMPOSE_FILE, with networks": {
    files: {
      "a.yml": `services:\n  web:\n    image: ${IMAGE}\n    environment: [FROM_A=1, SHARED=a]\n    networks: [front]\nnetworks:\n  front: {}\n  back: {}\n`,
      "b.yml": `services:\n  web:\n    environment: [FROM_B=1, SHARED=b]\n    networks: [back]\n    working_dir: /srv\n`,
    },
    env: { COMPOSE_FILE: "a.yml:b.yml" },
    sees: [/^FROM_A=1$/m, /^SHARED=b$/m, /^workdir=\/srv$/m, /^(NETWORK=\S+ PREFIX=\d+ \n){2}/m],
  },
  "extends, in the same file and from another file": {
    files: {
      "docker-compose.yml": `services:\n  base:\n    extends: {file: common/common.yml, service: common}\n    environment: [LEVEL=base, BASE_ONLY=b]\n  web:\n    extends: base\n    environment: [LEVEL=web]\n    user: "2000"\n`,
      "common/common.yml": `services:\n  common:\n    image: ${IMAGE}\n    env_file: [common.env]\n    volumes: ['./files:/m/files:ro']\n    working_dir: /var\n`,
      "common/common.env": "FROM_COMMON=1\nLEVEL=common\n",
      "common/files/.keep": "",
    },
    sees: [/^LEVEL=web$/m, /^BASE_ONLY=b$/m, /^FROM_COMMON=1$/m, /^workdir=\/var$/m, /^mount=\/m\/files ro$/m],
  },
  "env files, environment over them, .env and interpolation": {
    files: {
      ".env": "TAG=latest\nFROM_DOTENV=dotenv\nEMPTY=\n",
      "docker-compose.yml": [
        "services:",
        "  web:",
        "    image: oneoff-test/busybox:${TAG}",
        "    env_file: [one.env, two.env]",
        "    environment:",
        "      - OVER=environment",
        "      - DOTENV=${FROM_DOTENV}",
        "      - DEFAULTED=${UNSET_VAR:-fallback}",
        "      - DASH=${EMPTY-kept-empty}",
        "      - COLON_DASH=${EMPTY:-was-empty}",
        "      - DOLLARS=$$HOME and $$$${x}",
        "      - REQUIRED=${FROM_SHELL?must be set}",
        "      - PASSED",
        "",
      ].join("\n"),
      "one.env": "OVER=one\nONE=1\nSHARED=one\n",
      "two.env": "SHARED=two\nTWO=2\n",
    },
    env: { FROM_SHELL: "shell", PASSED: "from-the-shell" },
    sees: [/^OVER=environment$/m, /^SHARED=two$/m, /^DOLLARS=\$HOME and \$\$\{x\}$/m, /^DASH=$/m, /^PASSED=from-the-shell$/m],
  },
  "runtime keys: init, capabilities, tmpfs, ulimits, shm size, groups, read-only root": {
    files: {
      "docker-compose.yml": [
        "services:",
        "  web:",
        `    image: ${IMAGE}`,
        "    init: true",
        "    cap_add: [NET_ADMIN]",
        "    cap_drop: [CHOWN]",
        "    tmpfs: [/m/scratch]",
        "    ulimits: {nofile: {soft: 1024, hard: 2048}}",
        "    shm_size: 96m",
        "    group_add: ['123']",
        "    read_only: true",
        "",
      ].join("\n"),
    },
    sees: [/^pid1=docker-init /m, /^nofile=1024:2048 shm=98304 groups=.*\b123\b/m, /^root=ro$/m, /^mount=\/m\/scratch rw$/m],
  },
  // netbox-docker's config mount: only a mode of exactly "ro" used to count as read-only.
  "binds with z,ro and rw,z (netbox's)": {
    files: {
      "docker-compose.yml": `services:\n  web:\n    image: ${IMAGE}\n    volumes: ['./configuration:/m/config:z,ro', './data:/m/data:rw,z', '/m/anon']\n`,
      "configuration/.keep": "",
      "data/.keep": "",
    },
    sees: [/^mount=\/m\/config ro$/m, /^mount=\/m\/data rw$/m, /^mount=\/m\/anon rw$/m],
  },
  "merge keys, as services that share one definition": {
    files: {
      "docker-compose.yml": [
        "x-shared-env: &shared-env",
        "  SHARED: from-anchor",
        "  OVERRIDDEN: anchor",
        "x-extras: &extras",
        "  working_dir: /srv",
        "  group_add: ['123']",
        "services:",
        "  app: &app",
        `    image: ${IMAGE}`,
        '    user: "1000"',
        "    environment:",
        "      <<: *shared-env",
        "      OVERRIDDEN: app",
        "    volumes: ['./config:/m/config:ro']",
        "    working_dir: /tmp",
        "  worker:",
        "    <<: [*app, *extras]",
        "    environment:",
        "      <<: *shared-env",
        '      WORKER: "yes"',
        "",
      ].join("\n"),
      "config/.keep": "",
    },
    service: "worker",
    // The earlier of two merged mappings wins (app's working_dir), the later still adds its own keys.
    sees: [
      /^SHARED=from-anchor$/m,
      /^OVERRIDDEN=anchor$/m,
      /^WORKER=yes$/m,
      /^workdir=\/tmp$/m,
      /^mount=\/m\/config ro$/m,
      /groups=.*\b123\b/m,
    ],
  },
  "paths under ~ (binds in short and long form, env_file)": {
    files: {
      "docker-compose.yml": [
        "services:",
        "  web:",
        `    image: ${IMAGE}`,
        "    env_file: ~/app.env",
        "    volumes:",
        "      - ~/minecraft_data:/m/data",
        "      - type: bind",
        "        source: ~/backups",
        "        target: /m/backups",
        "        read_only: true",
        "",
      ].join("\n"),
    },
    env: { HOME: HOME_DIR },
    probe: "echo data=$(cat /m/data/level.dat) backups=$(cat /m/backups/latest)",
    sees: [/^data=world-from-home backups=backup-from-home$/m, /^FROM_HOME_ENV_FILE=1$/m, /^mount=\/m\/backups ro$/m],
  },
  "hostname:": {
    files: {
      "docker-compose.yml": `services:\n  web:\n    image: ${IMAGE}\n    hostname: shop-console\n`,
    },
    probe: "echo hostname=$(cat /proc/sys/kernel/hostname) $(grep -c shop-console /etc/hosts)",
    sees: [/^hostname=shop-console 1$/m],
  },
  "file secrets, short and long form": {
    files: {
      "docker-compose.yml": [
        "services:",
        "  web:",
        `    image: ${IMAGE}`,
        '    user: "1000:1000"',
        "    secrets:",
        "      - db_password",
        "      - source: api_key",
        "        target: api.key",
        "      - source: tls_key",
        "        target: /etc/shop/tls.key",
        "secrets:",
        "  db_password:",
        "    file: ./secrets/db_password.txt",
        "  api_key:",
        "    file: secrets/api_key.txt",
        "  tls_key:",
        "    file: ./secrets/tls.key",
        "  unused:",
        "    file: ./secrets/not-there.txt",
        "",
      ].join("\n"),
      "secrets/db_password.txt": "db-secret-value",
      "secrets/api_key.txt": "api-secret-value\n",
      "secrets/tls.key": "tls-secret-value",
    },
    probe: 'for f in /run/secrets/* /etc/shop/tls.key; do echo "secret=$f $(cat $f)"; done',
    sees: [
      /^secret=\/run\/secrets\/api\.key api-secret-value$/m,
      /^secret=\/run\/secrets\/db_password db-secret-value$/m,
      /^secret=\/etc\/shop\/tls\.key tls-secret-value$/m,
    ],
  },
  "networks and volumes with name: and external": {
    files: {
      "docker-compose.yml": [
        "services:",
        "  web:",
        `    image: ${IMAGE}`,
        "    networks: [ext, own]",
        "    volumes: ['named:/m/named', 'outside:/m/outside:ro']",
        "networks:",
        `  ext: {external: true, name: ${EXTERNAL_NETWORK}}`,
        "  own: {}",
        "volumes:",
        `  named: {name: ${NAMED_VOLUME}}`,
        `  outside: {external: true, name: ${EXTERNAL_VOLUME}}`,
        "",
      ].join("\n"),
    },
    sees: [/^mount=\/m\/named rw$/m, /^mount=\/m\/outside ro$/m, /^(NETWORK=\S+ PREFIX=\d+ \n){2}/m],
  },
};

function write(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name.replace(/[^a-z]+/gi, "-").replace(/-+$/, ""));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/**
 * What `docker-compose down -v` would remove here, by compose's project label: the networks and
 * volumes `run` made (`run --rm` removed its container; the external ones are not the
 * project's). A second docker-compose process per project was a third of this file's CPU time.
 */
function removeProjectResources(dir: string): void {
  // Compose v1's project name: the folder's name, lower case, only [-_a-z0-9] kept.
  const project = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^-_a-z0-9]/g, "");
  for (const kind of ["network", "volume"]) {
    const ids = docker(kind, "ls", "-q", "--filter", `label=com.docker.compose.project=${project}`).split("\n").filter(Boolean);
    if (ids.length) docker(kind, "rm", ...ids);
  }
}

describe.each(Object.entries(CORPUS))("a compose project: %s", (name, project) => {
  it("gives oneoff run --service the env, user, workdir, mounts and networks docker-compose run gives", async () => {
    const dir = write(name, project.files);
    const service = project.service ?? "web";
    const env = { ...process.env, ...project.env, DOCKER_HOST: undefined };
    const composeEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<string, string>;
    // docker-compose makes the project's networks and volumes; oneoff then finds them.
    const probe = project.probe ? `${PROBE}; ${project.probe}` : PROBE;
    const reference = execFileSync("docker-compose", ["run", "--rm", "-T", service, "sh", "-c", probe], {
      cwd: dir,
      env: composeEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      // In this process: what is compared is what the one-off saw, not a process boundary.
      const ours = await oneoffInProcess(["run", "-q", "--service", service, "--", "sh", "-c", probe], {
        cwd: dir,
        env: { ...project.env },
      });
      expect(ours.stderr).toBe("");
      expect(ours.code).toBe(0);
      expect(ours.stdout.toString()).toBe(reference);
      // Not two empty or default outputs: the probe saw the settings the project gives.
      for (const line of project.sees) expect(reference).toMatch(line);
    } finally {
      removeProjectResources(dir);
    }
  });
});
