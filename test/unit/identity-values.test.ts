/**
 * The values a run stamps on what it records (hashes in its owner label and file names,
 * times in labels and audit lines, random IDs), made without node:crypto and without V8's time
 * zone cache: each must be what node:crypto and Date#toISOString give, or labels written by
 * earlier versions stop matching.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/formats/sha256.js";
import { randomHex } from "../../src/formats/random-hex.js";
import { isoTime } from "../../src/output/iso-time.js";
import { currentPlace } from "../../src/lifecycle/owner.js";
import { reapStampPath } from "../../src/lifecycle/reap-schedule.js";

const nodeSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("sha256Hex", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  ])("gives the standard's digest of %j", (text, digest) => {
    expect(sha256Hex(text)).toBe(digest);
  });

  it("gives node:crypto's digest at every length around the block edges, for ASCII and multi-byte text", () => {
    for (let length = 0; length <= 200; length++) {
      const ascii = randomBytes(length).toString("base64").slice(0, length);
      expect(sha256Hex(ascii), `length ${length}`).toBe(nodeSha256(ascii));
      const wide = "é€😀".repeat(length).slice(0, length);
      expect(sha256Hex(wide), `multi-byte, ${length} code units`).toBe(nodeSha256(wide));
    }
  });

  it("gives node:crypto's digest of a long text (many blocks)", () => {
    const text = randomBytes(300_000).toString("latin1");
    expect(sha256Hex(text)).toBe(nodeSha256(text));
  });

  it("keeps the owner label's place and the reap stamp's name as node:crypto made them", () => {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    expect(currentPlace()?.boot).toBe(nodeSha256(`oneoff:${boot}`).slice(0, 12));
    const endpoint = "unix:///var/run/docker.sock";
    expect(reapStampPath({ XDG_STATE_HOME: "/state" }, endpoint)).toBe(`/state/oneoff/reaped-${nodeSha256(endpoint).slice(0, 12)}`);
  });
});

describe("isoTime", () => {
  it("writes what Date#toISOString writes, across years, leap days and milliseconds", () => {
    const times = [
      0,
      1,
      999,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.parse("0000-01-01T00:00:00.000Z"),
    ];
    for (let i = 0; i < 5000; i++) times.push(Math.floor(Math.random() * Date.UTC(2200, 0, 1)));
    for (const ms of times) expect(isoTime(new Date(ms)), String(ms)).toBe(new Date(ms).toISOString());
  });

  it("falls back to Date#toISOString outside years 0-9999: its +/-YYYYYY form, and its RangeError for an invalid date", () => {
    for (const ms of [Date.UTC(10000, 0, 1), Date.UTC(-1, 5, 1), -8.64e15, 8.64e15])
      expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("randomHex", () => {
  it("gives two hex digits a byte, different every time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomHex(8);
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(randomHex(3)).toMatch(/^[0-9a-f]{6}$/);
  });
});
