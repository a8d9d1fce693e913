import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { processDefinition } from "../../src/engine/docker/process-definition.js";

/** An inspect answer with only what processDefinition reads, and these mounts. */
function inspected(hostConfig: Record<string, unknown>, mounts: Array<Record<string, unknown>>): Docker.ContainerInspectInfo {
  return {
    Id: "c1",
    Name: "/shop-web-1",
    State: { Status: "running" },
    Image: "sha256:aaa",
    Config: { Env: [], User: "", WorkingDir: "", Entrypoint: null, Labels: {} },
    HostConfig: { NetworkMode: "default", ...hostConfig },
    NetworkSettings: { Networks: {} },
    Mounts: mounts,
  } as unknown as Docker.ContainerInspectInfo;
}

describe("--from reads a container's mounts back as they were given", () => {
  it("a -v mount with its mode as written, so z,ro stays read-only and goes as -v again", () => {
    const info = inspected({ Binds: ["/srv/conf:/etc/app:z,ro", "cache:/cache:nocopy"] }, [
      { Type: "bind", Source: "/srv/conf", Destination: "/etc/app", Mode: "z,ro", RW: false },
      { Type: "volume", Name: "cache", Source: "/var/lib/docker/volumes/cache/_data", Destination: "/cache", Mode: "nocopy", RW: true },
    ]);
    expect(processDefinition(info).runtime.volume).toEqual([
      { type: "bind", source: "/srv/conf", target: "/etc/app", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" },
      { type: "volume", source: "cache", target: "/cache", readOnly: false, noCopy: true, shortMode: "nocopy" },
    ]);
  });

  it("a --mount with its options; an anonymous volume by its name", () => {
    const info = inspected(
      {
        Mounts: [
          { Type: "bind", Source: "/srv", Target: "/srv", ReadOnly: true, BindOptions: { Propagation: "rslave" } },
          { Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
        ],
      },
      [
        { Type: "bind", Source: "/srv", Destination: "/srv", Mode: "", RW: false, Propagation: "rslave" },
        { Type: "tmpfs", Source: "", Destination: "/t", Mode: "", RW: true },
        { Type: "volume", Name: "f00d", Source: "/var/lib/docker/volumes/f00d/_data", Destination: "/scratch", Mode: "", RW: true },
      ],
    );
    expect(processDefinition(info).runtime.volume).toEqual([
      { type: "bind", source: "/srv", target: "/srv", readOnly: true, propagation: "rslave" },
      { type: "tmpfs", source: "", target: "/t", readOnly: false, tmpfsSizeBytes: 1048576, tmpfsMode: 0o1770 },
      { type: "volume", source: "f00d", target: "/scratch", readOnly: false },
    ]);
  });
});
