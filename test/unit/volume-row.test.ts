import { describe, expect, it } from "vitest";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { SETTINGS } from "../../src/settings/table.js";
import { jobRuntime, runtimeFromJob } from "../../src/requests/job-runtime.js";
import {
  configFromRuntime,
  hostConfigFromRuntime,
  runtimeDiffValues,
  runtimeFlagWords,
  runtimeFromHostConfig,
} from "../../src/requests/runtime-settings.js";
import type { RuntimeSettings } from "../../src/types/config.js";

const DIR = "/work/shop";

/** -v's and --mount's entries, as a runbook's one-off gives them. */
const GIVEN = {
  volume: ["shop-data:/data", "./conf:/etc/app:z,ro", "/scratch"],
  mount: [
    "type=bind,src=backups,dst=/backup,ro",
    "type=volume,source=cache,target=/cache,volume-nocopy",
    "type=tmpfs,target=/t,tmpfs-size=1m",
  ],
};

const settings = () => runtimeFlagSettings(GIVEN, { dir: DIR });

/** The create request's parts the row writes, read back as a request's (no mount points). */
const readBack = (values: RuntimeSettings, engineOnThisMachine = true) =>
  runtimeFromHostConfig(hostConfigFromRuntime(values, { engineOnThisMachine }), {}, configFromRuntime(values, { engineOnThisMachine }));

