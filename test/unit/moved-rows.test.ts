/**
 * --memory, --cpus, --add-host, --dns and --hostname as rows of the settings table (issue 32):
 * what each now does as docker does that it did not before it was a row. The docker CLI 28 is
 * the oracle for each expected value (captured from its create request).
 */
import { describe, expect, it } from "vitest";
import type Docker from "dockerode";
import { parseConfigFile } from "../../src/config/file.js";
import { processDefinition } from "../../src/engine/docker/process-definition.js";
import { isIpAddress } from "../../src/formats/runtime-values.js";
import type { OneoffError } from "../../src/output/errors.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { SETTINGS } from "../../src/settings/table.js";
import { hostConfigFromRuntime, runtimeDiffValues } from "../../src/requests/runtime-settings.js";
import type { RuntimeFlags } from "../../src/types/options.js";

const refusal = (flags: RuntimeFlags): string => {
  try {
    runtimeFlagSettings(flags);
  } catch (error) {
    return `${(error as OneoffError).message} (${(error as OneoffError).hint})`;
  }
  return "taken";
};

describe("the moved flags", () => {
  it("are rows of the table", () => {
    const flags = SETTINGS.map((row) => row.flag);
    expect(flags).toEqual(expect.arrayContaining(["--memory", "--cpus", "--add-host", "--dns", "--hostname"]));
  });

  it.each([
    ["db=10.0.0.5", "db:10.0.0.5"],
    ["v6=[::1]", "v6:::1"],
    ["gw:host-gateway", "gw:host-gateway"],
    ["db6:2001:db8::1", "db6:2001:db8::1"],
  ])("send --add-host %s as docker does: %s", (given, sent) => {
    expect(hostConfigFromRuntime(runtimeFlagSettings({ addHost: [given] }))).toEqual({ ExtraHosts: [sent] });
  });

  it.each([
    ["2001:0DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["::ffff:10.0.0.5", "10.0.0.5"],
    ["::1.2.3.4", "::102:304"],
    [" 10.0.0.5", "10.0.0.5"],
  ])("send --dns %j as docker does, written as Go writes the address: %s", (given, sent) => {
    expect(hostConfigFromRuntime(runtimeFlagSettings({ dns: [given] }))).toEqual({ Dns: [sent] });
  });

  it("refuse an --add-host whose address is no IP, and a --dns that is no IP, as docker does", () => {
    expect(refusal({ addHost: ["db:ten"] })).toBe(
      '--add-host "db:ten": "ten" is not an IP address or host-gateway (such as --add-host db:10.0.0.5)',
    );
    expect(refusal({ dns: ["nope"] })).toBe('--dns: "nope" is not an IP address (such as --dns 127.0.0.53)');
  });

  it("show in diff", () => {
    const rows = runtimeDiffValues(
      runtimeFlagSettings({ memory: "64m", cpus: "0.5", addHost: ["a:127.0.0.2"], dns: ["127.0.0.53"], hostname: "box" }),
    );
    expect([...rows].filter(([, value]) => value !== "")).toEqual([
      ["hostname", "box"],
      ["add-host", "a:127.0.0.2"],
      ["dns", "127.0.0.53"],
      ["memory", "64m"],
      ["cpus", "0.5"],
    ]);
  });

  it("are read back by --from, but for the hostname the engine gave the container itself", () => {
    const info = (hostname: string, networkMode = "default") =>
      ({
        Id: "0123456789ab" + "c".repeat(52),
        Name: "/web",
        State: { Status: "running" },
        Image: "sha256:aaa",
        Config: { Hostname: hostname, Env: [] },
        HostConfig: {
          NetworkMode: networkMode,
          Memory: 64 * 2 ** 20,
          NanoCpus: 5e8,
          ExtraHosts: ["a:127.0.0.2"],
          Dns: ["127.0.0.53"],
        },
        NetworkSettings: { Networks: {} },
        Mounts: [],
      }) as unknown as Docker.ContainerInspectInfo;
    expect(processDefinition(info("0123456789ab")).runtime).toEqual({
      // Its Env, read through the env row (the engine's HOSTNAME left out): none here.
      env: {},
      memory: 64 * 2 ** 20,
      cpus: 5e8,
      addHost: ["a:127.0.0.2"],
      dns: ["127.0.0.53"],
    });
    expect(processDefinition(info("console")).runtime.hostname).toBe("console");
    // On the machine's network, or another container's, the hostname is theirs.
    expect(processDefinition(info("build-host", "host")).runtime.hostname).toBeUndefined();
    expect(processDefinition(info("fedcba987654", "container:db")).runtime.hostname).toBeUndefined();
  });

  it("take hostname: in oneoff.yaml, as compose's key", () => {
    const { config } = parseConfigFile("image: shop\nhostname: console\n", {
      path: "/srv/oneoff.yaml",
      displayPath: "oneoff.yaml",
      env: {},
    });
    expect(config.base.settings.hostname).toBe("console");
  });
});

describe("an IP address, as docker's ParseIP takes it", () => {
  it.each(["10.0.0.5", "0.0.0.0", "255.255.255.255", "::1", "2001:db8::1", "::ffff:10.0.0.5", "fe80::1"])("takes %s", (ip) => {
    expect(isIpAddress(ip)).toBe(true);
  });
  it.each(["10.0.0", "256.0.0.1", "010.0.0.1", "10.0.0.5 ", "db", "::g", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "[::1]", ""])(
    "refuses %j",
    (ip) => {
      expect(isIpAddress(ip)).toBe(false);
    },
  );
});
