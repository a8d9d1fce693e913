/**
 * The packed package on each Node.js version it claims (package.json engines: >=20): Node 20,
 * 22 and 24, the official Linux builds that test/setup/node-versions.sh unpacks under
 * /var/cache/oneoff-node. On each, the launcher finds that node on PATH and runs a one-off
 * whose streams and exit code come back, and the library runs one in-process.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { eventually, expectNoLeftovers, IMAGE, packedPackage, ROOT } from "./helpers.js";

expectNoLeftovers();

const NODES = "/var/cache/oneoff-node";
const MAJORS = [20, 22, 24];
/**
 * How far a run's peak RSS may rise above the raw floor's, in MiB, per Node version: what was
 * measured when it was set (docs/development.md), plus a margin. A change that needs more
 * says so here, with its figure.
 */
// Raised by 0.5 MiB for a few hours on 2026-12-07, then back: the YAML library a plain run had
// loaded since recorded sessions' keys (docs/development.md) is loaded only to read oneoff.yaml.
// 2026-12-08 (issue 31): measured 9.9, 12.9 and 9.0 MiB over the floor; Node 22's 14 -> 13.5.
// Then Node 20's 10.5 -> 11.5: with the env and volume rows merged it peaked at 10.5-10.9, all of
// it in the brk heap, and no more than before (54.5 against 54.6 MiB) once glibc's mmap threshold
// is fixed (MALLOC_MMAP_THRESHOLD_=131072): the threshold rises when a large block is freed, so a
// later large one lands in the heap, whose high-water mark stays; the order of allocations moved.
// 2026-12-08, after CI failed at 9.62 against 9.5 on Node 24: the floor's own peak is bistable.
// Started in a folder whose path has 28 characters or more (the test's mkdtemp folder has 32), the
// floor peaks 2 MiB higher on Node 24 (48.7 against 46.8 MiB; oneoff's peak does not move), so
// the figure above was measured in the other state. In the test's folder, lowest of three, two
// runs each: 10.90-10.94 (20), 13.37-13.38 (22), 9.27-9.46 (24), and CI's 9.62: the budgets are
// the highest seen plus 1 MiB, as the differences of two peaks move by up to 0.4 MiB run to run.
const PEAK_RSS_OVER_FLOOR_MIB: Record<number, number> = { 20: 12, 22: 14.5, 24: 10.5 };
/**
 * Node's public modules a plain run loads that the raw floor does not, the same on 20, 22 and
 * 24: crypto (run IDs, the owner's hashes), child_process (and dgram, which it loads) for the
 * watchdog, tty (isatty), os (who started it), module (the launcher's compile cache) and
 * process. Each is part of what the budget above pays for (docs/development.md measures them);
 * a new one (zlib, https, worker_threads, ...) in a plain run is a cost to say so here.
 */
