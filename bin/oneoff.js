#!/bin/sh
//bin/sh -c :; exec node -- "$0" "$@"
// Both a shell script and an ES module. Run as a program, /bin/sh (any: dash, bash, BusyBox's)
// runs the line above (a no-op, then node on this file); node reads it as a comment. Why not "#!/usr/bin/env node": node reads --env-file even after the script's
// name (`oneoff run --env-file x` would make node load x itself, or exit 9 when x is missing);
// after "--" it does not. And "#!/usr/bin/env -S node --" needs env -S, which BusyBox's env
// (Alpine, the node:*-alpine images) refuses.
const args = process.argv.slice(2);
// `oneoff --version` alone, as CI scripts ask it, is answered without loading the CLI.
const code = args.length === 1 && (args[0] === "--version" || args[0] === "-V") ? await printVersion() : await runCli(args);

async function printVersion() {
  // package.json beside bin/ (the package and the image ship it; src/version.ts is kept equal
  // to it by a test). getBuiltinModule (Node 20.16+) skips building fs's ES namespace.
  const fs = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));
  process.stdout.write(`${JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`);
  return 0;
}

async function runCli(argv) {
  const [{ default: module }, { default: os }, { default: path }] = await Promise.all([
    import("node:module"),
    import("node:os"),
    import("node:path"),
  ]);
  // Node 22.1+ keeps the compiled bundle in a cache, ~4-12 ms off every start (a no-op on
  // Node 20). In the user's own cache folder: Node's default, a shared folder in /tmp, would
  // let another user plant compiled code there.
  try {
    const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    module.enableCompileCache?.(path.join(cacheHome, "oneoff", "node-compile-cache"));
  } catch {
    // No home or cache folder: run without the cache.
  }
  // The bundled CLI (npm run build): one file per lazily loaded part, ~120 ms faster to start.
  // Imported once the cache is on, so that it covers the bundle.
  const { main } = await import("../dist/bundle/cli/main.js");
  return main(argv);
}

// Exit only once stdout and stderr have drained: process.exit() can cut off piped output.
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write("", done);
process.stderr.write("", done);
