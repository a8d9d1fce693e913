import { describe, expect, it } from "vitest";
import {
  DEFAULT_SHM_BYTES,
  hostConfigFromRuntime,
  runtimeDiffValues,
  runtimeFlagWords,
  runtimeFromHostConfig,
  type RuntimeHostConfig,
} from "../../src/requests/runtime-settings.js";
import type { RuntimeSettings } from "../../src/types/config.js";
import { runtimeNotForJobs } from "../../src/requests/job-runtime.js";

/** A web container's HostConfig as docker inspect shows it after `docker run --init --cap-add ...`. */
const inspected: RuntimeHostConfig = {
  Init: true,
  CapAdd: ["CAP_NET_ADMIN"],
  CapDrop: ["CAP_MKNOD"],
  SecurityOpt: ["no-new-privileges"],
  Tmpfs: { "/scratch": "size=8m" },
  Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
  ShmSize: 96 * 2 ** 20,
  GroupAdd: ["123"],
  Sysctls: { "net.ipv4.ip_unprivileged_port_start": "0" },
  ReadonlyRootfs: true,
  Privileged: false,
  Devices: [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }],
  DeviceCgroupRules: ["c 10:229 rwm"],
  PidMode: "host",
  IpcMode: "host",
  Runtime: "runsc",
  LogConfig: { Type: "local", Config: { "max-size": "10m" } },
  DnsOptions: ["ndots:2"],
  DnsSearch: ["example.internal"],
};

const settings: RuntimeSettings = {
  init: true,
  capAdd: ["NET_ADMIN"],
  capDrop: ["MKNOD"],
  securityOpt: ["no-new-privileges"],
  tmpfs: { "/scratch": "size=8m" },
  ulimit: [{ name: "nofile", soft: 1024, hard: 2048 }],
  shmSize: 96 * 2 ** 20,
  groupAdd: ["123"],
  sysctl: { "net.ipv4.ip_unprivileged_port_start": "0" },
  readOnly: true,
  device: [{ pathOnHost: "/dev/fuse", pathInContainer: "/dev/fuse", permissions: "rwm" }],
  deviceCgroupRule: ["c 10:229 rwm"],
  pid: "host",
  ipc: "host",
  runtime: "runsc",
  logDriver: "local",
  logOpt: { "max-size": "10m" },
  dnsOption: ["ndots:2"],
  dnsSearch: ["example.internal"],
};

describe("runtime settings", () => {
  it("reads every setting a container was started with from its HostConfig", () => {
    expect(runtimeFromHostConfig(inspected, { logDriver: "json-file", runtime: "runc" })).toEqual(settings);
  });

  it("leaves out what the engine gives a container that asks for nothing", () => {
    const plain: RuntimeHostConfig = {
      Init: null,
      CapAdd: null,
      Tmpfs: {},
      ShmSize: DEFAULT_SHM_BYTES,
      IpcMode: "private",
      PidMode: "",
      Runtime: "runc",
      Privileged: false,
      ReadonlyRootfs: false,
      LogConfig: { Type: "json-file", Config: {} },
      DnsOptions: [],
    };
    expect(runtimeFromHostConfig(plain, { logDriver: "json-file", runtime: "runc" })).toEqual({});
    expect(runtimeFromHostConfig({ ...plain, IpcMode: "shareable" }, { logDriver: "json-file" })).toEqual({});
    // A driver other than the engine's default is a setting of its own.
    expect(runtimeFromHostConfig(plain, { logDriver: "journald" })).toEqual({ logDriver: "json-file" });
  });

  it("writes back the same HostConfig fields it read (a round trip)", () => {
    const { Privileged: _unset, ...asked } = inspected;
    expect(hostConfigFromRuntime(settings)).toEqual(asked);
    expect(hostConfigFromRuntime({})).toEqual({});
  });

  it("gives the docker run flags of each setting", () => {
    expect(runtimeFlagWords(settings).join(" ")).toBe(
      [
        "--init --read-only --cap-add NET_ADMIN --cap-drop MKNOD --security-opt no-new-privileges --tmpfs /scratch:size=8m",
        "--ulimit nofile=1024:2048 --shm-size 96m --group-add 123 --sysctl net.ipv4.ip_unprivileged_port_start=0",
        "--device /dev/fuse:/dev/fuse:rwm --device-cgroup-rule 'c 10:229 rwm'".replace(/'/g, ""),
        "--pid host --ipc host --runtime runsc --log-driver local --log-opt max-size=10m --dns-option ndots:2 --dns-search example.internal",
      ].join(" "),
    );
    expect(runtimeFlagWords({ tmpfs: { "/run": "" } })).toEqual(["--tmpfs", "/run"]);
  });

  it("shows each setting as one diff value, empty when absent", () => {
    const values = runtimeDiffValues({ capAdd: ["SYS_PTRACE", "CAP_NET_ADMIN"], init: true });
    expect(values.get("cap-add")).toBe("NET_ADMIN, SYS_PTRACE");
    expect(values.get("init")).toBe("yes");
    expect(values.get("tmpfs")).toBe("");
  });
});

describe("runtime settings a Swarm job cannot have", () => {
  it("are named by their docker run flags; size and mode are the only tmpfs options a service takes", () => {
    expect(runtimeNotForJobs({ privileged: true, pid: "host", capAdd: ["NET_ADMIN"], shmSize: 1 }).map(([, flag]) => flag)).toEqual([
      "--privileged",
      "--shm-size",
      "--pid",
    ]);
    expect(runtimeNotForJobs({ tmpfs: { "/a": "size=8m,mode=700" } })).toEqual([]);
    expect(runtimeNotForJobs({ tmpfs: { "/a": "exec" } }).map(([, flag]) => flag)).toEqual([
      "--tmpfs with options other than size and mode",
    ]);
  });
});