const BUILTINS_OVER_FLOOR = ["child_process", "crypto", "dgram", "module", "os", "process", "tty"];
/** Another local user, who owns folders root is made to use. */
const ALICE = 4242;

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

  it("the launcher starts node with Maglev off, whose exit cannot deadlock (bin/oneoff.js's first line)", async () => {
    // The launcher's /bin/sh execs node in its own process: its command line is node's.
    const child = spawn(path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "sleep", "2"], {
      env,
      cwd: work,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const nodeArgs = await eventually(() => {
      const args = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      return path.basename(args[0] ?? "") === "node" ? args : undefined;
    }, 15_000);
    expect(await exited).toBe(0);
    expect(nodeArgs.slice(0, nodeArgs.indexOf("--"))).toEqual(["node", "--no-maglev"]);
  });

  it("the launcher keeps the bundle's compiled code in the user's private cache folder: Node's compile cache on 22 and 24, none on 20", () => {
    const cacheHome = mkdtempSync(path.join(os.tmpdir(), "oneoff-cache-"));
    try {
      const ran = spawnSync(path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "true"], {
        env: { ...env, XDG_CACHE_HOME: cacheHome },
        cwd: work,
        encoding: "utf8",
      });
      expect(ran.status).toBe(0);
      expect(readdirSync(cacheHome).length ? readdirSync(path.join(cacheHome, "oneoff")) : []).toEqual(
        major === 20 ? [] : ["node-compile-cache"],
      );
      if (major !== 20) {
        expect(statSync(path.join(cacheHome, "oneoff")).mode & 0o777).toBe(0o700);
        expect(readdirSync(path.join(cacheHome, "oneoff", "node-compile-cache")).length).toBeGreaterThan(0);
      }
    } finally {
      rmSync(cacheHome, { recursive: true, force: true });
    }
  });

  /** Runs the launcher as root with `env` in `cwd`; returns what it made below `watched`. */
  const madeBy = (extraEnv: Record<string, string | undefined>, watched: string, cwd = work) => {
    const runEnv: Record<string, string | undefined> = { ...env, XDG_CACHE_HOME: undefined, ...extraEnv };
    for (const [key, value] of Object.entries(runEnv)) if (value === undefined) delete runEnv[key];
    const ran = spawnSync(path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "true"], {
      env: runEnv as NodeJS.ProcessEnv,
      cwd,
      encoding: "utf8",
    });
    expect(ran.status).toBe(0);
    return readdirSync(watched, { recursive: true, encoding: "utf8" }).sort();
  };

  it("keeps no compiled code in another user's home (sudo -E keeps HOME=/home/alice)", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "oneoff-alice-"));
    try {
      chmodSync(home, 0o755);
      mkdirSync(path.join(home, ".cache"), { mode: 0o700 });
      chownSync(path.join(home, ".cache"), ALICE, ALICE);
      chownSync(home, ALICE, ALICE);
      expect(madeBy({ HOME: home, XDG_STATE_HOME: path.join(work, "state") }, home)).toEqual([".cache"]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("neither reads nor writes compiled code through a link planted at the cache folder, nor in a group-writable one", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-planted-cache-"));
    try {
      const theirs = path.join(dir, "theirs");
      mkdirSync(theirs, { mode: 0o777 });
      mkdirSync(path.join(dir, "cache", "oneoff"), { recursive: true, mode: 0o700 });
      symlinkSync(theirs, path.join(dir, "cache", "oneoff", "node-compile-cache"));
      expect(madeBy({ XDG_CACHE_HOME: path.join(dir, "cache") }, theirs)).toEqual([]);
      const shared = path.join(dir, "shared");
      mkdirSync(shared);
      chmodSync(shared, 0o775);
      expect(madeBy({ XDG_CACHE_HOME: shared }, shared)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ignores a relative XDG_CACHE_HOME (the XDG spec's rule) and uses ~/.cache instead", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "oneoff-home-"));
    const cwd = mkdtempSync(path.join(os.tmpdir(), "oneoff-cwd-"));
    try {
      expect(madeBy({ HOME: home, XDG_CACHE_HOME: "relative-cache", XDG_STATE_HOME: path.join(home, "state") }, cwd, cwd)).toEqual([]);
      expect(existsSync(path.join(home, ".cache", "oneoff"))).toBe(major !== 20);
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("a run that reads no stdin makes no process.stdin (fs/promises, readline), loads no vendored library and none of Node's modules it does not use, and its peak memory stays within its budget over the raw floor's", () => {
    // The preload records the process's modules (Node's own and the files it required) and its peak RSS (getrusage) as it exits. The
    // floor (test/bench/raw-floor.cjs) makes the same Engine API calls with no dependencies:
    // what oneoff holds beyond it is its code and its work, budgeted per Node version
    // (docs/development.md says what it is made of).
    const preload = path.join(work, "record-exit.cjs");
    writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeFileSync(process.env.RECORD_EXIT, JSON.stringify({ modules: process.moduleLoadList, required: Object.keys(require.cache), peakKiB: process.resourceUsage().maxRSS })));\n`,
    );
    const recordExit = (name: string, file: string, args: string[]) => {
      const out = path.join(work, `${name}-${major}.json`);
      const ran = spawnSync(`${bin}/node`, [file, ...args], {
        env: { ...env, NODE_OPTIONS: `--require ${preload}`, RECORD_EXIT: out },
        cwd: work,
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
      expect({ name, status: ran.status, stderr: ran.stderr }).toEqual({ name, status: 0, stderr: "" });
      return JSON.parse(readFileSync(out, "utf8")) as { modules: string[]; required: string[]; peakKiB: number };
    };
    const floor = path.join(ROOT, "test/bench/raw-floor.cjs");
    // The lowest of three each: a peak is the process's own, but the allocator's timing can add a page or two.
    const runs = [1, 2, 3].map(() => ({
      oneoff: recordExit("oneoff", path.join(packageDir, "bin/oneoff.js"), ["run", "-q", "--release", IMAGE, "--", "true"]),
      floor: recordExit("floor", floor, [IMAGE, "true"]),
    }));
    expect(runs[0].oneoff.modules).toContain("NativeModule http");
    expect(runs[0].oneoff.modules.filter((name) => /\b(fs\/promises|readline)\b/.test(name))).toEqual([]);
    const publicModules = (modules: string[]) =>
      modules
        .filter((name) => name.startsWith("NativeModule ") && !name.includes("internal/"))
        .map((name) => name.slice("NativeModule ".length));
    const floorModules = new Set(publicModules(runs[0].floor.modules));
    expect(
      publicModules(runs[0].oneoff.modules)
        .filter((name) => !floorModules.has(name))
        .sort(),
    ).toEqual(BUILTINS_OVER_FLOOR);
    // No oneoff.yaml here, no copies, an image the engine has: no YAML, tar or dockerode (each
    // a vendored bundle of its own, dist/bundle/vendor) is loaded.
    expect(
      runs[0].oneoff.required.filter((file) => file.includes(`${path.sep}vendor${path.sep}`)).map((file) => path.basename(file)),
    ).toEqual([]);
    const lowest = (key: "oneoff" | "floor") => Math.min(...runs.map((run) => run[key].peakKiB)) / 1024;
    const overFloor = lowest("oneoff") - lowest("floor");
    expect(overFloor, `peak RSS ${lowest("oneoff").toFixed(1)} MiB, floor ${lowest("floor").toFixed(1)} MiB`).toBeLessThanOrEqual(
      PEAK_RSS_OVER_FLOOR_MIB[major],
    );
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
