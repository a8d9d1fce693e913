import { describe, expect, it } from "vitest";
import { formatDuration, parseCpus, parseDuration, parseMemory } from "../../src/formats/units.js";

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe("parseMemory", () => {
  it.each([
    ["a number of bytes", "1048576", MiB],
    ["bytes with b", "100b", 100],
    ["kilobytes", "64k", 64 * KiB],
    ["kilobytes written kb", "64kb", 64 * KiB],
    ["megabytes", "512m", 512 * MiB],
    ["upper-case units", "512M", 512 * MiB],
    ["megabytes written MB", "512MB", 512 * MiB],
    ["gigabytes", "2g", 2 * GiB],
    ["terabytes", "1t", TiB],
    ["a fraction of a unit", "1.5g", 1.5 * GiB],
    ["half a kilobyte", "0.5k", 512],
    ["a space before the unit", "1 g", GiB],
    ["surrounding whitespace", "  64m  ", 64 * MiB],
    ["fractional bytes rounded down", "1.5", 1],
    ["the most bytes the Engine API can be sent exactly", "9007199254740991", Number.MAX_SAFE_INTEGER],
  ])("reads %s", (_name, text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each([
    ["an integer number", 268435456, 256 * MiB],
    ["one byte", 1, 1],
  ])("takes %s as bytes", (_name, value, bytes) => {
    expect(parseMemory(value)).toBe(bytes);
  });

  it.each([
    ["zero", "0"],
    ["zero megabytes", "0m"],
    ["less than one byte", "0.1"],
    ["a fraction that rounds to no bytes", "0.0001k"],
    ["a negative size", "-1m"],
    ["an empty string", ""],
    ["a unit alone", "m"],
    ["a trailing dot", "1."],
    ["exponent notation", "1e3"],
    ["an unknown unit", "5x"],
    ["a word", "lots"],
    ["one byte more than the Engine API can be sent exactly", "9007199254740992"],
    ["8192 terabytes (2^53 bytes)", "8192t"],
    ["a size beyond any host", "99999999999999999999999g"],
  ])("refuses %s", (_name, text) => {
    expect(parseMemory(text)).toBeUndefined();
  });

  it.each([
    ["zero", 0],
    ["a negative number", -1],
    ["a fractional number", 1.5],
    ["NaN", Number.NaN],
  ])("refuses the number %s", (_name, value) => {
    expect(parseMemory(value)).toBeUndefined();
  });
});

describe("parseCpus", () => {
  it.each([
    ["one CPU", "1", 1e9],
    ["a fraction", "0.5", 5e8],
    ["a CPU and a half", "1.5", 1.5e9],
    ["many CPUs", "16", 16e9],
    ["surrounding whitespace", "  2  ", 2e9],
    ["one nano-CPU", "0.000000001", 1],
  ])("reads %s as NanoCpus", (_name, text, cpus) => {
    expect(parseCpus(text)).toBe(cpus);
  });

  it.each([
    ["an integer", 2, 2e9],
    ["a fraction", 0.25, 2.5e8],
  ])("takes the number %s", (_name, value, cpus) => {
    expect(parseCpus(value)).toBe(cpus);
  });

  it.each([
    ["zero", "0"],
    ["a negative number", "-1"],
    ["a word", "abc"],
    ["an empty string", ""],
    ["a leading dot", ".5"],
    ["a trailing dot", "1."],
    ["exponent notation", "1e2"],
    ["a unit", "2cpus"],
  ])("refuses %s", (_name, text) => {
    expect(parseCpus(text)).toBeUndefined();
  });

  it.each([
    ["zero", 0],
    ["a negative number", -1],
    ["NaN", Number.NaN],
    ["infinity", Number.POSITIVE_INFINITY],
  ])("refuses the number %s", (_name, value) => {
    expect(parseCpus(value)).toBeUndefined();
  });
});

describe("parseCpus below one nano-CPU", () => {
  it.each(["0.0000000001", 1e-10, "0.0000000004"])("refuses %s rather than reading it as no limit", (value) => {
    expect(parseCpus(value)).toBeUndefined();
  });
  it("keeps the smallest representable limit", () => {
    expect(parseCpus("0.000000001")).toBe(1);
  });
});

describe("parseDuration and formatDuration", () => {
  it.each([
    ["90", 90_000],
    [90, 90_000],
    ["1.5", 1_500],
    ["500ms", 500],
    ["30s", 30_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2h0m5s", 7_205_000],
  ] as Array<[string | number, number]>)("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "10x", "m10", "-5s", "0", "0s", "10m garbage", "1h 30m"])("refuses %s", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [500, "500ms"],
    [1000, "1s"],
    [600_000, "10m"],
    [5_400_000, "1h30m"],
    [3_601_000, "1h1s"],
  ])("writes %i ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
