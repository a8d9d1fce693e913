#!/bin/sh
//bin/sh -c :; exec node -- "$0" "$@"
// Both a shell script and an ES module. Run as a program, /bin/sh (any: dash, bash, BusyBox's)
// runs the line above (a no-op, then node on this file); node reads it as a comment. Why not "#!/usr/bin/env node": node reads --env-file even after the script's
// name (`oneoff run --env-file x` would make node load x itself, or exit 9 when x is missing);
// after "--" it does not. And "#!/usr/bin/env -S node --" needs env -S, which BusyBox's env
// (Alpine, the node:*-alpine images) refuses.
import module from "node:module";
import os from "node:os";
import path from "node:path";

// Node 22.1+ keeps the compiled bundle in a cache, ~4-12 ms off every start (a no-op on Node
// 20). In the user's own cache folder: Node's default, a shared folder in /tmp, would let
// another user plant compiled code there.
try {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  module.enableCompileCache?.(path.join(cacheHome, "oneoff", "node-compile-cache"));
} catch {
  // No home or cache folder: run without the cache.
}

// The bundled CLI (npm run build): one file per lazily loaded part, ~120 ms faster to start.
// Imported once the cache is on, so that it covers the bundle.
const { main } = await import("../dist/bundle/cli/main.js");

const code = await main(process.argv.slice(2));
// Exit only once stdout and stderr have drained: process.exit() can cut off piped output.
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write("", done);
process.stderr.write("", done);
