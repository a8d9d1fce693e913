/**
 * --memory, --cpus, --hostname, --workdir and --platform take what the docker CLI takes and send
 * what it sends (issue 32). Each value below was given to `docker create` (client 28.2, engine
 * 20.10) on this machine and the container inspected: the bytes, NanoCpus and hostname written
 * here are the engine's. What the docker CLI refuses, oneoff refuses in one line naming the flag and the fix.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withSettingFiles } from "../../src/config/load.js";
import { mergeLayers } from "../../src/plan/merge-layers.js";
import { runtimeFlagSettings } from "../../src/plan/runtime-flags.js";
import { configFromRuntime, hostConfigFromRuntime, runtimeFlagWords, runtimeFromHostConfig } from "../../src/requests/runtime-settings.js";
import type { OneoffError } from "../../src/output/errors.js";
import type { RuntimeFlags } from "../../src/types/options.js";

const MiB = 2 ** 20;

/** The flag's one-line refusal: its message and hint. */
function refusal(flags: RuntimeFlags): { message: string; hint: string | undefined } {
  try {
    runtimeFlagSettings(flags);
  } catch (error) {
    return { message: (error as OneoffError).message, hint: (error as OneoffError).hint };
  }
  throw new Error(`expected ${JSON.stringify(flags)} to be refused`);
}

describe("--memory, as go-units' RAMInBytes reads it (binary units, any case, b or ib after, a space before)", () => {
  it.each([
    ["64MiB", 64 * MiB],
    ["64MB", 64 * MiB],
    ["64 m", 64 * MiB],
    ["64 MiB", 64 * MiB],
    ["64M", 64 * MiB],
    ["64.m", 64 * MiB],
    ["+64m", 64 * MiB],
    [".5g", 512 * MiB],
    ["1t", 2 ** 40],
    ["1p", 2 ** 50],
    ["2p", 2 ** 51],
    ["1e8", 100_000_000],
    ["1E8", 100_000_000],
    ["1e8b", 100_000_000],
    ["6e7 ", 60_000_000],
    ["1_0m", 10 * MiB],
    ["1_000_000_0", 10_000_000],
    ["0x1p30", 2 ** 30],
    ["0X1P30", 2 ** 30],
    ["0x1.8p30", 1.5 * 2 ** 30],
  ])("%j is %i bytes, as docker sends it", (text, bytes) => {
    const settings = runtimeFlagSettings({ memory: text });
    expect(settings).toEqual({ memory: bytes });
    expect(hostConfigFromRuntime(settings)).toEqual({ Memory: bytes });
  });

  it.each(["0", "0m", "0 m", "-0", "0.0001k"])("%j is no limit, as docker reads 0", (text) => {
    const settings = runtimeFlagSettings({ memory: text });
    expect(settings).toEqual({ memory: 0 });
    // The docker CLI sends Memory: 0, which the engine reads as no limit.
    expect(hostConfigFromRuntime(settings)).toEqual({ Memory: 0 });
    expect(runtimeFlagWords(settings)).toEqual(["--memory", "0"]);
  });

  it.each([
    "-1",
    "-5",
    "64ib",
    "64i",
    "64mi",
    "64Ki",
    "64m_",
    "1bb",
    "1ib",
    "",
    " 64m",
    "64m ",
    "64  m",
    "1.5.5",
    "1e",
    "1p5",
    "_1m",
    "1__0m",
    "0x10",
    "0b1",
    "0o7",
    "lots",
  ])("refuses %j, as the docker CLI does, in one line with the fix", (text) => {
    expect(refusal({ memory: text })).toEqual({
      message: `--memory "${text}": not a memory size`,
      hint: "use bytes or a number with b, k, m, g, t or p (KiB, MB... too), such as 512m; 0 for no limit",
    });
  });
});

