/**
 * The packed package on each Node.js version it claims (package.json engines: >=20): Node 20,
 * 22 and 24, the official Linux builds that test/setup/node-versions.sh unpacks under
 * /var/cache/oneoff-node. On each, the launcher finds that node on PATH and runs a one-off
 * whose streams and exit code come back, and the library runs one in-process.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { expectNoLeftovers, IMAGE, packedPackage } from "./helpers.js";

expectNoLeftovers();

const NODES = "/var/cache/oneoff-node";
const MAJORS = [20, 22, 24];

let work: string;
let packageDir: string;

beforeAll(() => {
  for (const major of MAJORS) {
    if (!existsSync(`${NODES}/v${major}/bin/node`))
      throw new Error(`Node ${major} is missing from ${NODES}: run test/setup/node-versions.sh`);
  }
  // The library's dependencies (the CLI's are inside its bundle).
  ({ work, packageDir } = packedPackage("oneoff-node-versions-", { dependencies: true }));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(MAJORS)("on Node %i", (major) => {
  const bin = `${NODES}/v${major}/bin`;
  // That node first on PATH: the launcher's `exec node` finds it, as a user's PATH would.
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` };

  it("the launcher starts the bundled CLI, and a one-off's streams and exit code come back", () => {
    const launcher = path.join(packageDir, "bin/oneoff.js");
    const version = spawnSync(launcher, ["--version"], { env, cwd: work, encoding: "utf8" });
    expect({ status: version.status, stdout: version.stdout, stderr: version.stderr }).toEqual({
      status: 0,
      stdout: `${VERSION}\n`,
      stderr: "",
    });
    const ran = spawnSync(
      launcher,
      ["run", "-q", "--release", IMAGE, "--", "sh", "-c", 'printf "out:$0"; printf err >&2; exit 3', `node${major}`],
      { env, cwd: work, encoding: "utf8" },
    );
    expect({ status: ran.status, stdout: ran.stdout, stderr: ran.stderr }).toEqual({
      status: 3,
      stdout: `out:node${major}`,
      stderr: "err",
    });
  });

  it("the launcher keeps the bundle's compiled code in the user's cache folder: its own V8 code cache on Node 20, Node's compile cache on 22 and 24", () => {
    const cacheHome = mkdtempSync(path.join(os.tmpdir(), "oneoff-cache-"));
    try {
      const ran = spawnSync(path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "true"], {
        env: { ...env, XDG_CACHE_HOME: cacheHome },
        cwd: work,
        encoding: "utf8",
      });
      expect(ran.status).toBe(0);
      expect(readdirSync(path.join(cacheHome, "oneoff")).sort()).toEqual(major === 20 ? ["code-cache"] : ["node-compile-cache"]);
    } finally {
      rmSync(cacheHome, { recursive: true, force: true });
    }
  });

  it("a run that reads no stdin loads neither node:crypto nor fs/promises (process.stdin of /dev/null), nor asks for a local or ISO time", () => {
    // What each would add to a run's peak memory is in docs/development.md; here, that none
    // is back. The preload records the oneoff process's modules and Date calls as it exits.
    const out = path.join(work, `loaded-${major}.json`);
    const preload = path.join(work, "record-loaded.cjs");
    writeFileSync(
      preload,
      `if (process.argv[1] && process.argv[1].endsWith("oneoff.js")) {
  const asked = [];
  for (const name of ["toISOString", "toJSON", "toUTCString", "toString", "getFullYear", "getHours", "getTimezoneOffset"]) {
    const original = Date.prototype[name];
    Date.prototype[name] = function (...args) { asked.push(name); return original.apply(this, args); };
  }
  process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ modules: process.moduleLoadList, asked })));
}\n`,
    );
    const ran = spawnSync(path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "true"], {
      env: { ...env, NODE_OPTIONS: `--require ${preload}` },
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
    expect({ status: ran.status, stderr: ran.stderr }).toEqual({ status: 0, stderr: "" });
    const recorded = JSON.parse(readFileSync(out, "utf8")) as { modules: string[]; asked: string[] };
    expect(recorded.modules).toContain("NativeModule http");
    expect(recorded.modules.filter((name) => /\b(crypto|fs\/promises|readline)\b/.test(name))).toEqual([]);
    expect(recorded.asked).toEqual([]);
  });

  it("the library runs a one-off in the process of that node, and makes no process.stdin for a one-off that reads none", () => {
    const script = path.join(work, `library-${major}.mjs`);
    writeFileSync(
      script,
      `
import { Writable } from "node:stream";
import { run } from ${JSON.stringify(path.join(packageDir, "dist/index.js"))};
const made = Object.getOwnPropertyDescriptor(process, "stdin").get;
let stdinMade = false;
Object.defineProperty(process, "stdin", { configurable: true, get() { stdinMade = true; return made.call(process); } });
const chunks = [];
const stdout = new Writable({ write(chunk, _e, done) { chunks.push(chunk); done(); } });
const result = await run({ command: ["sh", "-c", "echo from-the-library; exit 4"], release: ${JSON.stringify(IMAGE)}, quiet: true }, { stdout });
console.log(JSON.stringify({ node: process.versions.node.split(".")[0], exitCode: result.exitCode, output: Buffer.concat(chunks).toString(), stdinMade }));
`,
    );
    const result = spawnSync(`${bin}/node`, [script], { env, cwd: work, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ node: String(major), exitCode: 4, output: "from-the-library\n", stdinMade: false });
  });
});

describe("the launcher's code cache on Node 20 (no compile cache of Node's own)", () => {
  const node20 = { ...process.env, PATH: `${NODES}/v20/bin:${process.env.PATH ?? ""}` };
  let cacheHome: string;
  const cacheDir = () => path.join(cacheHome, "oneoff", "code-cache");
  const runIn = (dir: string, command = ["sh", "-c", "echo cached; exit 5"]) =>
    spawnSync(path.join(dir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", ...command], {
      env: { ...node20, XDG_CACHE_HOME: cacheHome },
      cwd: work,
      encoding: "utf8",
    });
  const cacheFiles = () => readdirSync(cacheDir()).sort();

  beforeAll(() => {
    cacheHome = mkdtempSync(path.join(os.tmpdir(), "oneoff-code-cache-"));
  });
  afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

  it("writes it at the first run, for the owner alone, and uses it as it is at the next (V8 accepts it)", () => {
    expect(runIn(packageDir)).toMatchObject({ status: 5, stdout: "cached\n" });
    const [file] = cacheFiles();
    expect(file).toMatch(/^cli-run-\d+-\d+-\d+-\d+-v20\./);
    const cache = path.join(cacheDir(), file as string);
    expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    const before = statSync(cache);
    expect(runIn(packageDir)).toMatchObject({ status: 5, stdout: "cached\n" });
    // Rewritten only when missing or turned down: the same file, untouched.
    const after = statSync(cache);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("keeps one for runs and one for other commands", () => {
    spawnSync(path.join(packageDir, "bin/oneoff.js"), ["tasks"], { env: { ...node20, XDG_CACHE_HOME: cacheHome }, cwd: work });
    expect(cacheFiles().map((name) => name.split("-")[1])).toEqual(["other", "run"]);
  });

  it("runs as usual from a cache V8 turns down (garbage), and replaces it", () => {
    const [file] = cacheFiles().filter((name) => name.startsWith("cli-run-"));
    const cache = path.join(cacheDir(), file as string);
    writeFileSync(cache, "not V8's code cache");
    expect(runIn(packageDir, ["sh", "-c", "echo after-garbage >&2; exit 6"])).toMatchObject({
      status: 6,
      stdout: "",
      stderr: "after-garbage\n",
    });
    expect(readFileSync(cache).length).toBeGreaterThan(100_000);
  });

  it("does not use another build's cache, and removes it when writing its own", () => {
    const otherBuild = path.join(work, "other-build");
    cpSync(packageDir, otherBuild, { recursive: true });
    const earlier = cacheFiles();
    expect(runIn(otherBuild)).toMatchObject({ status: 5, stdout: "cached\n" });
    const now = cacheFiles();
    expect(now).toHaveLength(1);
    expect(earlier).not.toContain(now[0]);
  });
});
