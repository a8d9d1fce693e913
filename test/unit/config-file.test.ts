import { describe, expect, it } from "vitest";
import type { Environment } from "../../src/config/interpolate.js";
import { parseConfigFile } from "../../src/config/file.js";
import { OneoffError } from "../../src/output/errors.js";

const options = { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml" };

function parse(text: string, env: Environment = {}) {
  return parseConfigFile(text, { ...options, env });
}

function parseError(text: string, env: Environment = {}): OneoffError {
  try {
    parse(text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error(`expected the config to be refused:\n${text}`);
}

describe("parseConfigFile", () => {
  it("takes the runtime keys, named and written as in compose, at the top level and in a task, located", () => {
    const { config } = parseConfigFile(
      [
        /* 1 */ "image: shop",
        /* 2 */ "init: true",
        /* 3 */ "cap_add: [NET_ADMIN]",
        /* 4 */ "tmpfs: ['/scratch:size=8m']",
        /* 5 */ "ulimits: {nofile: {soft: 1024, hard: 2048}}",
        /* 6 */ "extra_hosts: ['db:10.0.0.5']",
        /* 7 */ "tasks:",
        /* 8 */ "  migrate:",
        /* 9 */ "    command: [bin/migrate]",
        /* 10 */ "    read_only: true",
        /* 11 */ "    shm_size: 96m",
        "",
      ].join("\n"),
      { path: "/srv/shop/oneoff.yaml", displayPath: "oneoff.yaml", env: {} },
    );
    expect(config.base.settings).toMatchObject({
      init: true,
      capAdd: ["NET_ADMIN"],
      tmpfs: { "/scratch": "size=8m" },
      ulimit: [{ name: "nofile", soft: 1024, hard: 2048 }],
      addHost: ["db:10.0.0.5"],
    });
    expect(config.base.locations).toMatchObject({ init: "oneoff.yaml:2:1", capAdd: "oneoff.yaml:3:1", ulimit: "oneoff.yaml:5:1" });
    expect(config.tasks.migrate?.overrides.settings).toMatchObject({ readOnly: true, shmSize: 96 * 2 ** 20 });
  });

  it("reads every setting, with the location of each key", () => {
    const text = [
      /*  1 */ "app: shop",
      /*  2 */ "image: registry.example.com/shop",
      /*  3 */ "release: ${RELEASE:-v1}",
      /*  4 */ "env:",
      /*  5 */ "  RAILS_ENV: production",
      /*  6 */ "  PORT: 3000",
      /*  7 */ "  DEBUG: false",
      /*  8 */ "network: backend",
      /*  9 */ "user: app",
      /* 10 */ "workdir: /srv",
      /* 11 */ "entrypoint: [/bin/sh, -c]",
      /* 12 */ "memory: 512m",
      /* 13 */ "cpus: 1.5",
      /* 14 */ "labels:",
      /* 15 */ "  team: payments",
      /* 16 */ "pull: always",
      /* 17 */ "stop_timeout: 30",
    ].join("\n");
    expect(parse(text)).toEqual({
      config: {
        path: "/srv/shop/oneoff.yaml",
        dir: "/srv/shop",
        app: "shop",
        base: {
          source: "oneoff.yaml",
          settings: {
            image: "registry.example.com/shop",
            release: "v1",
            env: { RAILS_ENV: "production", PORT: "3000", DEBUG: "false" },
            network: ["backend"],
            user: "app",
            workdir: "/srv",
            entrypoint: ["/bin/sh", "-c"],
            memory: 512 * 1024 ** 2,
            cpus: 1.5e9,
            label: { team: "payments" },
            stopTimeout: 30,
          },
          locations: {
            image: "oneoff.yaml:2:1",
            release: "oneoff.yaml:3:1",
            env: "oneoff.yaml:4:1",
            network: "oneoff.yaml:8:1",
            user: "oneoff.yaml:9:1",
            workdir: "oneoff.yaml:10:1",
            entrypoint: "oneoff.yaml:11:1",
            memory: "oneoff.yaml:12:1",
            cpus: "oneoff.yaml:13:1",
            label: "oneoff.yaml:14:1",
            stopTimeout: "oneoff.yaml:17:1",
          },
          // RELEASE is unset: v1 is only ${RELEASE:-v1}'s fallback.
          defaults: ["release"],
        },
        envFileLayers: [],
        tasks: {},
        pull: "always",
      },
      envFiles: [],
    });
  });

  it.each([
    ["an empty file", ""],
    ["a file with only comments", "# nothing here yet\n"],
  ])("takes %s as no settings, naming the app after the directory", (_name, text) => {
    const { config, envFiles } = parse(text);
    expect(config.app).toBe("shop");
    expect(config.dir).toBe("/srv/shop");
    expect(config.base.settings).toEqual({});
    expect(config.tasks).toEqual({});
    expect(envFiles).toEqual([]);
  });

  it("names the app after the config file's directory when app: is not set", () => {
    const { config } = parseConfigFile("image: x\n", { path: "/home/me/billing-api/oneoff.yaml", displayPath: "oneoff.yaml", env: {} });
    expect(config.app).toBe("billing-api");
  });

  it.each([
    ["a string", "bin/rails db:migrate", ["bin/rails", "db:migrate"]],
    ["a string with quoted words", `bin/notify --message "it's done" 'a  b'`, ["bin/notify", "--message", "it's done", "a  b"]],
    ["a string that looks like shell", "'echo a | cat > out; $$HOME'", ["echo", "a", "|", "cat", ">", "out;", "$HOME"]],
    ["a list, kept as written", `[bin/notify, "--message", "two words", "it's"]`, ["bin/notify", "--message", "two words", "it's"]],
    ["a list holding numbers", "[sleep, 10]", ["sleep", "10"]],
  ])("reads a task shorthand command given as %s", (_name, command, argv) => {
    const { config } = parse(`tasks:\n  migrate: ${command}\n`);
    expect(config.tasks.migrate).toEqual({
      name: "migrate",
      source: "oneoff.yaml:2:3",
      command: argv,
      overrides: { source: "task migrate", settings: {}, locations: {} },
      envFileLayers: [],
    });
  });

  it.each([
    ["a string", "command: bin/seed --count 10", ["bin/seed", "--count", "10"]],
    ["a list", "command: [bin/seed, --count, '10']", ["bin/seed", "--count", "10"]],
    ["a block list", "command:\n      - bin/seed\n      - a b", ["bin/seed", "a b"]],
    ["a bare number, taken as its string", "command: 5", ["5"]],
  ])("reads a task command: given as %s", (_name, commandYaml, argv) => {
    const { config } = parse(`tasks:\n  seed:\n    ${commandYaml}\n`);
    expect(config.tasks.seed?.command).toEqual(argv);
  });

  it("reads a task's own settings as an overrides layer located in the file", () => {
    const text = [
      /*  1 */ "tasks:",
      /*  2 */ "  console:",
      /*  3 */ "    command: bin/rails console",
      /*  4 */ "    description: open a console",
      /*  5 */ "    env:",
      /*  6 */ "      X: y",
      /*  7 */ "    networks: [a, b]",
      /*  8 */ "    entrypoint: /bin/sh -c",
      /*  9 */ "    memory: 1g",
      /* 10 */ "    cpus: 2",
      /* 11 */ "    user: root",
      /* 12 */ "    workdir: /tmp",
      /* 13 */ "    labels: {k: v}",
    ].join("\n");
    expect(parse(text).config.tasks.console).toEqual({
      name: "console",
      source: "oneoff.yaml:2:3",
      command: ["bin/rails", "console"],
      description: "open a console",
      envFileLayers: [],
      overrides: {
        source: "task console",
        settings: {
          env: { X: "y" },
          network: ["a", "b"],
          entrypoint: ["/bin/sh", "-c"],
          memory: 1024 ** 3,
          cpus: 2e9,
          user: "root",
          workdir: "/tmp",
          label: { k: "v" },
        },
        locations: {
          env: "oneoff.yaml:5:5",
          network: "oneoff.yaml:7:5",
          entrypoint: "oneoff.yaml:8:5",
          memory: "oneoff.yaml:9:5",
          cpus: "oneoff.yaml:10:5",
          user: "oneoff.yaml:11:5",
          workdir: "oneoff.yaml:12:5",
          label: "oneoff.yaml:13:5",
        },
      },
    });
  });

  it.each([
    ["network: as one string", "network: backend", ["backend"]],
    ["networks: as a list", "networks: [backend, cache]", ["backend", "cache"]],
    ["networks: as one string", "networks: backend", ["backend"]],
  ])("reads %s as a list of networks", (_name, yaml, networks) => {
    expect(parse(yaml).config.base.settings.network).toEqual(networks);
  });

  it.each([
    ["a value taken as written", "  A: plain", { A: "plain" }],
    ["numbers and booleans as strings", "  N: 42\n  F: 1.5\n  B: true", { N: "42", F: "1.5", B: "true" }],
    ["a quoted empty string", '  E: ""', { E: "" }],
    ["a key without a value, from the host", "  FROM_HOST:", { FROM_HOST: "host-value" }],
    ["a null value, from the host", "  FROM_HOST: null", { FROM_HOST: "host-value" }],
    ["a key without a value that the host has empty", "  EMPTY_ON_HOST:", { EMPTY_ON_HOST: "" }],
    ["a key without a value unset on the host, left out", "  NOT_ON_HOST:\n  A: 1", { A: "1" }],
    [
      "an interpolated value",
      "  URL: postgres://${DB_HOST:-localhost}/app\n  H: $FROM_HOST",
      { URL: "postgres://localhost/app", H: "host-value" },
    ],
    ["a literal dollar written $$", "  PRICE: $$5", { PRICE: "$5" }],
    ["names docker accepts: a leading digit, dots and dashes", "  1A: x\n  app.log-level: debug", { "1A": "x", "app.log-level": "debug" }],
  ])("reads env: with %s", (_name, entries, env) => {
    const hostEnv = { FROM_HOST: "host-value", EMPTY_ON_HOST: "" };
    expect(parse(`env:\n${entries}\n`, hostEnv).config.base.settings.env).toEqual(env);
  });

  it("interpolates every string setting from the given environment", () => {
    const env = { REGISTRY: "registry.example.com", TAG: "v42", NET: "backend", DIR: "/srv/app", MEM: "256m" };
    const text = "image: $REGISTRY/shop\nrelease: ${TAG}\nnetwork: ${NET}\nworkdir: ${DIR}\nmemory: ${MEM}\ntasks:\n  t: echo ${TAG}\n";
    const { config } = parse(text, env);
    expect(config.base.settings).toMatchObject({
      image: "registry.example.com/shop",
      release: "v42",
      network: ["backend"],
      workdir: "/srv/app",
      memory: 256 * 1024 ** 2,
    });
    expect(config.tasks.t?.command).toEqual(["echo", "v42"]);
  });

  it("splits an interpolated string command after interpolation, without re-expanding", () => {
    const { config } = parse("tasks:\n  t: echo ${WORDS}\n", { WORDS: "two words" });
    expect(config.tasks.t?.command).toEqual(["echo", "two", "words"]);
  });

  it.each([
    ["entrypoint: as a string", "entrypoint: /bin/sh -c", ["/bin/sh", "-c"]],
    ["entrypoint: as a list", "entrypoint: [/docker-entrypoint.sh, 'a b']", ["/docker-entrypoint.sh", "a b"]],
    // As docker run --entrypoint "": the image's is cleared, and the one-off needs a command of its own.
    ['entrypoint: "" as [""]', 'entrypoint: ""', [""]],
  ])("reads %s", (_name, yaml, entrypoint) => {
    expect(parse(yaml).config.base.settings.entrypoint).toEqual(entrypoint);
  });

  it.each(["missing", "always", "never"] as const)("accepts pull: %s", (policy) => {
    expect(parse(`pull: ${policy}`).config.pull).toBe(policy);
  });

  it.each([
    ["a number", "stop_timeout: 5", 5],
    ["zero", "stop_timeout: 0", 0],
    // The engine keeps whole seconds: a fraction rounds up, once, as it is read.
    ["a fraction, in whole seconds", "stop_timeout: 2.5", 3],
    ["an interpolated number", "stop_timeout: ${GRACE}", 7],
  ])("reads stop_timeout as %s", (_name, yaml, seconds) => {
    expect(parse(yaml, { GRACE: "7" }).config.base.settings.stopTimeout).toBe(seconds);
  });

  it("lists env files in order with their scope and location, without reading them", () => {
    const text = ["env_file: [config/a.env, config/b.env]", "tasks:", "  seed:", "    command: bin/seed", "    env_file: seed.env"].join(
      "\n",
    );
    expect(parse(text).envFiles).toEqual([
      { value: "config/a.env", location: "oneoff.yaml:1:11" },
      { value: "config/b.env", location: "oneoff.yaml:1:11" },
      { value: "seed.env", location: "oneoff.yaml:5:15", task: "seed" },
    ]);
  });

  it.each([
    ["a task name with a colon", "db:migrate"],
    ["a task name with dots and dashes", "report.daily-v2"],
    ["a task name starting with a digit", "2fa-reset"],
  ])("accepts %s", (_name, taskName) => {
    expect(Object.keys(parse(`tasks:\n  ${taskName}: x\n`).config.tasks)).toEqual([taskName]);
  });

  describe("errors: every one says file:line:col: key.path: what, with exit code 125", () => {
    it.each([
      // [name, yaml, message, hint]
      [
        "a tab used as indentation",
        "image: shop\nenv:\n\tA: 1\n",
        "oneoff.yaml:3:1: invalid YAML: Tabs are not allowed as indentation",
        "fix the YAML syntax at that line",
      ],
      [
        "a mapping nested in a compact mapping",
        "image: shop\nuser: a: b\n",
        "oneoff.yaml:2:7: invalid YAML: Nested mappings are not allowed in compact mappings",
        "fix the YAML syntax at that line",
      ],
      [
        "a duplicate top-level key",
        "image: a\nuser: app\nimage: b\n",
        "oneoff.yaml:3:1: invalid YAML: Map keys must be unique",
        "fix the YAML syntax at that line",
      ],
      [
        "a duplicate env key",
        "env:\n  A: 1\n  A: 2\n",
        "oneoff.yaml:3:3: invalid YAML: Map keys must be unique",
        "fix the YAML syntax at that line",
      ],
      ["a misspelt top-level key", "image: shop\nnetwrok: backend\n", "oneoff.yaml:2:1: netwrok: unknown key", 'did you mean "network"?'],
      [
        "another misspelt top-level key",
        "image: shop\n\n\nworkdri: /app\n",
        "oneoff.yaml:4:1: workdri: unknown key",
        'did you mean "workdir"?',
      ],
      // compose's words for oneoff's keys: the compose spelling, not the nearest string.
      ["compose's environment:", "image: shop\nenvironment:\n  A: 1\n", "oneoff.yaml:2:1: environment: unknown key", 'did you mean "env"?'],
      [
        "compose's environment: in a task",
        "tasks:\n  migrate:\n    command: bin/migrate\n    environment: [A=1]\n",
        "oneoff.yaml:4:5: tasks.migrate.environment: unknown key",
        'did you mean "env"?',
      ],
      ["compose's working_dir:", "working_dir: /app\n", "oneoff.yaml:1:1: working_dir: unknown key", 'did you mean "workdir"?'],
      ["compose's mem_limit:", "mem_limit: 1g\n", "oneoff.yaml:1:1: mem_limit: unknown key", 'did you mean "memory"?'],
      [
        "a misspelt task key",
        "tasks:\n  migrate:\n    comand: bin/migrate\n",
        "oneoff.yaml:3:5: tasks.migrate.comand: unknown key",
        'did you mean "command"?',
      ],
      [
        "an unknown key with no close match",
        "wibble:\n  A: 1\n",
        "oneoff.yaml:1:1: wibble: unknown key",
        "known keys: app, image, release, env, env_file, network, volumes, user, workdir, entrypoint, networks, hostname, extra_hosts, dns, init, privileged, read_only, cap_add, cap_drop, security_opt, tmpfs, ulimits, shm_size, group_add, sysctls, devices, device_cgroup_rules, pid, ipc, runtime, logging, dns_opt, dns_search, memory, cpus, memswap_limit, mem_reservation, pids_limit, cpu_shares, cpuset, stop_signal, volumes_from, oom_kill_disable, blkio_config, userns_mode, uts, cgroup, cgroup_parent, storage_opt, isolation, stop_timeout, platform, labels, tasks, pull, timeout, shell, release_task, detach_keys, from, compose, service, ledger_keep, history_keep, record, record_limit, engine, constraints, secrets, environments",
      ],
      [
        "a top-level key only valid in tasks",
        "command: x\n",
        "oneoff.yaml:1:1: command: unknown key",
        "known keys: app, image, release, env, env_file, network, volumes, user, workdir, entrypoint, networks, hostname, extra_hosts, dns, init, privileged, read_only, cap_add, cap_drop, security_opt, tmpfs, ulimits, shm_size, group_add, sysctls, devices, device_cgroup_rules, pid, ipc, runtime, logging, dns_opt, dns_search, memory, cpus, memswap_limit, mem_reservation, pids_limit, cpu_shares, cpuset, stop_signal, volumes_from, oom_kill_disable, blkio_config, userns_mode, uts, cgroup, cgroup_parent, storage_opt, isolation, stop_timeout, platform, labels, tasks, pull, timeout, shell, release_task, detach_keys, from, compose, service, ledger_keep, history_keep, record, record_limit, engine, constraints, secrets, environments",
      ],
      [
        "a list at the top level",
        "- image\n",
        "oneoff.yaml:1:1: (top level): expected a mapping, got a list",
        "write it as KEY: value lines, indented under it",
      ],
      [
        "a string at the top level",
        "hello\n",
        'oneoff.yaml:1:1: (top level): expected a mapping, got the string "hello"',
        "write it as KEY: value lines, indented under it",
      ],
      [
        "a list as memory",
        "memory: [1]\n",
        "oneoff.yaml:1:9: memory: expected a string, got a list",
        "write a single value, quoted if in doubt",
      ],
      [
        "a word as memory",
        "memory: lots\n",
        'oneoff.yaml:1:9: memory: "lots": not a memory size',
        "use bytes or a number with b, k, m, g, t or p (KiB, MB... too), such as 512m; 0 for no limit",
      ],
      [
        "too precise cpus",
        "cpus: 1.0000000005\n",
        'oneoff.yaml:1:7: cpus: "1.0000000005": too precise: docker takes whole billionths of a CPU',
        "round it to 9 decimal places or fewer, such as 0.5",
      ],
      ["negative cpus", "cpus: -1\n", 'oneoff.yaml:1:7: cpus: "-1": below 0', "use a number such as 0.5, 1.5 or 3/2; 0 for no limit"],
      [
        "a boolean as image",
        "image: true\n",
        "oneoff.yaml:1:8: image: expected a string, got the boolean true",
        "write a single value, quoted if in doubt",
      ],
      [
        "a mapping as user",
        "user:\n  name: app\n",
        "oneoff.yaml:2:3: user: expected a string, got a mapping",
        "write a single value, quoted if in doubt",
      ],
      ["a relative workdir", "workdir: app\n", 'oneoff.yaml:1:10: workdir: "app": not an absolute path', "start it with /"],
      [
        "an invalid app name",
        "app: 'my app'\n",
        'oneoff.yaml:1:6: app: "my app" is not a valid app name',
        "use letters, digits, _, . and -",
      ],
      [
        "an unknown pull policy",
        "pull: sometimes\n",
        'oneoff.yaml:1:7: pull: unknown pull policy "sometimes"',
        "use one of missing, always, never",
      ],
      ["a negative stop_timeout", "stop_timeout: -1\n", "oneoff.yaml:1:15: stop_timeout: must not be negative", "give a number of seconds"],
      [
        "a word as stop_timeout",
        "stop_timeout: soon\n",
        'oneoff.yaml:1:15: stop_timeout: expected a number, got the string "soon"',
        "give a plain number, such as 10",
      ],
      [
        "env as a list",
        "env: [A=1]\n",
        "oneoff.yaml:1:6: env: expected a mapping, got a list",
        "write it as KEY: value lines, indented under it",
      ],
      [
        "a mapping as an env value",
        "env:\n  A:\n    B: 1\n",
        "oneoff.yaml:3:5: env.A: expected a string, number or boolean, got a mapping",
        "give a single value; quote it if it holds : or #",
      ],
      [
        "a label without a value",
        "labels:\n  team:\n",
        "oneoff.yaml:2:8: labels.team: expected a string, number or boolean, got nothing",
        "give a single value; quote it if it holds : or #",
      ],
      [
        "a list of lists as env_file",
        "env_file: [[a.env]]\n",
        "oneoff.yaml:1:12: env_file[0]: expected a string, got a list",
        "write a single value, quoted if in doubt",
      ],
      [
        "both network and networks",
        "network: a\nnetworks: [b]\n",
        'oneoff.yaml:2:1: networks: both "network" and "networks" are set',
        'keep only "networks" (a list)',
      ],
      [
        "both networks and network",
        "user: x\nnetworks: [b]\nnetwork: a\n",
        'oneoff.yaml:3:1: network: both "network" and "networks" are set',
        'keep only "networks" (a list)',
      ],
      [
        "both network and networks in a task",
        "tasks:\n  m:\n    command: x\n    networks: [b]\n    network: a\n",
        'oneoff.yaml:5:5: tasks.m.network: both "network" and "networks" are set',
        'keep only "networks" (a list)',
      ],
      [
        "tasks as a list",
        "tasks: [migrate]\n",
        "oneoff.yaml:1:8: tasks: expected a mapping, got a list",
        "write it as KEY: value lines, indented under it",
      ],
      [
        "a task without a command",
        "tasks:\n  migrate:\n    description: migrate the db\n",
        "oneoff.yaml:3:5: tasks.migrate: a task needs a command",
        'add "command: [...]" under tasks.migrate',
      ],
      [
        "an invalid task name",
        "tasks:\n  -bad: x\n",
        'oneoff.yaml:2:3: tasks.-bad: "-bad" is not a valid task name',
        "use letters, digits, _, ., : and -",
      ],
      [
        "a mapping as a task command",
        "tasks:\n  m:\n    command: {a: 1}\n",
        "oneoff.yaml:3:14: tasks.m.command: expected a string or a list of strings, got a mapping",
        "write a value, or a list such as [a, b]",
      ],
      [
        "a list inside a command list",
        "tasks:\n  m: [echo, [x]]\n",
        "oneoff.yaml:2:13: tasks.m.command[1]: expected a string, got a list",
        "write a single value, quoted if in doubt",
      ],
      [
        "an empty command string",
        "tasks:\n  m: ''\n",
        "oneoff.yaml:2:6: tasks.m.command: the command is empty",
        "write the command as a list: [program, arg, ...]",
      ],
      [
        "a blank command string",
        "tasks:\n  m:\n    command: '   '\n",
        "oneoff.yaml:3:14: tasks.m.command: the command is empty",
        "write the command as a list: [program, arg, ...]",
      ],
      [
        "an unterminated quote in a command",
        `tasks:\n  m: "echo 'x"\n`,
        "oneoff.yaml:2:6: tasks.m.command: unterminated single quote",
        "write the command as a list: [program, arg, ...]",
      ],
      [
        "an empty command list",
        "tasks:\n  m: []\n",
        "oneoff.yaml:2:6: tasks.m.command: the command is empty",
        "write the command as a list: [program, arg, ...]",
      ],
      [
        "an empty command list under command:",
        "tasks:\n  m:\n    command: []\n",
        "oneoff.yaml:3:14: tasks.m.command: the command is empty",
        "write the command as a list: [program, arg, ...]",
      ],
      ["an empty env name", 'env:\n  "": x\n', "oneoff.yaml:2:3: env.: the name is empty", "give it a name without =, spaces or NUL bytes"],
      [
        "an empty env name in a task",
        'tasks:\n  m:\n    command: x\n    env:\n      "": y\n',
        "oneoff.yaml:5:7: tasks.m.env.: the name is empty",
        "give it a name without =, spaces or NUL bytes",
      ],
      [
        "an empty label name",
        'labels:\n  "": x\n',
        "oneoff.yaml:2:3: labels.: the name is empty",
        "give it a name without =, spaces or NUL bytes",
      ],
      [
        "an env name with a space",
        'env:\n  "A B": x\n',
        'oneoff.yaml:2:3: env.A B: variable name "A B" contains whitespace',
        "give it a name without =, spaces or NUL bytes",
      ],
      [
        "an env name with =",
        'env:\n  "A=B": x\n',
        'oneoff.yaml:2:3: env.A=B: variable name "A=B" contains "="',
        "give it a name without =, spaces or NUL bytes",
      ],
      [
        "a NUL byte in an env value",
        'env:\n  A: "a\\0b"\n',
        "oneoff.yaml:2:3: env.A: the value of A contains a NUL byte, which no process can receive",
        "pass large or binary data as a file instead",
      ],
      ["an undefined alias", "image: shop\nuser: *x\n", "oneoff.yaml:2:7: unknown alias *x", "define the anchor &x before using it"],
      [
        "a list as a task's env",
        "tasks:\n  m:\n    command: x\n    env: [A]\n",
        "oneoff.yaml:4:10: tasks.m.env: expected a mapping, got a list",
        "write it as KEY: value lines, indented under it",
      ],
      [
        "a platform that is not os/arch",
        "platform: amd64\n",
        'oneoff.yaml:1:11: platform: "amd64": not os/arch[/variant]',
        "such as --platform linux/amd64 or linux/arm64/v8",
      ],
      [
        "an entrypoint string with an open quote",
        'entrypoint: sh -c "x\n',
        "oneoff.yaml:1:13: entrypoint: unterminated double quote",
        "close the quote, or write the words as a list",
      ],
      [
        "a relative workdir in a task",
        "tasks:\n  m:\n    command: x\n    workdir: tmp\n",
        'oneoff.yaml:4:14: tasks.m.workdir: "tmp": not an absolute path',
        "start it with /",
      ],
    ])("refuses %s", (_name, text, message, hint) => {
      const error = parseError(text);
      expect(error.message).toBe(message);
      expect(error.hint).toBe(hint);
      expect(error.exitCode).toBe(125);
    });

    it.each([
      [
        "a top-level value",
        "image: shop\nrelease: ${RELEASE}\n",
        "oneoff.yaml:2:10: release: variable RELEASE is not set",
        "set RELEASE in the environment, or give a default with ${RELEASE:-value}",
      ],
      [
        "a value with a :? message",
        "image: ${IMAGE:?set IMAGE to the app's repository}\n",
        "oneoff.yaml:1:8: image: IMAGE: set IMAGE to the app's repository",
        "set IMAGE in the environment that runs oneoff",
      ],
      [
        "a task command",
        "tasks:\n  m:\n    command: [echo, $WHO]\n",
        "oneoff.yaml:3:21: tasks.m.command[1]: variable WHO is not set",
        "set WHO in the environment, or give a default with ${WHO:-value}",
      ],
      [
        "an env value's syntax",
        "env:\n  DB: postgres://${DB_HOST/app\n",
        'oneoff.yaml:2:7: env.DB: unclosed "${" in "postgres://${DB_HOST/app"',
        'close it with "}", or write $$ for a literal $',
      ],
      [
        "invalid interpolation syntax",
        "user: ${USER\n",
        'oneoff.yaml:1:7: user: unclosed "${" in "${USER"',
        'close it with "}", or write $$ for a literal $',
      ],
    ])("refuses a missing or invalid interpolation in %s, located at the value", (_name, text, message, hint) => {
      const error = parseError(text);
      expect(error.message).toBe(message);
      expect(error.hint).toBe(hint);
      expect(error.exitCode).toBe(125);
    });

    it("keeps an env value whose variable is not set as an error for a one-off that gets it", () => {
      const { config } = parseConfigFile(
        "env:\n  A: ok\n  DB: postgres://${DB_HOST}/app\ntasks:\n  m:\n    command: x\n    env:\n      TOKEN: ${TOKEN}\n",
        {
          path: "/srv/shop/oneoff.yaml",
          displayPath: "oneoff.yaml",
          env: {},
        },
      );
      expect(config.base.settings.env).toEqual({ A: "ok" });
      expect({ ...config.base.unsetEnv }).toEqual({
        DB: {
          message: "oneoff.yaml:3:7: env.DB: variable DB_HOST is not set",
          hint: "set DB_HOST in the environment, or give a default with ${DB_HOST:-value}",
        },
      });
      expect({ ...config.tasks.m?.overrides.unsetEnv }).toEqual({
        TOKEN: {
          message: "oneoff.yaml:8:14: tasks.m.env.TOKEN: variable TOKEN is not set",
          hint: "set TOKEN in the environment, or give a default with ${TOKEN:-value}",
        },
      });
    });

    it("uses the display path given, not the absolute path", () => {
      let error: unknown;
      try {
        parseConfigFile("netwrok: x\n", { path: "/srv/shop/deploy/oneoff.yml", displayPath: "deploy/oneoff.yml", env: {} });
      } catch (caught) {
        error = caught;
      }
      expect((error as OneoffError).message).toBe("deploy/oneoff.yml:1:1: netwrok: unknown key");
    });
  });
});
