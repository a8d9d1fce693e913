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

const args = process.argv.slice(2);
// `oneoff --version` alone, as CI scripts ask it, is answered without loading the CLI.
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // package.json beside bin/ (the package and the image ship it; src/version.ts is kept equal
  // to it by a test).
  process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version}\n`);
} else {
  enableCompileCache();
  // The bundled CLI (npm run build): one file, with the dependencies only some commands use
  // (dockerode, yaml, tar) in files of their own, loaded when first used.
  require("../dist/bundle/cli.cjs").main(args).then(exitOnceWritten);
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
 * Node 22.1+ keeps the compiled bundle in a cache, ~4-12 ms off every start (a no-op on
 * Node 20). In the user's own cache folder: Node's default, a shared folder in /tmp, would
 * let another user plant compiled code there. Turned on before the bundle is required, so
 * that it covers the bundle.
 */
function enableCompileCache() {
  try {
    const cacheHome = process.env.XDG_CACHE_HOME || path.join(require("node:os").homedir(), ".cache");
    require("node:module").enableCompileCache?.(path.join(cacheHome, "oneoff", "node-compile-cache"));
  } catch {
    // No home or cache folder: run without the cache.
  }
}
