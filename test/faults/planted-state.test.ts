/**
 * What oneoff keeps between runs (the audit log, the reap stamp, Node's compile cache) is never
 * kept where another user can plant or change it: run as root (as CI runs) with another
 * user's HOME, as `sudo -E` gives, and with links planted at the names oneoff writes.
 * The compile cache on Node 22 and 24 is tested in node-versions.test.ts.
 *
 * oneoff runs in this process (oneoffInProcess) but in the first test: the launcher
 * (bin/oneoff.js) turns on Node's compile cache under HOME as its process starts, and that
 * test proves nothing lands in another user's home.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, oneoff } from "../integration/helpers.js";
import { oneoffInProcess } from "../integration/in-process.js";

expectNoLeftovers();

const alice = 4242;

/** Every path below `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("state kept between runs", () => {
  it("is not written into another user's home (sudo -E), and the run says where the audit line went", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "oneoff-alice-home-"));
    chmodSync(home, 0o755);
    chownSync(home, alice, alice);
    const result = await oneoff(["run", "-q", "--release", IMAGE, "--", "true"], {
      env: { HOME: home, XDG_STATE_HOME: undefined, XDG_CACHE_HOME: undefined, ONEOFF_AUDIT_LOG: undefined },
    });
    expect(result.code).toBe(0);
    // Nothing made as root in alice's home: no audit log, no cache of compiled code.
    expect(tree(home)).toEqual([]);
    expect(result.stderr).toBe(
      `oneoff: could not write the audit log ${home}/.local/state/oneoff/audit.jsonl: not using the state folder ${home}/.local/state/oneoff: ${home} is owned by uid ${alice} (not you, nor root) (set ONEOFF_AUDIT_LOG to a writable file)\n`,
    );
  });

  it("never appends the audit log through a link planted at its name", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-planted-audit-"));
    const state = path.join(dir, "state");
    mkdirSync(path.join(state, "oneoff"), { recursive: true, mode: 0o700 });
    const rootOnly = path.join(dir, "root-only");
    writeFileSync(rootOnly, "precious\n", { mode: 0o600 });
    symlinkSync(rootOnly, path.join(state, "oneoff", "audit.jsonl"));
    const result = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "true"], {
      env: { XDG_STATE_HOME: state, ONEOFF_AUDIT_LOG: undefined },
    });
    expect(result.code).toBe(0);
    expect(readFileSync(rootOnly, "utf8")).toBe("precious\n");
    expect(result.stderr).toContain(`${state}/oneoff/audit.jsonl is a link; not followed`);
  });

  it("writes the audit log 0600 in the user's own state folder, and history reads it", async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), "oneoff-own-state-"));
    const result = await oneoffInProcess(["run", "-q", "--release", IMAGE, "--", "true"], {
      env: { XDG_STATE_HOME: state, ONEOFF_AUDIT_LOG: undefined },
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const log = path.join(state, "oneoff", "audit.jsonl");
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
    const history = await oneoffInProcess(["history", "--local", "--all-apps", "--json"], {
      env: { XDG_STATE_HOME: state, ONEOFF_AUDIT_LOG: undefined },
    });
    const entries = (JSON.parse(history.stdout.toString()) as { entries: Array<{ command: string[]; exitCode: number }> }).entries;
    expect(entries.map((entry) => [entry.command, entry.exitCode])).toEqual([[["true"], 0]]);
  });
});
