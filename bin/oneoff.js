#!/bin/sh
//bin/sh -c :; exec node -- "$0" "$@"
// Both a shell script and an ES module. Run as a program, /bin/sh (any: dash, bash, BusyBox's)
// runs the line above (a no-op, then node on this file); node reads it as a comment. Why not "#!/usr/bin/env node": node reads --env-file even after the script's
// name (`oneoff run --env-file x` would make node load x itself, or exit 9 when x is missing);
// after "--" it does not. And "#!/usr/bin/env -S node --" needs env -S, which BusyBox's env
// (Alpine, the node:*-alpine images) refuses.
// The bundled CLI (npm run build): one file per lazily loaded part, ~120 ms faster to start.
import { main } from "../dist/bundle/cli/main.js";

const code = await main(process.argv.slice(2));
// Exit only once stdout and stderr have drained: process.exit() can cut off piped output.
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write("", done);
process.stderr.write("", done);
