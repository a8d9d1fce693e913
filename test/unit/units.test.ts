import { describe, expect, it } from "vitest";
import { formatDuration, formatSize, parseCpus, parseDuration, parseMemory, ramInBytes } from "../../src/formats/units.js";

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
    ["binary units written KiB", "64KiB", 64 * KiB],
    ["petabytes", "1p", 1024 * TiB],
    ["a leading point", ".5g", 512 * MiB],
    ["a trailing point", "64.m", 64 * MiB],
    ["exponent notation, as Go reads a float", "1e3", 1000],
    ["a trailing space, after which no unit comes", "6e7 ", 60_000_000],
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
    ["a unit alone after a point", "."],
    ["surrounding whitespace", "  64m  "],
    ["a leading space", " 64m"],
    ["two spaces before the unit", "64  m"],
    ["ib without a unit", "64ib"],
    ["a unit with i but no b", "64mi"],
    ["b twice", "1bb"],
    ["hexadecimal without a p exponent", "0x10"],
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

describe("ramInBytes", () => {
  it.each(["0", "0m", "-0", "0.0001k"])("reads %s as 0, which docker sends as no limit", (text) => {
    expect(ramInBytes(text)).toBe(0);
  });

  it("writes 0 as 0, not as 0 of a unit", () => {
    expect(formatSize(0)).toBe("0");
  });
});

describe("parseCpus", () => {
  it.each([
    ["one CPU", "1", 1e9],
    ["a fraction", "0.5", 5e8],
    ["a CPU and a half", "1.5", 1.5e9],
    ["many CPUs", "16", 16e9],
    ["one nano-CPU", "0.000000001", 1],
    ["a leading point", ".5", 5e8],
    ["a trailing point", "1.", 1e9],
    ["exponent notation", "1e2", 100e9],
    ["a fraction A/B", "3/2", 1.5e9],
    ["zero, no limit", "0", 0],
  ])("reads %s as NanoCpus", (_name, text, cpus) => {
    expect(parseCpus(text)).toBe(cpus);
  });

  it.each([
    ["a word", "abc", "not a number"],
    ["an empty string", "", "not a number"],
    ["surrounding whitespace", "  2  ", "not a number"],
    ["a unit", "2cpus", "not a number"],
    ["a negative number", "-1", "below 0"],
    ["below one nano-CPU", "0.0000000001", "too precise"],
    ["half a nano-CPU over", "1.0000000005", "too precise"],
    ["a third", "1/3", "too precise"],
    ["more than 2^53-1 nano-CPUs", "1e20", "too large"],
  ])("refuses %s", (_name, text, why) => {
    expect(parseCpus(text)).toBe(why);
  });
});

describe("parseDuration and formatDuration", () => {
  it.each([
    ["90", 90_000],
    ["1.5", 1_500],
    ["500ms", 500],
    ["30s", 30_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2h0m5s", 7_205_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "10x", "m10", "-5s", "0", "0s", "0.4ms", "0.0001", "10m garbage", "1h 30m"])("refuses %s", (text) => {
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
