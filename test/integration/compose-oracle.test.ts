/**
 * `oneoff run --service SERVICE` against the real thing: for a corpus of compose projects
 * (override files, several files, extends, env files, interpolation, networks and volumes with
 * and without name:/external), `docker-compose run --rm -T SERVICE` (Debian's compose, 1.29)
 * and oneoff run the same probe in the same project, and must see the same env, user, group,
 * workdir, mounts and networks. Where v1 and v2 differ, the corpus keeps to what both do
 * (test/unit/compose.test.ts checks the v2 rules oneoff follows there).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, oneoff } from "./helpers.js";

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
let root: string;

beforeAll(() => {
  execFileSync("docker-compose", ["version"], { stdio: "pipe" }); // fails loudly without it: bash test/setup/all.sh
  root = mkdtempSync(path.join(os.tmpdir(), "oneoff-oracle-"));
  docker("network", "create", EXTERNAL_NETWORK);
  docker("volume", "create", EXTERNAL_VOLUME);
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
});

interface Project {
  files: Record<string, string>;
  service?: string;
  /** The environment both run with (COMPOSE_FILE, variables the files interpolate). */
  env?: Record<string, string>;
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

describe.each(Object.entries(CORPUS))("a compose project: %s", (name, project) => {
  it("gives oneoff run --service the env, user, workdir, mounts and networks docker-compose run gives", async () => {
    const dir = write(name, project.files);
    const service = project.service ?? "web";
    const env = { ...process.env, ...project.env, DOCKER_HOST: undefined };
    const composeEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<string, string>;
    // docker-compose makes the project's networks and volumes; oneoff then finds them.
    const reference = execFileSync("docker-compose", ["run", "--rm", "-T", service, "sh", "-c", PROBE], {
      cwd: dir,
      env: composeEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const ours = await oneoff(["run", "-q", "--service", service, "--", "sh", "-c", PROBE], { cwd: dir, env: { ...project.env } });
      expect(ours.stderr).toBe("");
      expect(ours.code).toBe(0);
      expect(ours.stdout.toString()).toBe(reference);
      // Not two empty or default outputs: the probe saw the settings the project gives.
      for (const line of project.sees) expect(reference).toMatch(line);
    } finally {
      execFileSync("docker-compose", ["down", "-v", "--remove-orphans"], { cwd: dir, env: composeEnv, stdio: "pipe" });
    }
  });
});
