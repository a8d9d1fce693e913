import { describe, expect, it } from "vitest";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { parseGpus } from "../../src/settings/gpus.js";
import { SETTINGS } from "../../src/settings/table.js";
import { runtimeNotForJobs, jobRuntime } from "../../src/requests/job-runtime.js";
import {
  afterCreateFromRuntime,
  configFromRuntime,
  hostConfigFromRuntime,
  networkingConfigFromRuntime,
  runtimeDiffValues,
  runtimeFlagWords,
  runtimeFromHostConfig,
  settingsOver,
} from "../../src/requests/runtime-settings.js";
import type { RuntimeFlags } from "../../src/types/options.js";

/** Every row of the table given on a command line, as a backup one-off's runbook might. */
const FLAGS: RuntimeFlags = {
  env: ["BACKUP_TARGET=/backup", "UNSET_HERE"],
  volume: ["/srv/backups:/backup:z,ro", "/scratch"],
  mount: ["type=tmpfs,target=/tmp,tmpfs-size=64m"],
  user: "1000:1000",
  workdir: "/backup",
  entrypoint: "/backup/run.sh",
  platform: "linux/arm64",
  network: ["backend", "cache"],
  hostname: "backup-1",
  addHost: ["db:10.0.0.5", "gw=host-gateway"],
  dns: ["10.0.0.2"],
  init: true,
  privileged: true,
  readOnly: true,
  capAdd: ["NET_ADMIN"],
  capDrop: ["NET_RAW"],
  securityOpt: ["no-new-privileges"],
  tmpfs: ["/run:size=64m", "/cache"],
  ulimit: ["nofile=1024:2048"],
  shmSize: "96m",
  groupAdd: ["1234"],
  sysctl: ["net.core.somaxconn=1024"],
  device: ["/dev/null"],
  deviceCgroupRule: ["c 10:229 rwm"],
  pid: "host",
  ipc: "host",
  runtime: "io.containerd.runc.v2",
  logDriver: "json-file",
  logOpt: ["max-size=10m"],
  dnsOption: ["ndots:2"],
  dnsSearch: ["example.internal"],
  memory: "256m",
  cpus: "1.5",
  memorySwap: "512m",
  memoryReservation: "128m",
  pidsLimit: "100",
  cpuShares: "512",
  cpusetCpus: "0-1",
  stopSignal: "SIGINT",
  volumesFrom: ["db:ro", "cache"],
  oomKillDisable: true,
  blkioWeight: "300",
  userns: "host",
  uts: "host",
  cgroupns: "private",
  cgroupParent: "batch",
  storageOpt: ["size=10G"],
  isolation: "default",
  stopTimeout: 20,
  gpus: "all",
  label: ["com.example.team=payments", "tier=batch"],
};

