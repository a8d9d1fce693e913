#!/bin/sh
//bin/sh -c :; exec node -- "$0" "$@"
// Both a shell script and a CommonJS module (bin/package.json says so). Run as a program,
// /bin/sh (any: dash, bash, BusyBox's) runs the line above (a no-op, then node on this file);
// node reads it as a comment. Why not "#!/usr/bin/env node": node reads --env-file even after
// the script's name (`oneoff run --env-file x` would make node load x itself, or exit 9 when x
// is missing); after "--" it does not. And "#!/usr/bin/env -S node --" needs env -S, which
// BusyBox's env (Alpine, the node:*-alpine images) refuses.
// CommonJS, not an ES module: Node starts a CommonJS entry and requires the CommonJS bundle
// without its ES module loader, a few milliseconds of every run (docs/benchmarks.md).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Set by codeCachedRequire when the cache is to be written, as the run ends. */
let saveCodeCache = () => {};

const args = process.argv.slice(2);
// `oneoff --version` alone, as CI scripts ask it, is answered without loading the CLI.
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // package.json beside bin/ (the package and the image ship it; src/version.ts is kept equal
  // to it by a test). A reader gone away (`oneoff --version | true`) is no failure of it, as
  // for help; any other failed write is, in one line (src/output/write-failures.ts).
  process.stdout.on("error", (error) => {
    if (error.code === "EPIPE") return;
    process.stderr.write(`oneoff: could not write to stdout: ${error.code}\n`);
    process.exitCode = 125;
  });
  process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version}\n`);
} else {
  cliModule().main(args).then(exitOnceWritten);
}

/** Exits only once stdout and stderr have drained: process.exit() can cut off piped output. */
function exitOnceWritten(code) {
  saveCodeCache();
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/**
 * The bundled CLI (npm run build): one file, with the dependencies only some commands use
 * (dockerode, yaml, tar) in files of their own, required when first used. Compiling it is
 * ~15 ms of every start, which a cache of V8's compiled code saves: Node 22.1+ keeps one
 * (module.enableCompileCache); on older Node, codeCachedRequire does what it does. The cache
 * is in the user's own cache folder: Node's default, a shared folder in /tmp, would let
 * another user plant compiled code there.
 */
function cliModule() {
  const file = path.join(__dirname, "..", "dist", "bundle", "cli.cjs");
  let cacheDir;
  try {
    cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(require("node:os").homedir(), ".cache"), "oneoff");
  } catch {
    return require(file); // no home folder: no cache
  }
  const { enableCompileCache } = require("node:module");
  if (!enableCompileCache) return codeCachedRequire(file, path.join(cacheDir, "code-cache"));
  try {
    enableCompileCache(path.join(cacheDir, "node-compile-cache"));
  } catch {
    // A cache folder that cannot be made: run without the cache.
  }
  return require(file);
}

/**
 * Requires the CommonJS `file` as Node would, compiled with the code V8 cached for it in
 * `cacheDir` at the first run, and caches it when there is none (or V8 turned it down, as it
 * does after a Node upgrade). The cache holds the functions the run compiled, so a run (run,
 * shell, release) and other commands have one each. The cache file is named after the
 * file's device, inode, size and change time: V8 checks only the source's length, so a
 * changed bundle must not find the old one. Any failure of the cache leaves the file
 * compiled as usual.
 */
function codeCachedRequire(file, cacheDir) {
  const vm = require("node:vm");
  const Module = require("node:module");
  const own = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  const kind = own.some((word) => word === "run" || word === "shell" || word === "release") ? "run" : "other";
  let cacheFile;
  let cached;
  try {
    const { dev, ino, size, ctimeMs } = fs.statSync(file);
    cacheFile = path.join(cacheDir, `cli-${kind}-${dev}-${ino}-${size}-${Math.floor(ctimeMs)}-${process.version}`);
    cached = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  const source = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(file, "utf8")}\n});`;
  const script = new vm.Script(source, { filename: file, cachedData: cached });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    // As the run ends, so that the cache holds every function it compiled on the way.
    saveCodeCache = () => writeCache(cacheDir, cacheFile, script);
  }
  return module.exports;
}

function writeCache(cacheDir, cacheFile, script) {
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const partial = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(partial, cacheFile);
    // The caches of earlier builds and Node versions are of no more use.
    const build = path.basename(cacheFile).replace(/^cli-[a-z]+-/, "");
    for (const name of fs.readdirSync(cacheDir)) {
      if (name.startsWith("cli-") && !name.endsWith(build)) fs.rmSync(path.join(cacheDir, name), { force: true });
    }
  } catch {
    // Not writable: the next run compiles again.
  }
}