describe("--cpus, as Go's big.Rat reads it, in billionths of a CPU", () => {
  it.each([
    [".5", 500_000_000],
    ["1e-1", 100_000_000],
    ["3/2", 1_500_000_000],
    ["+1.5", 1_500_000_000],
    ["+1/2", 500_000_000],
    ["0x1", 1_000_000_000],
    ["0x1.8", 1_500_000_000],
    ["0x.8", 500_000_000],
    ["0X1P-1", 500_000_000],
    ["0b1.1", 1_500_000_000],
    ["0B1", 1_000_000_000],
    ["0o1", 1_000_000_000],
    ["0b1e-1", 100_000_000],
    ["0o1p-1", 500_000_000],
    ["1p-1", 500_000_000],
    ["010/8", 1_000_000_000],
    ["0_7/7", 1_000_000_000],
    ["0x2/0x4", 500_000_000],
    ["0b10/0b100", 500_000_000],
    ["1_0/10", 1_000_000_000],
    ["1_000e-3", 1_000_000_000],
    ["00.5", 500_000_000],
    ["0_1", 1_000_000_000],
    ["1E0", 1_000_000_000],
    ["1e+0", 1_000_000_000],
    ["1.5e0", 1_500_000_000],
    ["2/4", 500_000_000],
    ["0.001", 1_000_000],
    ["1e-9", 1],
    ["0.000000001", 1],
  ])("%j is %i NanoCpus, as docker sends it", (text, nanoCpus) => {
    const settings = runtimeFlagSettings({ cpus: text });
    expect(settings).toEqual({ cpus: nanoCpus });
    expect(hostConfigFromRuntime(settings)).toEqual({ NanoCpus: nanoCpus });
  });

  it.each(["0", "-0", "0e5", "0e1000000"])("%j is no limit, as docker reads 0", (text) => {
    const settings = runtimeFlagSettings({ cpus: text });
    expect(settings).toEqual({ cpus: 0 });
    expect(hostConfigFromRuntime(settings)).toEqual({ NanoCpus: 0 });
    expect(runtimeFlagWords(settings)).toEqual(["--cpus", "0"]);
  });

  it.each(["1.0000000005", "0.0000000001", "1.5e-9", "1e-1_0", "0x1.8e1"])("refuses %j as too precise, as docker does", (text) => {
    expect(refusal({ cpus: text })).toEqual({
      message: `--cpus "${text}": too precise: docker takes whole billionths of a CPU`,
      hint: "round it to 9 decimal places or fewer, such as 0.5",
    });
  });

  it.each([" 1", "1 ", "", "abc", "Inf", "1/0", "1/-2", "0.5/1", "1/2.0", "08/8", "09/1", "1_.5", "1._5", "1e_1", "0x_.8", "2cpus"])(
    "refuses %j, which is no number to docker, in one line",
    (text) => {
      expect(refusal({ cpus: text })).toEqual({
        message: `--cpus "${text}": not a number of CPUs`,
        hint: "use a number such as 0.5, 1.5 or 3/2; 0 for no limit",
      });
    },
  );

  // The docker CLI passes these on and the engine refuses them ("Range of CPUs is from 0.01 to
  // N"); oneoff says so before anything is created.
  it.each(["-1", "-1/2"])("refuses the negative %j", (text) => {
    expect(refusal({ cpus: text })).toEqual({
      message: `--cpus "${text}": below 0`,
      hint: "use a number such as 0.5, 1.5 or 3/2; 0 for no limit",
    });
  });
});

describe("--hostname, passed on as the engine takes it", () => {
  it.each(["a b", "x_y", "-a", "a/b", "a:b", ".", "-", "é", "a.b.c", "h".repeat(64), "é".repeat(32)])("sends %j as written", (name) => {
    const settings = runtimeFlagSettings({ hostname: name });
    expect(settings).toEqual({ hostname: name });
    expect(configFromRuntime(settings)).toEqual({ Hostname: name });
  });

  // docker run --hostname "" names the container as if none were given: its ID's first 12 characters.
  it('takes "" as the engine\'s default, as docker does: kept over a hostname under it, sent as none', () => {
    const settings = runtimeFlagSettings({ hostname: "" });
    expect(settings).toEqual({ hostname: "" });
    expect(configFromRuntime(settings)).toEqual({});
    expect(runtimeFlagWords(settings)).toEqual([]);
    const layers = [
      { source: "compose", settings: { hostname: "db-host" } },
      { source: "flags", settings },
    ];
    expect(mergeLayers(layers).settings.hostname).toBe("");
  });

  // The engine creates such a container, and runc cannot start it: "sethostname: invalid argument".
  it.each(["h".repeat(65), "h".repeat(70), "é".repeat(33)])("refuses %j, over Linux's 64 bytes, before anything is created", (name) => {
    expect(refusal({ hostname: name })).toEqual({
      message: `--hostname "${name}": longer than 64 bytes, the most Linux takes`,
      hint: "shorten it to 64 bytes or fewer, such as shop-console",
    });
  });
});

