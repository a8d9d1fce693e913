import { describe, expect, it } from "vitest";
import { plan } from "./plan-fixture.js";
import type { RunPlan } from "../../src/types/plan.js";
import { buildContainerSpec, containerName, type CreateBody } from "../../src/requests/create-body.js";
import { dockerRunLine } from "../../src/requests/docker-run-line.js";
import { Labels, oneOffLabels, type OneOffIdentity } from "../../src/requests/labels.js";

const IMAGE_ID = `sha256:${"0123456789abcdef".repeat(4)}`;
const identity = {
  imageId: IMAGE_ID,
  startedBy: "alice",
  startedAt: new Date("2025-01-02T03:04:05.678Z"),
  version: "0.1.0",
  owner: "laptop:4242",
};

function labelsFor(command: string[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    "io.oneoff.managed": "true",
    "io.oneoff.app": "shop",
    "io.oneoff.release.image-id": IMAGE_ID,
    "io.oneoff.release.reference": "registry.example.com/shop:v42",
    "io.oneoff.command": JSON.stringify(command),
    "io.oneoff.started-by": "alice",
    "io.oneoff.started-at": "2025-01-02T03:04:05.678Z",
    "io.oneoff.version": "0.1.0",
    "io.oneoff.owner": "laptop:4242",
    ...extra,
  };
}

const minimalBody: CreateBody = {
  Image: IMAGE_ID,
  Cmd: ["bin/rails", "db:migrate"],
  Env: [],
  Labels: labelsFor(["bin/rails", "db:migrate"]),
  AttachStdin: false,
  AttachStdout: true,
  AttachStderr: true,
  OpenStdin: false,
  StdinOnce: false,
  Tty: false,
  HostConfig: { AutoRemove: false },
};

