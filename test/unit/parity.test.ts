import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseProcfile, ProcfileError } from "../../src/config/procfile.js";
import { withWords } from "../../src/plan/resolve.js";
import type { TaskDefinition } from "../../src/types/config.js";
import { chooseProcessContainers, processLayer } from "../../src/config/running.js";
import { parseMount, parseVolume } from "../../src/formats/mount-syntax.js";
import type { ContainerSummary, ProcessDefinition } from "../../src/engine/types.js";
import { diffAgainstProcess } from "../../src/requests/diff.js";
import type { ContainerSpec } from "../../src/requests/create-body.js";

const web = (overrides: Partial<ProcessDefinition> = {}): ProcessDefinition => ({
  id: "c1",
  name: "shop_web_1",
  state: "running",
  imageId: "sha256:aaa",
  env: ["PATH=/bin", "HOSTNAME=abc123", "SHOP_ENV=production", "API_TOKEN=t0k"],
  labels: { "com.docker.compose.service": "web", "io.oneoff.app": "x", "com.example.team": "payments" },
  runtime: {
    volume: [{ type: "volume", source: "shop-data", target: "/data", readOnly: false }],
    network: ["shop_default"],
    user: "app",
    workdir: "/app",
  },
  ...overrides,
});

describe("processLayer (what --from copies)", () => {
  it("copies image ID, env without per-container values, network, mounts, user, workdir and own labels", () => {
    // Its labels as processDefinition reads them back through the label row: less compose's and oneoff's.
    const runtime = { ...web().runtime, label: { "com.example.team": "payments" } };
    expect(processLayer("web", [web({ runtime })], false)).toEqual({
      source: "running web (shop_web_1)",
      running: { process: "web", container: "shop_web_1" },
      settings: {
        release: "sha256:aaa",
        env: { PATH: "/bin", SHOP_ENV: "production", API_TOKEN: "t0k" },
        network: ["shop_default"],
        user: "app",
        workdir: "/app",
        volume: [{ type: "volume", source: "shop-data", target: "/data", readOnly: false }],
        label: { "com.example.team": "payments" },
      },
    });
  });

  it("copies its runtime settings: init, capabilities, tmpfs, ulimits, shm size, groups", () => {
    const runtime = {
      init: true,
      capAdd: ["NET_ADMIN"],
      tmpfs: { "/scratch": "" },
      ulimit: [{ name: "nofile", soft: 1024, hard: 2048 }],
      shmSize: 96 * 2 ** 20,
      groupAdd: ["123"],
    };
    expect(processLayer("web", [web({ runtime })], false).settings).toMatchObject(runtime);
  });

  it("refuses replicas on different images unless the release is chosen", () => {
    const replicas = [web(), web({ name: "shop_web_2", imageId: "sha256:bbb" })];
    expect(() => processLayer("web", replicas, false)).toThrow(
      /its containers run different images \(shop_web_1 runs aaa, shop_web_2 runs bbb\)/,
    );
    expect(processLayer("web", replicas, true).settings.release).toBe("sha256:aaa");
  });
});