describe("docker run's settings table", () => {
  it("has a test value for every row", () => {
    expect(Object.keys(FLAGS).sort()).toEqual(SETTINGS.flatMap((row) => [row.name, ...(row.second ? [row.second.option] : [])]).sort());
  });

  it("parses each flag into the Engine API's field, as docker create sends it", () => {
    const settings = runtimeFlagSettings(FLAGS);
    expect(hostConfigFromRuntime(settings)).toEqual({
      Binds: ["/srv/backups:/backup:z,ro"],
      Mounts: [{ Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 64 * 2 ** 20 } }],
      NetworkMode: "backend",
      ExtraHosts: ["db:10.0.0.5", "gw:host-gateway"],
      Dns: ["10.0.0.2"],
      Init: true,
      Privileged: true,
      ReadonlyRootfs: true,
      CapAdd: ["CAP_NET_ADMIN"],
      CapDrop: ["CAP_NET_RAW"],
      SecurityOpt: ["no-new-privileges"],
      Tmpfs: { "/run": "size=64m", "/cache": "" },
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      ShmSize: 96 * 2 ** 20,
      GroupAdd: ["1234"],
      Sysctls: { "net.core.somaxconn": "1024" },
      Devices: [{ PathOnHost: "/dev/null", PathInContainer: "/dev/null", CgroupPermissions: "rwm" }],
      DeviceCgroupRules: ["c 10:229 rwm"],
      PidMode: "host",
      IpcMode: "host",
      Runtime: "io.containerd.runc.v2",
      LogConfig: { Type: "json-file", Config: { "max-size": "10m" } },
      DnsOptions: ["ndots:2"],
      DnsSearch: ["example.internal"],
      Memory: 256 * 2 ** 20,
      NanoCpus: 1_500_000_000,
      MemorySwap: 512 * 2 ** 20,
      MemoryReservation: 128 * 2 ** 20,
      PidsLimit: 100,
      CpuShares: 512,
      CpusetCpus: "0-1",
      VolumesFrom: ["db:ro", "cache"],
      OomKillDisable: true,
      BlkioWeight: 300,
      UsernsMode: "host",
      UTSMode: "host",
      CgroupnsMode: "private",
      CgroupParent: "batch",
      StorageOpt: { size: "10G" },
      Isolation: "default",
      DeviceRequests: [{ Driver: "", Count: -1, DeviceIDs: null, Capabilities: [["gpu"]], Options: {} }],
    });
    expect(configFromRuntime(settings)).toEqual({
      // A name unset here is sent bare, after the values.
      Env: ["BACKUP_TARGET=/backup", "UNSET_HERE"],
      Volumes: { "/scratch": {} },
      User: "1000:1000",
      WorkingDir: "/backup",
      Entrypoint: ["/backup/run.sh"],
      Hostname: "backup-1",
      StopSignal: "SIGINT",
      StopTimeout: 20,
      // The user's labels: requests/create-body.ts puts oneoff's own over them.
      Labels: { "com.example.team": "payments", tier: "batch" },
    });
    // The first network at create, as the docker CLI sends it; the rest connected before start.
    expect(networkingConfigFromRuntime(settings)).toEqual({ EndpointsConfig: { backend: {} } });
    expect(afterCreateFromRuntime(settings)).toEqual(["cache"]);
  });

  it("reads back what it sends (--from), and writes it as the flags it came from (the docker run line)", () => {
    const settings = runtimeFlagSettings(FLAGS);
    // --platform is the create request's query, not the body's: an inspected container has none;
    // --network's are the endpoints it is on (the create's first, then those connected before start).
    const networking = { EndpointsConfig: { backend: {}, cache: {} } };
    const fromBody = runtimeFromHostConfig(hostConfigFromRuntime(settings), {}, configFromRuntime(settings), { networking });
    expect(fromBody).toEqual({ ...settings, platform: undefined });
    const read = runtimeFromHostConfig(hostConfigFromRuntime(settings), {}, configFromRuntime(settings), {
      query: { platform: "linux/arm64" },
      networking,
    });
    expect(read).toEqual(settings);
    const words = runtimeFlagWords(read);
    expect(words.join(" ")).toBe(
      "-e BACKUP_TARGET=/backup -e UNSET_HERE -v /srv/backups:/backup:z,ro -v /scratch --mount type=tmpfs,target=/tmp,tmpfs-size=67108864 " +
        "--user 1000:1000 --workdir /backup --entrypoint /backup/run.sh --network backend --network cache --hostname backup-1 --add-host db:10.0.0.5 --add-host gw:host-gateway --dns 10.0.0.2 " +
        "--init --privileged --read-only --cap-add NET_ADMIN --cap-drop NET_RAW --security-opt no-new-privileges " +
        "--tmpfs /cache --tmpfs /run:size=64m --ulimit nofile=1024:2048 --shm-size 96m --group-add 1234 " +
        "--sysctl net.core.somaxconn=1024 --device /dev/null:/dev/null:rwm --device-cgroup-rule c 10:229 rwm --pid host --ipc host " +
        "--runtime io.containerd.runc.v2 --log-driver json-file --log-opt max-size=10m --dns-option ndots:2 " +
        "--dns-search example.internal --memory 256m --cpus 1.5 " +
        "--memory-swap 512m --memory-reservation 128m --pids-limit 100 --cpu-shares 512 --cpuset-cpus 0-1 --stop-signal SIGINT " +
        "--volumes-from db:ro --volumes-from cache --oom-kill-disable --blkio-weight 300 --userns host --uts host --cgroupns private " +
        "--cgroup-parent batch --storage-opt size=10G --isolation default --stop-timeout 20 --gpus all --platform linux/arm64 " +
        "--label com.example.team=payments --label tier=batch",
    );
  });

  // docker run --entrypoint takes one executable ("" as [""], which clears the image's); a longer
  // one (compose's list) is read back whole by --from and shown in its order by diff.
  it("takes --entrypoint as one word, reads a container's back whole, and shows it in order in diff", () => {
    expect(runtimeFlagSettings({ entrypoint: "/bin/sh -c" })).toEqual({ entrypoint: ["/bin/sh -c"] });
    expect(runtimeFlagSettings({ entrypoint: "" })).toEqual({ entrypoint: [""] });
    const read = runtimeFromHostConfig({}, {}, { Entrypoint: ["/docker-entrypoint.sh", "--verbose"] });
    expect(read).toEqual({ entrypoint: ["/docker-entrypoint.sh", "--verbose"] });
    expect(runtimeFlagWords(read)).toEqual(["--entrypoint", "/docker-entrypoint.sh"]);
    expect(runtimeDiffValues(read).get("entrypoint")).toBe("/docker-entrypoint.sh --verbose");
    expect(runtimeDiffValues({ entrypoint: ["/bin/sh", "-c", "a b"] }).get("entrypoint")).toBe("/bin/sh -c 'a b'");
    expect(runtimeDiffValues({ entrypoint: [""] }).get("entrypoint")).toBe("");
    expect(runtimeFromHostConfig({}, {}, { Entrypoint: null })).toEqual({});
  });

  it("leaves out what the engine gives a container that asks for nothing", () => {
    expect(
      runtimeFromHostConfig({ MemorySwap: 0, PidsLimit: null, CpuShares: 0, OomKillDisable: false, CgroupnsMode: "host", Isolation: "" }),
    ).toEqual({});
    expect(runtimeFromHostConfig({ CgroupnsMode: "private" }, { cgroupns: "private" })).toEqual({});
    expect(runtimeFromHostConfig({ PidsLimit: -1, MemorySwap: -1 })).toEqual({ memorySwap: -1 });
  });

  it("shows a diff row for each setting", () => {
    const rows = runtimeDiffValues(runtimeFlagSettings({ pidsLimit: "50", oomKillDisable: true }));
    expect(rows.get("pids-limit")).toBe("50");
    expect(rows.get("oom-kill-disable")).toBe("yes");
    expect(rows.get("cpu-shares")).toBe("");
  });

  // docker reads --memory 0 (and --cpus 0, --pids-limit 0) as no limit: so does diff, against a process that has none.
  it.each([{ memory: "0" }, { memory: "0m" }, { cpus: "0" }, { pidsLimit: "0" }, { memorySwap: "0" }])(
    "shows %j as the same diff row as no limit",
    (flags) => {
      const [name] = Object.keys(flags) as Array<keyof RuntimeFlags>;
      const row = SETTINGS.find((setting) => setting.name === name);
      const what = row?.flag.replace(/^--/, "") ?? "";
      expect(runtimeDiffValues(runtimeFlagSettings(flags)).get(what)).toBe(runtimeDiffValues({}).get(what));
    },
  );

  it("gives a Swarm job --stop-signal and --isolation, its limits, and names each setting it cannot carry", () => {
    const settings = runtimeFlagSettings(FLAGS);
    expect(jobRuntime(settings).container).toMatchObject({
      Mounts: [
        { Type: "bind", Source: "/srv/backups", Target: "/backup", ReadOnly: true },
        { Type: "volume", Target: "/scratch" },
        { Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 64 * 2 ** 20 } },
      ],
      User: "1000:1000",
      Dir: "/backup",
      Command: ["/backup/run.sh"],
      StopSignal: "SIGINT",
      Isolation: "default",
      StopGracePeriod: 20_000_000_000,
      Hostname: "backup-1",
      Hosts: ["10.0.0.5 db", "host-gateway gw"],
      DNSConfig: { Nameservers: ["10.0.0.2"], Search: ["example.internal"], Options: ["ndots:2"] },
      Labels: { "com.example.team": "payments", tier: "batch" },
    });
    expect(jobRuntime(settings).task).toEqual({
      Networks: [{ Target: "backend" }, { Target: "cache" }],
      Resources: { Limits: { MemoryBytes: 256 * 2 ** 20, NanoCPUs: 1_500_000_000 } },
    });
    expect(runtimeNotForJobs(settings).map(([, flag]) => flag)).toEqual(
      SETTINGS.filter((row) => row.jobField === undefined && row.jobCarriedBy === undefined).map((row) => row.flag),
    );
    expect(runtimeNotForJobs(runtimeFlagSettings({ logOpt: ["max-size=1m"] }))).toEqual([["logOpt", "--log-opt without --log-driver"]]);
  });

  it.each([
    ["all", { count: -1, capabilities: ["gpu"] }],
    ["2", { count: 2, capabilities: ["gpu"] }],
    ['"device=0,1"', { deviceIds: ["0", "1"], capabilities: ["gpu"] }],
    ["count=1,capabilities=compute", { count: 1, capabilities: ["compute", "gpu"] }],
    ["driver=nvidia", { count: 1, driver: "nvidia", capabilities: ["gpu"] }],
  ])("reads --gpus %s as the docker CLI does", (text, request) => {
    expect(parseGpus(text)).toEqual(request);
  });

  it("takes --log-opt without --log-driver for the engine's default driver, as docker does", () => {
    const settings = runtimeFlagSettings({ logOpt: ["max-size=1m"] });
    // No Type: the engine reads its absence as "" (its default driver), as docker run's Type "".
    expect(hostConfigFromRuntime(settings).LogConfig).toEqual({ Config: { "max-size": "1m" } });
    expect(runtimeFlagWords(settings)).toEqual(["--log-opt", "max-size=1m"]);
  });
});

