/**
 * Folders oneoff keeps compiled code and state in, and found files it reads, are used only
 * when no other user can change them (src/formats/private-paths.ts). Tests run as root (CI
 * does) so that they can hand folders to another uid, as a local attacker would own them.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensurePrivateFolder, folderChainProblem, openOwnFileForAppend, xdgBase } from "../../src/formats/private-paths.js";
import { appendAudit, auditLogPath } from "../../src/lifecycle/audit.js";
import type { AuditStart } from "../../src/lifecycle/audit.js";
import { reapDue, stampReap } from "../../src/lifecycle/reap-schedule.js";

const me = process.geteuid?.() ?? 0;
const alice = 4242;
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "oneoff-private-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("a private folder", () => {
  it("is made for this user alone, folder by folder, below a folder of this user's", () => {
    const dir = path.join(root, "home", ".cache", "oneoff");
    expect(ensurePrivateFolder(dir, me)).toBeUndefined();
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(path.join(root, "home")).mode & 0o777).toBe(0o700);
    expect(folderChainProblem(dir, me)).toBeUndefined();
  });

  it("is not another user's home (sudo -E keeps HOME=/home/alice): nothing is made there", () => {
    const home = path.join(root, "alice");
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, alice, alice);
    expect(ensurePrivateFolder(path.join(home, ".cache", "oneoff"), me)).toBe(`${home} is owned by uid ${alice} (not you, nor root)`);
    expect(existsSync(path.join(home, ".cache"))).toBe(false);
  });

  it.each([
    [
      "owned by another user",
      (dir: string) => chownSync(dir, alice, alice),
      (dir: string) => `${dir} is owned by uid ${alice} (not you, nor root)`,
    ],
    ["writable by its group", (dir: string) => chmodSync(dir, 0o770), (dir: string) => `${dir} is writable by its group (gid 0)`],
    ["writable by anyone", (dir: string) => chmodSync(dir, 0o777), (dir: string) => `${dir} is writable by anyone`],
  ])("is refused when a folder on the way is %s", (_, plant, why) => {
    const dir = path.join(root, "cache");
    mkdirSync(dir, { mode: 0o700 });
    plant(dir);
    expect(folderChainProblem(dir, me)).toBe(why(dir));
    expect(ensurePrivateFolder(path.join(dir, "oneoff"), me)).toBe(why(dir));
    expect(existsSync(path.join(dir, "oneoff"))).toBe(false);
  });

  it("is refused when a folder on the way is a link, even to a folder of this user's", () => {
    mkdirSync(path.join(root, "real"), { mode: 0o700 });
    symlinkSync(path.join(root, "real"), path.join(root, "link"));
    expect(ensurePrivateFolder(path.join(root, "link", "oneoff"), me)).toBe(`${path.join(root, "link")} is a link`);
    expect(existsSync(path.join(root, "real", "oneoff"))).toBe(false);
  });

  it("may be below root's sticky folder (/tmp), where no one can rename what another user made, but not be it", () => {
    expect(lstatSync(os.tmpdir()).mode & 0o1777).toBe(0o1777);
    expect(folderChainProblem(root, me)).toBeUndefined();
    const sticky = path.join(root, "sticky");
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    expect(folderChainProblem(sticky, me)).toBe(`${sticky} is writable by anyone`);
    expect(ensurePrivateFolder(path.join(sticky, "mine"), me)).toBeUndefined();
    // Not root's: its owner may still rename what others made in it.
    chownSync(sticky, alice, alice);
    expect(ensurePrivateFolder(path.join(sticky, "mine"), me)).toBe(`${sticky} is owned by uid ${alice} (not you, nor root)`);
  });

  it("ignores a relative XDG base folder, as the XDG spec says", () => {
    expect(xdgBase("relative/cache")).toBeUndefined();
    expect(xdgBase("")).toBeUndefined();
    expect(xdgBase("/abs/cache")).toBe("/abs/cache");
  });
});

describe("a file appended to in a private folder", () => {
  it("is never opened through a link at its name", () => {
    const victim = path.join(root, "victim");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, path.join(root, "log"));
    expect(() => openOwnFileForAppend(path.join(root, "log"), me)).toThrow(/ELOOP/);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("is made 0600, and refused when another user owns it", () => {
    const fd = openOwnFileForAppend(path.join(root, "new"), me);
    expect(lstatSync(path.join(root, "new")).mode & 0o777).toBe(0o600);
    expect(fd).toBeGreaterThan(2);
    writeFileSync(path.join(root, "theirs"), "");
    chownSync(path.join(root, "theirs"), alice, alice);
    expect(() => openOwnFileForAppend(path.join(root, "theirs"), me)).toThrow(
      `${path.join(root, "theirs")} is owned by uid ${alice} (not you)`,
    );
  });
});

describe("the audit log in the state folder", () => {
  const line: AuditStart = {
    event: "start",
    runId: "0123",
    startedAt: "t",
    by: "me@here",
    app: "shop",
    releaseReference: "shop:v1",
    command: ["true"],
  };

  it("is never appended through a link planted at its name", () => {
    const state = path.join(root, "state");
    mkdirSync(path.join(state, "oneoff"), { recursive: true, mode: 0o700 });
    const victim = path.join(root, "root-only");
    writeFileSync(victim, "precious\n", { mode: 0o600 });
    symlinkSync(victim, path.join(state, "oneoff", "audit.jsonl"));
    expect(() => appendAudit({ XDG_STATE_HOME: state }, line)).toThrow(
      `${path.join(state, "oneoff", "audit.jsonl")} is a link; not followed`,
    );
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("is not written in a state folder another user owns (sudo -E)", () => {
    const home = path.join(root, "alice");
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, alice, alice);
    expect(() => appendAudit({ HOME: home, XDG_STATE_HOME: "" }, line)).toThrow(
      `not using the state folder ${path.join(home, ".local", "state", "oneoff")}: ${home} is owned by uid ${alice} (not you, nor root)`,
    );
    expect(existsSync(path.join(home, ".local"))).toBe(false);
  });

  it("is written 0600 in a private state folder, and ONEOFF_AUDIT_LOG (named by the user) may be a link", () => {
    const state = path.join(root, "state");
    appendAudit({ XDG_STATE_HOME: state }, line);
    expect(lstatSync(path.join(state, "oneoff", "audit.jsonl")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(state, "oneoff", "audit.jsonl"), "utf8"))).toEqual(line);
    writeFileSync(path.join(root, "chosen.jsonl"), "");
    symlinkSync(path.join(root, "chosen.jsonl"), path.join(root, "named"));
    appendAudit({ ONEOFF_AUDIT_LOG: path.join(root, "named") }, line);
    expect(readFileSync(path.join(root, "chosen.jsonl"), "utf8")).toBe(`${JSON.stringify(line)}\n`);
    expect(auditLogPath({ XDG_STATE_HOME: "relative" })).toBe(path.join(os.homedir(), ".local", "state", "oneoff", "audit.jsonl"));
  });
});

describe("the reap stamp", () => {
  it("is written in the private state folder only, never through a link, and its time is the reap's", () => {
    const state = path.join(root, "state");
    const now = Date.now();
    stampReap({ XDG_STATE_HOME: state }, "unix:///x", now);
    expect(reapDue({ XDG_STATE_HOME: state }, "unix:///x", now + 1000)).toBe(false);
    const home = path.join(root, "alice");
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, alice, alice);
    stampReap({ HOME: home }, "unix:///x", now);
    expect(existsSync(path.join(home, ".local"))).toBe(false);
  });
});