describe("buildContainerSpec", () => {
  it.each<[string, RunPlan, CreateBody, string[]]>([
    ["a plain command with nothing else set", plan(), minimalBody, []],
    [
      "a command whose arguments hold spaces and quotes, kept one element each",
      plan({ command: ["sh", "-c", `echo "it's $HOME" && exit 3`, "", " two  spaces "] }),
      {
        ...minimalBody,
        Cmd: ["sh", "-c", `echo "it's $HOME" && exit 3`, "", " two  spaces "],
        Labels: labelsFor(["sh", "-c", `echo "it's $HOME" && exit 3`, "", " two  spaces "]),
      },
      [],
    ],
    [
      "env as KEY=VALUE entries in order",
      plan({ settings: { env: { RAILS_ENV: "production", EMPTY: "", URL: "a=b", MULTI: "line1\nline2" } } }),
      { ...minimalBody, Env: ["RAILS_ENV=production", "EMPTY=", "URL=a=b", "MULTI=line1\nline2"] },
      [],
    ],
    [
      "user and working directory",
      plan({ settings: { user: "1000:1000", workdir: "/srv/app" } }),
      { ...minimalBody, User: "1000:1000", WorkingDir: "/srv/app" },
      [],
    ],
    ["an empty user left out", plan({ settings: { user: "" } }), minimalBody, []],
    [
      "one network as NetworkMode and endpoint",
      plan({ settings: { network: ["backend"] } }),
      { ...minimalBody, HostConfig: { NetworkMode: "backend", AutoRemove: false }, NetworkingConfig: { EndpointsConfig: { backend: {} } } },
      [],
    ],
    [
      "several networks, the rest connected after create",
      plan({ settings: { network: ["backend", "cache", "metrics"] } }),
      { ...minimalBody, HostConfig: { NetworkMode: "backend", AutoRemove: false }, NetworkingConfig: { EndpointsConfig: { backend: {} } } },
      ["cache", "metrics"],
    ],
    ["an empty network list as no network", plan({ settings: { network: [] } }), minimalBody, []],
    [
      "memory and CPU limits",
      plan({ settings: { memory: 512 * 1024 ** 2, cpus: 1.5e9 } }),
      { ...minimalBody, HostConfig: { Memory: 536870912, NanoCpus: 1500000000, AutoRemove: false } },
      [],
    ],
    ["an entrypoint", plan({ settings: { entrypoint: ["/bin/sh", "-c"] } }), { ...minimalBody, Entrypoint: ["/bin/sh", "-c"] }, []],
    ["a cleared entrypoint", plan({ settings: { entrypoint: [""] } }), { ...minimalBody, Entrypoint: [""] }, []],
    [
      "stdin attached, open and closed once for an interactive run",
      plan({ interactive: true }),
      { ...minimalBody, AttachStdin: true, OpenStdin: true, StdinOnce: true },
      [],
    ],
    [
      "a task label for a task",
      plan({ task: "migrate" }),
      { ...minimalBody, Labels: labelsFor(["bin/rails", "db:migrate"], { "io.oneoff.task": "migrate" }) },
      [],
    ],
    [
      "config labels alongside oneoff's",
      plan({ settings: { label: { team: "payments", "com.example.cost-center": "42" } } }),
      { ...minimalBody, Labels: { team: "payments", "com.example.cost-center": "42", ...labelsFor(["bin/rails", "db:migrate"]) } },
      [],
    ],
  ])("builds the create body for %s", (_name, runPlan, body, extraNetworks) => {
    const spec = buildContainerSpec(runPlan, identity, "1a2b3c");
    expect(spec.body).toEqual(body);
    expect(spec.extraNetworks).toEqual(extraNetworks);
  });

  it("uses the image ID, never the mutable reference, as Image", () => {
    const spec = buildContainerSpec(plan({ releaseReference: "shop:latest" }), identity, "x");
    expect(spec.body.Image).toBe(IMAGE_ID);
    expect(spec.body.Labels[Labels.releaseReference]).toBe("shop:latest");
  });

  it("lets oneoff's labels win over config labels with the same names", () => {
    const forged = {
      [Labels.managed]: "false",
      [Labels.app]: "someone-else",
      [Labels.releaseImageId]: "sha256:forged",
      [Labels.owner]: "other-host:1",
      [Labels.command]: '["forged"]',
    };
    const spec = buildContainerSpec(plan({ settings: { label: { ...forged, team: "payments" } } }), identity, "x");
    expect(spec.body.Labels).toEqual({ team: "payments", ...labelsFor(["bin/rails", "db:migrate"]) });
  });

  it("names the container after the app, the task and the suffix", () => {
    expect(buildContainerSpec(plan({ task: "db:migrate" }), identity, "9f8e7d").name).toBe("shop-db-migrate-run-9f8e7d");
    expect(buildContainerSpec(plan(), identity, "9f8e7d").name).toBe("shop-run-9f8e7d");
  });

  it("leaves the plan's network list untouched when splitting off the first network", () => {
    const runPlan = plan({ settings: { network: ["a", "b"] } });
    buildContainerSpec(runPlan, identity, "x");
    expect(runPlan.settings.network).toEqual(["a", "b"]);
  });
});

describe("containerName", () => {
  it.each([
    ["app and task", { app: "shop", task: "migrate" }, "shop-migrate-run-1a2b3c"],
    ["an app without a task", { app: "shop" }, "shop-run-1a2b3c"],
    ["a task with a colon", { app: "shop", task: "db:migrate" }, "shop-db-migrate-run-1a2b3c"],
    ["an app with spaces", { app: "my shop app", task: undefined }, "my-shop-app-run-1a2b3c"],
    ["runs of unsafe characters as one dash", { app: "a  /  b" }, "a-b-run-1a2b3c"],
    ["dots, dashes and underscores kept", { app: "shop_v2.eu-west" }, "shop_v2.eu-west-run-1a2b3c"],
    ["leading dashes and dots dropped", { app: "--.shop", task: "-x" }, "shop-x-run-1a2b3c"],
    ["an empty app as oneoff", { app: "" }, "oneoff-run-1a2b3c"],
    ["an app with nothing safe as oneoff", { app: "..." }, "oneoff-run-1a2b3c"],
    ["a task with nothing safe left out", { app: "shop", task: ":" }, "shop-run-1a2b3c"],
  ])("builds a docker-safe name from %s", (_name, runPlan, name) => {
    const built = containerName(runPlan, "1a2b3c");
    expect(built).toBe(name);
    expect(built).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });
});

