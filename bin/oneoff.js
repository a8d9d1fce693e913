#!/bin/sh
//bin/sh -c :; exec node --no-maglev -- "$0" "$@"
// Both a shell script and a CommonJS module (bin/package.json says so). Run as a program,
// /bin/sh (any: dash, bash, BusyBox's) runs the line above (a no-op, then node on this file);
// node reads it as a comment. Why not "#!/usr/bin/env node": node reads --env-file even after
// the script's name (`oneoff run --env-file x` would make node load x itself, or exit 9 when x
// is missing); after "--" it does not. And "#!/usr/bin/env -S node --" needs env -S, which
// BusyBox's env (Alpine, the node:*-alpine images) refuses.
// --no-maglev: on Node 22 and 24, process.exit() can deadlock when one of V8's background
// Maglev compile jobs needs a garbage collection just then: the exiting main thread waits for
// the worker threads, the worker waits for the main thread (nodejs/node#54918, open). Seen
// here after a recorded 100 MiB console (its one-off done, the process stuck for good: main
// thread in NodePlatform::Shutdown, the V8Worker in CollectionBarrier::AwaitCollectionBackground).
// V8 takes the flag only on node's command line (not NODE_OPTIONS); `node bin/oneoff.js`, as the
// tests and `npm run bench` run it, goes without (docs/benchmarks.md has what the flag costs).
// CommonJS, not an ES module: Node starts a CommonJS entry and requires the CommonJS bundle
// without its ES module loader, a few milliseconds of every run (docs/benchmarks.md).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

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
 * ~15 ms of every start, which Node 22.1+ saves with its compile cache (Node 20 has none and
 * compiles it each time). The cache is compiled code that this process will run, so it is
 * kept only where no other user can write: in the user's cache folder, and only when every
 * folder from / down to it is theirs or root's and writable by no one else (with
 * `sudo -E`, HOME is still the invoking user's: root then runs without a cache). Node's
 * default, a shared folder in /tmp, would let another user plant compiled code there.
 */
function cliModule() {
  const file = path.join(__dirname, "..", "dist", "bundle", "cli.cjs");
  const { enableCompileCache } = require("node:module");
  const cacheDir = enableCompileCache && process.geteuid ? privateCacheDir() : undefined;
  if (cacheDir) {
    try {
      enableCompileCache(cacheDir);
    } catch {
      // A cache that cannot be used: run without it.
    }
  }
  return require(file);
}

/** $XDG_CACHE_HOME/oneoff/node-compile-cache (an absolute XDG_CACHE_HOME only, as the XDG spec says), else ~/.cache/...; undefined when not private. */
function privateCacheDir() {
  const { ensurePrivateFolder, xdgBase } = require("../dist/bundle/private-paths.cjs");
  let base = xdgBase(process.env.XDG_CACHE_HOME);
  try {
    base ??= path.join(require("node:os").homedir(), ".cache");
  } catch {
    return undefined; // no home folder: no cache
  }
  const dir = path.join(base, "oneoff", "node-compile-cache");
  return path.isAbsolute(dir) && ensurePrivateFolder(dir, process.geteuid()) === undefined ? dir : undefined;
}