describe("-l/--label, the user's labels, as a row of the table", () => {
  it("reads a container's labels back less oneoff's and an orchestrator's, so --from copies and diff compares only the user's", () => {
    const Labels = {
      "io.oneoff.run": "r1",
      "com.docker.compose.service": "web",
      "com.docker.stack.namespace": "shop",
      "com.docker.swarm.task.id": "t1",
      "com.example.team": "payments",
      "org.opencontainers.image.title": "shop",
    };
    expect(runtimeFromHostConfig({}, {}, { Labels })).toEqual({
      label: { "com.example.team": "payments", "org.opencontainers.image.title": "shop" },
    });
    expect(runtimeFromHostConfig({}, {}, { Labels: { "io.oneoff.managed": "true" } })).toEqual({});
    expect(runtimeFromHostConfig({}, {}, { Labels: null })).toEqual({});
  });

  it("takes a bare KEY as an empty label and the last of a key twice, as docker does, and refuses a missing name", () => {
    expect(runtimeFlagSettings({ label: ["a=1", "flag", "a=2", "b=c=d"] })).toEqual({ label: { a: "2", flag: "", b: "c=d" } });
    expect(() => runtimeFlagSettings({ label: ["ok=1", "=x"] })).toThrow(/^--label "=x": missing label name$/);
  });

  it("keeps a user's key named __proto__ as a label like any other", () => {
    const settings = runtimeFlagSettings({ label: ["__proto__=x"] });
    expect(Object.entries(configFromRuntime(settings).Labels as object)).toEqual([["__proto__", "x"]]);
    expect(runtimeFlagWords(settings)).toEqual(["--label", "__proto__=x"]);
  });

  it("shows in diff the image's labels under the one-off's, as the engine gives a container both", () => {
    const image = { label: { "org.opencontainers.image.title": "shop", tier: "web" }, user: "app" };
    const merged = settingsOver(image, { label: { tier: "batch" } });
    expect(merged).toEqual({ label: { "org.opencontainers.image.title": "shop", tier: "batch" }, user: "app" });
    expect(runtimeDiffValues(merged).get("label")).toBe("org.opencontainers.image.title=shop, tier=batch");
    expect(settingsOver(image, { user: "root" })).toEqual({ label: image.label, user: "root" });
  });

  it("writes no flag and no diff value for a mapping or list with no entries (compose's labels: {}, network_mode: bridge)", () => {
    expect(runtimeFlagWords({ label: {}, network: [] })).toEqual([]);
    expect(runtimeDiffValues({ label: {}, network: [] }).get("label")).toBe("");
    expect(runtimeDiffValues({ label: {}, network: [] }).get("network")).toBe("");
  });
});