describe("oneOffLabels", () => {
  const base: OneOffIdentity = { ...identity, app: "shop", releaseReference: "shop:v1", command: ["true"] };

  it("records the command as a JSON array", () => {
    const command = ["sh", "-c", 'echo "a b"'];
    expect(JSON.parse(oneOffLabels({ ...base, command })[Labels.command] as string)).toEqual(command);
  });

  it.each([
    ["a command just under the limit whole", 1024, false],
    ["a command over the limit cut with ...", 1025, true],
  ])("keeps %s", (_name, jsonLength, cut) => {
    // JSON.stringify(["x...x"]) adds 4 characters: [" and "].
    const command = ["x".repeat(jsonLength - 4)];
    const label = oneOffLabels({ ...base, command })[Labels.command] as string;
    expect(JSON.stringify(command)).toHaveLength(jsonLength);
    if (cut) {
      expect(label).toBe(`${JSON.stringify(command).slice(0, 1024)}...`);
      expect(label).toHaveLength(1027);
    } else {
      expect(label).toBe(JSON.stringify(command));
    }
  });

  it("leaves out the task label when there is no task", () => {
    expect(oneOffLabels(base)).not.toHaveProperty(Labels.task);
    expect(oneOffLabels({ ...base, task: "migrate" })[Labels.task]).toBe("migrate");
  });

  it("keeps label names under the io.oneoff. prefix", () => {
    for (const name of Object.keys(oneOffLabels({ ...base, task: "t" }))) expect(name.startsWith("io.oneoff.")).toBe(true);
  });
});

describe("container names from awkward app names", () => {
  it.each([
    ["_work", "work-run-abc123"],
    ["..hidden", "hidden-run-abc123"],
    ["-dash", "dash-run-abc123"],
    ["___", "oneoff-run-abc123"],
  ])("%s gives a name docker accepts: %s", (app, expected) => {
    const name = containerName({ app }, "abc123");
    expect(name).toBe(expected);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
  });
});

describe("terminal sessions in the create body", () => {
  it.each([
    [{ interactive: true, tty: true }, { Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true }, "-it"],
    [{ interactive: false, tty: true }, { Tty: true, OpenStdin: false, StdinOnce: false, AttachStdin: false }, "-t"],
    [{ interactive: true, tty: false }, { Tty: false, OpenStdin: true, StdinOnce: true, AttachStdin: true }, "-i"],
  ])("%o sets %o and docker run %s", (modes, fields, flag) => {
    const spec = buildContainerSpec(plan(modes), identity, "abc123");
    expect(spec.body).toMatchObject(fields);
    expect(dockerRunLine(spec).split(" ")).toContain(flag);
  });
});