describe("--workdir, as docker run -w reads it", () => {
  // docker run -w "" starts in the image's WORKDIR (/srv for an image with WORKDIR /srv; / for
  // busybox), and docker create -w "" + inspect shows the image's WorkingDir.
  it('takes "" as the image\'s WORKDIR, as docker does: kept over a workdir under it, sent as none', () => {
    const settings = runtimeFlagSettings({ workdir: "" });
    expect(settings).toEqual({ workdir: "" });
    expect(configFromRuntime(settings)).toEqual({});
    expect(runtimeFlagWords(settings)).toEqual([]);
    const layers = [
      { source: "compose", settings: { workdir: "/app" } },
      { source: "flags", settings },
    ];
    expect(mergeLayers(layers).settings.workdir).toBe("");
  });

  it("refuses a relative path, as the engine does", () => {
    expect(refusal({ workdir: "app" })).toEqual({
      message: '--workdir "app": not an absolute path',
      hint: "start it with /",
    });
  });
});

describe("--platform, as docker run reads it", () => {
  // docker run --platform "" oneoff-test/busybox:latest uname -m runs the local image (x86_64
  // here), and docker create --platform "" + inspect shows the engine's own platform: "" asks for none.
  it('takes "" as no platform asked, as docker does: kept over a platform under it, sent as none', () => {
    const settings = runtimeFlagSettings({ platform: "" });
    expect(settings).toEqual({ platform: "" });
    expect(runtimeFlagWords(settings)).toEqual([]);
    expect(runtimeFromHostConfig({}, {}, {}, { query: { platform: "" } })).toEqual({});
    const layers = [
      { source: "compose", settings: { platform: "linux/arm64" } },
      { source: "flags", settings },
    ];
    expect(mergeLayers(layers).settings.platform).toBe("");
  });

  it("refuses what is not os/arch[/variant]", () => {
    expect(refusal({ platform: "amd64" })).toEqual({
      message: '--platform "amd64": not os/arch[/variant]',
      hint: "such as --platform linux/amd64 or linux/arm64/v8",
    });
  });
});

describe("--label-file and --label, as the docker CLI reads them", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-label-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The labels of `--label-file FILE` holding `text`, then `--label`'s entries. */
  function labelsOf(text: string, label: string[] = []): Record<string, string> | undefined {
    writeFileSync(path.join(dir, "app.labels"), text);
    return runtimeFlagSettings(withSettingFiles({ labelFile: ["app.labels"], label }, dir)).label;
  }

  // Each file was given to docker create --label-file (client 28) on this machine and the
  // container inspected: these are the labels the engine kept.
  it("reads each line as written: quotes, a # after the start, trailing spaces kept; blank, # and bare-name lines dropped", () => {
    const text = '\uFEFFtier=from-file\n  quoted="a b"\n# a comment\n\n   \nhash=x # y\ntrailing=z  \nbare\nempty=\ncrlf=w\r\n';
    expect(labelsOf(text)).toEqual({ tier: "from-file", quoted: '"a b"', hash: "x # y", trailing: "z  ", empty: "", crlf: "w" });
  });

  it("puts --label's entries over the file's, as docker reads the files first", () => {
    expect(labelsOf("team=file\ntier=file\n", ["team=flag", "bare"])).toEqual({ team: "flag", tier: "file", bare: "" });
  });

  it.each([
    ["=x\n", 1, 'no label name in "=x"'],
    ["ok=1\na b=c\n", 2, 'label name "a b" contains whitespace'],
    ["ok=1\n\n\ttab\tname=c\n", 3, 'label name "tab\tname" contains whitespace'],
  ])("refuses %j in one line naming the file's line, as docker refuses it", (text, line, problem) => {
    expect(() => labelsOf(text)).toThrow(`${path.join(dir, "app.labels")}:${line}: ${problem}`);
  });
});
