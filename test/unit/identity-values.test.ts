/**
 * The hashes a run stamps on what it records (its owner label's place, the reap stamp's file
 * name) must stay what earlier versions wrote, or labels and stamps they left stop matching.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currentPlace } from "../../src/lifecycle/owner.js";
import { reapStampPath } from "../../src/lifecycle/reap-schedule.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("the values a run stamps", () => {
  it("keeps the owner label's place and the reap stamp's name as earlier versions made them", () => {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    expect(currentPlace()?.boot).toBe(sha256(`oneoff:${boot}`).slice(0, 12));
    const endpoint = "unix:///var/run/docker.sock";
    expect(reapStampPath({ XDG_STATE_HOME: "/state" }, endpoint)).toBe(`/state/oneoff/reaped-${sha256(endpoint).slice(0, 12)}`);
  });
});