describe("mounts, extra hosts and DNS", () => {
  it("go into HostConfig and the docker run line", () => {
    const spec = buildContainerSpec(
      plan({
        settings: {
          volume: [
            { type: "volume", source: "shop-data", target: "/data", readOnly: false },
            { type: "bind", source: "/srv/conf", target: "/conf", readOnly: true },
            { type: "tmpfs", source: "", target: "/scratch", readOnly: false },
          ],
          addHost: ["db:10.0.0.5"],
          dns: ["10.0.0.2"],
        },
      }),
      identity,
      "abc123",
    );
    expect(spec.body.HostConfig).toMatchObject({
      Mounts: [
        { Type: "volume", Source: "shop-data", Target: "/data" },
        { Type: "bind", Source: "/srv/conf", Target: "/conf", ReadOnly: true },
        { Type: "tmpfs", Target: "/scratch" },
      ],
      ExtraHosts: ["db:10.0.0.5"],
      Dns: ["10.0.0.2"],
    });
    const line = dockerRunLine(spec);
    expect(line).toContain(
      "--mount type=volume,source=shop-data,target=/data --mount type=bind,source=/srv/conf,target=/conf,readonly --mount type=tmpfs,target=/scratch",
    );
    expect(line).toContain("--add-host db:10.0.0.5 --dns 10.0.0.2");
  });

  const shortMounts = [
    { type: "bind", source: "/srv/conf", target: "/conf", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" },
    { type: "bind", source: "/srv/logs", target: "/logs", readOnly: false, shortMode: "" },
    { type: "volume", source: "cache", target: "/cache", readOnly: false, noCopy: true, shortMode: "nocopy" },
    { type: "volume", source: "", target: "/scratch", readOnly: false, shortMode: "" },
  ] as const;

  it("go as docker run -v sends them: Binds with the mode as written, an anonymous volume in Volumes", () => {
    const spec = buildContainerSpec(plan({ settings: { volume: shortMounts.map((mount) => ({ ...mount })) } }), identity, "abc123");
    expect(spec.body.HostConfig.Binds).toEqual(["/srv/conf:/conf:z,ro", "/srv/logs:/logs", "cache:/cache:nocopy"]);
    expect(spec.body.Volumes).toEqual({ "/scratch": {} });
    expect(spec.body.HostConfig.Mounts).toBeUndefined();
    expect(dockerRunLine(spec)).toContain("-v /srv/conf:/conf:z,ro -v /srv/logs:/logs -v cache:/cache:nocopy -v /scratch");
  });

  it("send a bind without a label as a Mounts bind to an engine elsewhere, which refuses a missing path rather than making it", () => {
    const spec = buildContainerSpec(plan({ settings: { volume: shortMounts.map((mount) => ({ ...mount })) } }), identity, "abc123", false);
    expect(spec.body.HostConfig.Binds).toEqual(["/srv/conf:/conf:z,ro", "cache:/cache:nocopy"]);
    expect(spec.body.HostConfig.Mounts).toEqual([{ Type: "bind", Source: "/srv/logs", Target: "/logs" }]);
  });

  it("give --mount's options their Engine API fields and their words back on the docker run line", () => {
    const spec = buildContainerSpec(
      plan({
        settings: {
          volume: [
            {
              type: "volume",
              source: "v",
              target: "/v",
              readOnly: true,
              noCopy: true,
              volumeDriver: "local",
              volumeOptions: { o: "size=1m" },
            },
            { type: "bind", source: "/a", target: "/a", readOnly: false, propagation: "rslave", nonRecursive: true, consistency: "cached" },
            { type: "tmpfs", source: "", target: "/t", readOnly: false, tmpfsSizeBytes: 1048576, tmpfsMode: 0o1770 },
          ],
        },
      }),
      identity,
      "abc123",
    );
    expect(spec.body.HostConfig.Mounts).toEqual([
      {
        Type: "volume",
        Source: "v",
        Target: "/v",
        ReadOnly: true,
        VolumeOptions: { NoCopy: true, DriverConfig: { Name: "local", Options: { o: "size=1m" } } },
      },
      { Type: "bind", Source: "/a", Target: "/a", Consistency: "cached", BindOptions: { Propagation: "rslave", NonRecursive: true } },
      { Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
    ]);
    expect(dockerRunLine(spec)).toContain(
      "--mount type=volume,source=v,target=/v,readonly,volume-nocopy,volume-driver=local,volume-opt=o=size=1m --mount type=bind,source=/a,target=/a,consistency=cached,bind-propagation=rslave,bind-nonrecursive --mount type=tmpfs,target=/t,tmpfs-size=1048576,tmpfs-mode=1770",
    );
  });

  it("send -e NAME, unset here, bare, unless another layer gives NAME a value", () => {
    const spec = buildContainerSpec(plan({ settings: { env: { PATH: null, KEPT: "yaml" } } }), identity, "abc123");
    expect(spec.body.Env).toEqual(["KEPT=yaml", "PATH"]);
  });
});

describe("--platform in the create request", () => {
  it("goes on the spec (the create's platform query), the docker run line and a job's placement", async () => {
    const { buildContainerSpec } = await import("../../src/requests/create-body.js");
    const { dockerRunLine } = await import("../../src/requests/docker-run-line.js");
    const { buildJobServiceSpec } = await import("../../src/requests/service-spec.js");
    const { plan } = await import("./plan-fixture.js");
    const identity = {
      imageId: `sha256:${"1".repeat(64)}`,
      startedBy: "a",
      startedAt: new Date(0),
      version: "0",
      owner: "h:1",
      runId: "r",
    };
    const spec = buildContainerSpec(plan({ settings: { platform: "linux/arm64" } }), identity, "abc123");
    expect(spec.platform).toBe("linux/arm64");
    expect(dockerRunLine(spec)).toContain(" --platform linux/arm64 ");
    expect(buildJobServiceSpec(spec, { name: "x", image: "x" }).TaskTemplate.Placement).toEqual({
      Platforms: [{ OS: "linux", Architecture: "arm64" }],
    });
  });
});
