import { describe, expect, it } from "vitest";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import type { OneoffError } from "../../src/output/errors.js";

describe("docker run's runtime flags", () => {
  it("read into settings with docker's syntax", () => {
    expect(
      runtimeFlagSettings({
        init: true,
        readOnly: true,
        capAdd: ["NET_ADMIN"],
        tmpfs: ["/scratch", "/cache:size=8m,mode=1777"],
        ulimit: ["nofile=1024:2048", "nproc=512"],
        shmSize: "96m",
        groupAdd: ["123"],
        sysctl: ["net.core.somaxconn=1024"],
        device: ["/dev/fuse", "/dev/null:/dev/nothing:r"],
        pid: "host",
        ipc: "shareable",
        logDriver: "local",
        logOpt: ["max-size=10m"],
        dnsSearch: ["example.internal"],
        addHost: ["db:10.0.0.5"],
        hostname: "console-1",
      }),
    ).toEqual({
      init: true,
      readOnly: true,
      capAdd: ["NET_ADMIN"],
      tmpfs: { "/scratch": "", "/cache": "size=8m,mode=1777" },
      ulimit: [
        { name: "nofile", soft: 1024, hard: 2048 },
        { name: "nproc", soft: 512, hard: 512 },
      ],
      shmSize: 96 * 2 ** 20,
      groupAdd: ["123"],
      sysctl: { "net.core.somaxconn": "1024" },
      device: [
        { pathOnHost: "/dev/fuse", pathInContainer: "/dev/fuse", permissions: "rwm" },
        { pathOnHost: "/dev/null", pathInContainer: "/dev/nothing", permissions: "r" },
      ],
      pid: "host",
      ipc: "shareable",
      logDriver: "local",
      logOpt: { "max-size": "10m" },
      dnsSearch: ["example.internal"],
      addHost: ["db:10.0.0.5"],
      hostname: "console-1",
    });
  });

  it.each([
    [{ tmpfs: ["scratch"] }, '--tmpfs "scratch": "scratch" is not an absolute path'],
    [{ ulimit: ["nofile"] }, '--ulimit "nofile": not NAME=SOFT[:HARD]'],
    [{ ulimit: ["nofile=2048:1024"] }, '--ulimit "nofile=2048:1024": the soft limit 2048 is above the hard limit 1024'],
    [{ shmSize: "lots" }, '--shm-size "lots": not a size'],
    [{ device: ["fuse"] }, '--device "fuse": not HOST_PATH[:CONTAINER_PATH[:rwm]]'],
    [{ device: ["/dev/fuse:/dev/fuse:x"] }, '--device "/dev/fuse:/dev/fuse:x": "x" is not some of r, w and m'],
    [{ sysctl: ["somaxconn"] }, '--sysctl "somaxconn": not NAME=VALUE'],
    [{ pid: "private" }, '--pid "private": not a mode docker knows'],
    [{ ipc: "shared" }, '--ipc "shared": not a mode docker knows'],
    [{ logOpt: ["max-size"] }, '--log-opt "max-size": not NAME=VALUE'],
    [{ memorySwap: "lots" }, '--memory-swap "lots": not a size (or -1)'],
    [{ pidsLimit: "many" }, '--pids-limit "many": not a whole number'],
    [{ blkioWeight: "5" }, '--blkio-weight "5": not from 10 to 1000'],
    [{ stopSignal: "SIGNOPE" }, '--stop-signal "SIGNOPE": not a signal'],
    [{ cgroupns: "shared" }, '--cgroupns "shared": not host or private'],
    [{ volumesFrom: ["db:rx"] }, '--volumes-from: "db:rx" is not CONTAINER, CONTAINER:ro or CONTAINER:rw'],
    [{ gpus: "count=many" }, '--gpus "count=many": count "many" is not all or a number'],
    [{ addHost: ["db"] }, '--add-host "db": not HOST:IP'],
    [{ hostname: "h".repeat(65) }, `--hostname "${"h".repeat(65)}": longer than 64 bytes, the most Linux takes`],
    [{ cpus: "1.0000000005" }, '--cpus "1.0000000005": too precise: docker takes whole billionths of a CPU'],
    [{ memory: "64ib" }, '--memory "64ib": not a memory size'],
  ])("refuses %j in one line naming the flag: %s", (flags, message) => {
    try {
      runtimeFlagSettings(flags);
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as OneoffError).message).toBe(message);
      expect((error as OneoffError).hint).toBeTruthy();
    }
  });
});

describe("--platform", () => {
  it("takes os/arch[/variant], and refuses anything else in one line", () => {
    expect(runtimeFlagSettings({ platform: "linux/arm64/v8" })).toEqual({ platform: "linux/arm64/v8" });
    expect(() => runtimeFlagSettings({ platform: "amd64" })).toThrow('--platform "amd64": not os/arch[/variant]');
  });
});
