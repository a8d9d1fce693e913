#!/usr/bin/env -S node --
// "node --": Node 20 reads --env-file even after the script name; "--" stops it, so oneoff gets its own --env-file.
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