describe("parseVolume (docker's -v)", () => {
  it.each([
    ["shop-data:/data", { type: "volume", source: "shop-data", target: "/data", readOnly: false, shortMode: "" }],
    ["/srv/conf:/conf:ro", { type: "bind", source: "/srv/conf", target: "/conf", readOnly: true, shortMode: "ro" }],
    ["./conf:/conf", { type: "bind", source: "/base/conf", target: "/conf", readOnly: false, shortMode: "" }],
    ["./conf:/conf:z,ro", { type: "bind", source: "/base/conf", target: "/conf", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" }],
    [
      "/c:/c:ro,Z,rslave",
      { type: "bind", source: "/c", target: "/c", readOnly: true, selinuxLabel: "Z", propagation: "rslave", shortMode: "ro,Z,rslave" },
    ],
    ["/c:/c:rw,cached", { type: "bind", source: "/c", target: "/c", readOnly: false, consistency: "cached", shortMode: "rw,cached" }],
    ["cache:/c:nocopy,ro", { type: "volume", source: "cache", target: "/c", readOnly: true, noCopy: true, shortMode: "nocopy,ro" }],
    ["/scratch", { type: "volume", source: "", target: "/scratch", readOnly: false, shortMode: "" }],
  ])("%s", (text, mount) => {
    expect(parseVolume(text, "/base")).toEqual(mount);
  });
  it.each([
    ["data", /the target "data" is not an absolute path/],
    [":/data", /source is empty/],
    ["data:rel", /not an absolute path/],
    ["data:/d:rx", /unknown mode "rx"/],
    ["a:/b:c:d", /at most two colons/],
    ["data:/", /cannot be \//],
    ["/data:ro", /an anonymous volume takes no mode/],
    ["/c:/c:ro,rw", /says ro\/rw twice/],
    ["/c:/c:z,Z", /says z\/Z twice/],
    ["/c:/c:rshared,rslave", /says a propagation twice/],
    ["/c:/c:nocopy", /nocopy is for a volume/],
    ["cache:/c:rslave", /rslave is a bind's propagation, and this is a volume/],
  ])("refuses %s", (text, problem) => {
    expect(parseVolume(text, "/base")).toMatch(problem);
  });
});

describe("diffAgainstProcess", () => {
  const spec = (env: string[], user = "app", workdir = "/app"): ContainerSpec => ({
    name: "n",
    extraNetworks: [],
    body: {
      Image: "sha256:aaa",
      Cmd: [],
      Env: env,
      User: user,
      WorkingDir: workdir,
      Labels: {},
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: false,
      StdinOnce: false,
      Tty: false,
      HostConfig: {
        NetworkMode: "shop_default",
        AutoRemove: false,
        Mounts: [{ Type: "volume", Source: "shop-data", Target: "/data" }],
      },
      NetworkingConfig: { EndpointsConfig: { shop_default: {} } },
    },
    volume: [{ type: "volume", source: "shop-data", target: "/data", readOnly: false }],
  });

  it("finds nothing when the one-off matches (image env counted, HOSTNAME ignored)", () => {
    expect(
      diffAgainstProcess(spec(["SHOP_ENV=production", "API_TOKEN=t0k"]), web(), { env: ["PATH=/bin"], settings: {} }).filter(
        (row) => !row.same,
      ),
    ).toEqual([]);
  });

  it("compares effective values: a one-off leaving the image's USER and WORKDIR in place runs with them, as the container does", () => {
    const image = { env: ["PATH=/bin"], settings: { user: "app", workdir: "/app" } };
    expect(diffAgainstProcess(spec(["SHOP_ENV=production", "API_TOKEN=t0k"], "", ""), web(), image).filter((row) => !row.same)).toEqual([]);
    // Without the image's defaults the same one-off would run as root in /: that differs.
    const bare = { env: ["PATH=/bin"], settings: {} };
    expect(diffAgainstProcess(spec(["SHOP_ENV=production", "API_TOKEN=t0k"], "", ""), web(), bare).filter((row) => !row.same)).toEqual([
      { what: "user", oneOff: "", running: "app", same: false },
      { what: "workdir", oneOff: "", running: "/app", same: false },
    ]);
  });

  it("gives the one-off the image's STOPSIGNAL, as the engine gives the running container", () => {
    const image = { env: ["PATH=/bin"], settings: { stopSignal: "SIGQUIT" } };
    const running = web({ runtime: { ...web().runtime, stopSignal: "SIGQUIT" } });
    expect(diffAgainstProcess(spec(["SHOP_ENV=production", "API_TOKEN=t0k"]), running, image).filter((row) => !row.same)).toEqual([]);
  });

  // The engine gives a container that sets none the image's ENTRYPOINT: so is the one-off's read.
  it("compares entrypoints as the engine runs them: the image's where the one-off sets none, its own (or a cleared one) where it does", () => {
    const image = { env: ["PATH=/bin"], settings: { entrypoint: ["/docker-entrypoint.sh"] } };
    const running = web({ runtime: { ...web().runtime, entrypoint: ["/docker-entrypoint.sh"] } });
    const oneOff = spec(["SHOP_ENV=production", "API_TOKEN=t0k"]);
    expect(diffAgainstProcess(oneOff, running, image).filter((row) => !row.same)).toEqual([]);
    const own = { ...oneOff, body: { ...oneOff.body, Entrypoint: ["/bin/sh", "-c"] } };
    expect(diffAgainstProcess(own, running, image).filter((row) => !row.same)).toEqual([
      { what: "entrypoint", oneOff: "/bin/sh -c", running: "/docker-entrypoint.sh", same: false },
    ]);
    expect(processLayer("web", [running], false).settings.entrypoint).toEqual(["/docker-entrypoint.sh"]);
  });

  // --network is a row like every docker run setting: the networks of both sides, in any order.
  it("compares networks: the one-off's first and those connected before start, against the endpoints the container is on", () => {
    const image = { env: ["PATH=/bin"], settings: {} };
    const oneOff = { ...spec(["SHOP_ENV=production", "API_TOKEN=t0k"]), extraNetworks: ["cache"] };
    const running = web({ runtime: { ...web().runtime, network: ["cache", "shop_default"] } });
    expect(diffAgainstProcess(oneOff, running, image).filter((row) => !row.same)).toEqual([]);
    expect(diffAgainstProcess(oneOff, web(), image).filter((row) => !row.same)).toEqual([
      { what: "network", oneOff: "cache, shop_default", running: "shop_default", same: false },
    ]);
  });

  it("reports differences, with secrets only as differing", () => {
    const rows = diffAgainstProcess(spec(["SHOP_ENV=staging", "API_TOKEN=other"], "root"), web(), {
      env: ["PATH=/bin"],
      settings: {},
    }).filter((row) => !row.same);
    expect(rows).toEqual([
      { what: "user", oneOff: "root", running: "app", same: false },
      { what: "env API_TOKEN", oneOff: "(secret, differs)", running: "(secret, differs)", same: false },
      { what: "env SHOP_ENV", oneOff: "staging", running: "production", same: false },
    ]);
  });

  it("masks the variables of secrets: on both sides, shows the one-off as having them, and compares the values it could read", () => {
    const image = { env: ["PATH=/bin"], settings: {} };
    // STRIPE says nothing secret by its name: only secrets: tells it is one.
    const running = web({ env: [...web().env, "STRIPE=sk_live_planted-1", "VAULT_VALUE=from-vault-planted"] });
    const oneOff = spec(["SHOP_ENV=production", "API_TOKEN=t0k", "STRIPE=<redacted>", "VAULT_VALUE=<redacted>", "LATE=<redacted>"]);
    // STRIPE's value was read (env: or file:); VAULT_VALUE and LATE come from commands, never run by diff.
    const secretEnv = (stripe: string) =>
      new Map<string, string | undefined>([
        ["STRIPE", stripe],
        ["VAULT_VALUE", undefined],
        ["LATE", undefined],
      ]);
    const secretRows = (stripe: string) =>
      diffAgainstProcess(oneOff, running, image, secretEnv(stripe)).filter((row) =>
        ["env STRIPE", "env VAULT_VALUE", "env LATE"].includes(row.what),
      );
    expect(secretRows("sk_live_planted-1")).toEqual([
      { what: "env LATE", oneOff: "(secret, not compared)", running: "(unset)", same: false },
      { what: "env STRIPE", oneOff: "(secret)", running: "(secret)", same: true },
      { what: "env VAULT_VALUE", oneOff: "(secret, not compared)", running: "(secret)", same: true },
    ]);
    expect(secretRows("sk_live_other")).toContainEqual({
      what: "env STRIPE",
      oneOff: "(secret, differs)",
      running: "(secret, differs)",
      same: false,
    });
    const alone = diffAgainstProcess(oneOff, web(), image, secretEnv("sk_live_planted-1")).find((row) => row.what === "env STRIPE");
    expect(alone).toEqual({ what: "env STRIPE", oneOff: "(secret)", running: "(unset)", same: false });
    expect(JSON.stringify(diffAgainstProcess(oneOff, running, image, secretEnv("sk_live_other")))).not.toMatch(/planted|sk_live|redacted/);
  });
});

describe("parseProcfile", () => {
  it("turns process types into shell-run tasks, located by line", () => {
    const tasks = parseProcfile(
      "web: bundle exec puma -C config/puma.rb\n\n# the release phase\nrelease: rake db:migrate && rake cache:clear\n",
      "Procfile",
    );
    expect(tasks.map((task) => [task.name, task.command, task.source])).toEqual([
      ["web", ["sh", "-c", "bundle exec puma -C config/puma.rb"], "Procfile:1"],
      ["release", ["sh", "-c", "rake db:migrate && rake cache:clear"], "Procfile:4"],
    ]);
  });

  it("appends the words after -- to the line, each arriving as written, as heroku run does", () => {
    const [worker] = parseProcfile("worker: echo worker\n", "Procfile");
    const argv = withWords(worker as TaskDefinition, ["a b", "$HOME;echo injected", "'q'"]);
    expect(argv).toEqual(["sh", "-c", 'echo worker "$@"', "worker", "a b", "$HOME;echo injected", "'q'"]);
    // The host's sh runs the argv the engine would be given.
    const output = execFileSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
    expect(output).toBe("worker a b $HOME;echo injected 'q'\n");
  });

  it.each([
    ["a line", "echo migrating $((6*7)); exit 3", ["migrating 42\n", 3]],
    // `false; "$@"` would end with an empty command, exit 0: a failed release would pass.
    ["a line ending in ;", "echo migrating; false;", ["migrating\n", 1]],
  ])("runs %s without extra words as written, with its exit code", (_, line, outcome) => {
    const [release] = parseProcfile(`release: ${line}\n`, "Procfile");
    const argv = withWords(release as TaskDefinition, []);
    expect(argv).toEqual(["sh", "-c", line]);
    const run = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
    expect([run.stdout, run.status]).toEqual(outcome);
  });

  it.each([
    ["not a process line", "web bundle exec puma\n", 1, /is not "name: command"/],
    ["an empty command", "ok: x\nworker:\n", 2, /process type worker has no command/],
  ])("refuses %s, with its line", (_, text, line, message) => {
    try {
      parseProcfile(text, "Procfile");
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as ProcfileError).line).toBe(line);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe("parseMount (docker's --mount)", () => {
  it.each([
    ["type=volume,source=shop-data,target=/data", { type: "volume", source: "shop-data", target: "/data", readOnly: false }],
    ["type=bind,src=./conf,dst=/conf,readonly", { type: "bind", source: "/base/conf", target: "/conf", readOnly: true }],
    ["type=tmpfs,destination=/scratch", { type: "tmpfs", source: "", target: "/scratch", readOnly: false }],
    ["source=cache,target=/cache,ro=1", { type: "volume", source: "cache", target: "/cache", readOnly: true }],
    ["type=bind,src=/a,dst=/a,readonly=false,ro=true", { type: "bind", source: "/a", target: "/a", readOnly: true }],
    [
      "type=volume,source=v,target=/v,volume-nocopy,volume-driver=local,volume-opt=type=tmpfs,volume-opt=o=size=1m,volume-label=a=b",
      {
        type: "volume",
        source: "v",
        target: "/v",
        readOnly: false,
        noCopy: true,
        volumeDriver: "local",
        volumeOptions: { type: "tmpfs", o: "size=1m" },
        volumeLabels: { a: "b" },
      },
    ],
    [
      "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770",
      { type: "tmpfs", source: "", target: "/t", readOnly: false, tmpfsSizeBytes: 1048576, tmpfsMode: 0o1770 },
    ],
    [
      "type=bind,source=/a,target=/a,bind-propagation=rslave,bind-nonrecursive,consistency=cached",
      { type: "bind", source: "/a", target: "/a", readOnly: false, propagation: "rslave", nonRecursive: true, consistency: "cached" },
    ],
  ])("%s", (text, mount) => {
    expect(parseMount(text, "/base")).toEqual(mount);
  });

  it.each([
    ["type=nfs,target=/x", /type "nfs" is not volume, bind or tmpfs/],
    ["source=data", /no target/],
    ["type=bind,target=/x", /a bind needs a source/],
    ["type=volume,source=a,target=/x,nfs-opt=o=1", /"nfs-opt" is not a --mount option/],
    ["source=a,target=/x,readonly=maybe", /readonly "maybe" is not true or false/],
    ["type=bind,source=/a,target=/x,volume-nocopy", /volume-nocopy is for type=volume, and this is type=bind/],
    ["type=tmpfs,target=/x,tmpfs-size=abc", /tmpfs-size "abc" is not a size/],
    ["type=tmpfs,target=/x,tmpfs-mode=999", /tmpfs-mode "999" is not octal/],
    ["type=bind,source=/a,target=/x,bind-propagation=foo", /bind-propagation "foo" is not rprivate/],
    ["type=bind,source=/a,target=/x,consistency=foo", /consistency "foo" is not default/],
    ["type=volume,source=a,target=/x,volume-opt=o", /volume-opt "o" is not KEY=VALUE/],
    ["type=volume,source=a,target=/x,volume-driver", /volume-driver needs a value/],
  ])("refuses %s", (text, problem) => {
    expect(parseMount(text, "/base")).toMatch(problem);
  });
});

describe("chooseProcessContainers (which containers --from web means, for one app)", () => {
  const container = (name: string, labels: Record<string, string>, state = "running"): ContainerSummary => ({
    id: `id-${name}`,
    name,
    labels,
    state,
  });
  const labelled = (name: string, app: string) => container(name, { "io.oneoff.process": "web", "io.oneoff.app": app });
  const composed = (name: string, project: string, service = "web", extra: Record<string, string> = {}) =>
    container(name, { "com.docker.compose.project": project, "com.docker.compose.service": service, ...extra });
  const names = (chosen: readonly ContainerSummary[]) => chosen.map((chosen) => chosen.name);

  it("takes this app's labelled web, not another app's", () => {
    const all = [labelled("other-web", "other"), labelled("shop-web", "shop")];
    expect(names(chooseProcessContainers("web", "shop", all))).toEqual(["shop-web"]);
    expect(names(chooseProcessContainers("web", "other", all))).toEqual(["other-web"]);
  });

  it("takes the app's compose service over a labelled web of another app", () => {
    const all = [labelled("other-web", "other"), composed("nc-compose-web-1", "nc-compose")];
    expect(names(chooseProcessContainers("web", "nc-compose", all))).toEqual(["nc-compose-web-1"]);
  });

  it("finds the compose project named like the app as compose names projects (lowercased)", () => {
    expect(names(chooseProcessContainers("web", "Shop.App", [composed("shopapp-web-1", "shopapp")]))).toEqual(["shopapp-web-1"]);
  });

  it("takes every replica of the one process, and a compose container labelled for the app once", () => {
    const all = [
      composed("shop-web-1", "shop"),
      composed("shop-web-2", "shop", "web", { "io.oneoff.process": "web", "io.oneoff.app": "shop" }),
      composed("shop-web-3", "shop", "web", {}),
    ];
    expect(names(chooseProcessContainers("web", "shop", all))).toEqual(["shop-web-1", "shop-web-2", "shop-web-3"]);
  });

  it("leaves out stopped containers and compose's own one-offs (docker compose run)", () => {
    const all = [
      composed("shop-web-run-1", "shop", "web", { "com.docker.compose.oneoff": "True" }),
      container("shop-web-old", { "com.docker.compose.project": "shop", "com.docker.compose.service": "web" }, "exited"),
      composed("shop-web-1", "shop"),
    ];
    expect(names(chooseProcessContainers("web", "shop", all))).toEqual(["shop-web-1"]);
  });

  it("refuses two processes of the app called web, in one line naming both", () => {
    const all = [composed("shop-web-1", "shop"), labelled("shop-web-extra", "shop")];
    expect(() => chooseProcessContainers("web", "shop", all)).toThrow(
      /^--from web: app shop has two processes called web: compose service web of project shop \(shop-web-1\) and io\.oneoff\.process=web \(shop-web-extra\)$/,
    );
  });

  it("says which apps do run a web when this one has none", () => {
    const all = [labelled("other-web", "other"), container("loose-web", { "io.oneoff.process": "web" })];
    expect(() => chooseProcessContainers("web", "shop", all)).toThrow(
      /^--from web: no running process web of app shop, nor a container of that name \(other-web is app other's; loose-web has no io\.oneoff\.app label\)$/,
    );
  });

  it("shows another app's label without the controls it may hold", () => {
    const all = [labelled("odd-web", "x\u001b[2Jy")];
    expect(() => chooseProcessContainers("web", "shop", all)).toThrow(/\(odd-web is app x\\u001b\[2Jy's\)$/);
  });
});