describe("-v/--volume and --mount, one row of the settings table", () => {
  it("is a row, with -v and --mount as its flags and compose's volumes: as its key", () => {
    const row = SETTINGS.find((setting) => setting.name === "volume");
    expect([row?.short, row?.flag, row?.second?.flag, row?.compose]).toEqual(["-v", "--volume", "--mount", "volumes"]);
  });

  it("parses -v's entries, then --mount's, relative paths from the working folder", () => {
    expect(settings().volume).toEqual([
      { type: "volume", source: "shop-data", target: "/data", readOnly: false, shortMode: "" },
      { type: "bind", source: `${DIR}/conf`, target: "/etc/app", readOnly: true, selinuxLabel: "z", shortMode: "z,ro" },
      { type: "volume", source: "", target: "/scratch", readOnly: false, shortMode: "" },
      { type: "bind", source: `${DIR}/backups`, target: "/backup", readOnly: true },
      { type: "volume", source: "cache", target: "/cache", readOnly: false, noCopy: true },
      { type: "tmpfs", source: "", target: "/t", readOnly: false, tmpfsSizeBytes: 1048576 },
    ]);
  });

  it("refuses a bad entry in one line naming its flag, as -v and --mount always have", () => {
    expect(() => runtimeFlagSettings({ volume: ["data:/data:rx"] }, { dir: DIR })).toThrow(
      /^-v "data:\/data:rx": unknown mode "rx" \(use ro or rw, z or Z, nocopy, a propagation such as rslave, or cached\)$/,
    );
    expect(() => runtimeFlagSettings({ volume: ["ok:/ok"], mount: ["type=tmpfs,target=/t,tmpfs-mode=999"] }, { dir: DIR })).toThrow(
      /^--mount "type=tmpfs,target=\/t,tmpfs-mode=999": tmpfs-mode "999" is not octal permission bits \(such as 1777\)$/,
    );
  });

  it("writes Binds, anonymous Volumes and Mounts as docker run sends them, and reads them back in that order", () => {
    const values = settings();
    const host = hostConfigFromRuntime(values);
    expect(Object.keys(host).slice(0, 2)).toEqual(["Binds", "Mounts"]);
    expect(host.Binds).toEqual(["shop-data:/data", `${DIR}/conf:/etc/app:z,ro`]);
    expect(configFromRuntime(values).Volumes).toEqual({ "/scratch": {} });
    const [named, labelled, anonymous, ...long] = values.volume ?? [];
    expect(readBack(values).volume).toEqual([named, labelled, anonymous, ...long]);
  });

  it("sends a bind written as -v to an engine elsewhere as a Mounts bind, which refuses a missing path (z/Z still as -v)", () => {
    const values = runtimeFlagSettings({ volume: ["/srv/logs:/logs", "/srv/conf:/conf:z"] }, { dir: DIR });
    expect(hostConfigFromRuntime(values, { engineOnThisMachine: false })).toEqual({
      Binds: ["/srv/conf:/conf:z"],
      Mounts: [{ Type: "bind", Source: "/srv/logs", Target: "/logs" }],
    });
    expect(runtimeFlagWords(readBack(values, false))).toEqual([
      "-v",
      "/srv/conf:/conf:z",
      "--mount",
      "type=bind,source=/srv/logs,target=/logs",
    ]);
  });

  it("writes each mount on the docker run line with the flag of its syntax, and the line's words read back as the same mounts", () => {
    const read = readBack(settings());
    const words = runtimeFlagWords(read);
    expect(words).toEqual([
      ...["-v", "shop-data:/data", "-v", `${DIR}/conf:/etc/app:z,ro`, "-v", "/scratch"],
      ...["--mount", `type=bind,source=${DIR}/backups,target=/backup,readonly`],
      ...["--mount", "type=volume,source=cache,target=/cache,volume-nocopy"],
      ...["--mount", "type=tmpfs,target=/t,tmpfs-size=1048576"],
    ]);
    const volume = words.filter((_word, index) => words[index - 1] === "-v");
    const mount = words.filter((_word, index) => words[index - 1] === "--mount");
    expect(runtimeFlagSettings({ volume, mount }, { dir: "/" })).toEqual(read);
  });

  it("reads :z,ro as read-only wherever a mode is read: -v, a container's Binds (--from), and --mount's ro", () => {
    const modes = ["z,ro", "ro,z", "ro", "Z,ro,rslave"];
    for (const mode of modes) {
      const [given] = runtimeFlagSettings({ volume: [`/srv/conf:/conf:${mode}`] }, { dir: DIR }).volume ?? [];
      const [fromContainer] =
        runtimeFromHostConfig(
          { Binds: [`/srv/conf:/conf:${mode}`] },
          {},
          {},
          { mounted: [{ Type: "bind", Destination: "/conf", RW: true }] },
        ).volume ?? [];
      expect([mode, given?.readOnly, fromContainer?.readOnly]).toEqual([mode, true, true]);
    }
    const [long] = runtimeFlagSettings({ mount: ["type=bind,source=/srv,target=/srv,ro"] }, { dir: DIR }).volume ?? [];
    expect(long?.readOnly).toBe(true);
  });

  it("compares a mount the same in diff however it was written", () => {
    const short = runtimeFlagSettings({ volume: ["/srv/conf:/conf:ro"] }, { dir: DIR });
    const long = runtimeFlagSettings({ mount: ["type=bind,source=/srv/conf,target=/conf,readonly"] }, { dir: DIR });
    expect(runtimeDiffValues(short).get("volume")).toBe("/srv/conf:/conf:ro");
    expect(runtimeDiffValues(long).get("volume")).toBe(runtimeDiffValues(short).get("volume"));
    expect(runtimeDiffValues({}).get("volume")).toBe("");
  });

  it("gives a Swarm job every mount as a Mounts entry, in the order given, and reads a service's back", () => {
    const values = settings();
    const mounts = jobRuntime(values).container.Mounts;
    expect(mounts).toEqual([
      { Type: "volume", Source: "shop-data", Target: "/data" },
      { Type: "bind", Source: `${DIR}/conf`, Target: "/etc/app", ReadOnly: true },
      { Type: "volume", Target: "/scratch" },
      { Type: "bind", Source: `${DIR}/backups`, Target: "/backup", ReadOnly: true },
      { Type: "volume", Source: "cache", Target: "/cache", VolumeOptions: { NoCopy: true } },
      { Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 1048576 } },
    ]);
    expect(runtimeFromJob({ ContainerSpec: { Mounts: mounts } }, ["volume"]).volume?.map((mount) => mount.target)).toEqual(
      values.volume?.map((mount) => mount.target),
    );
  });
});
