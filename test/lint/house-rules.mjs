// The house's rules that an import graph cannot show (npm run lint runs this after
// dependency-cruiser): the process's streams and exit belong to the entry points, and no
// source file grows past 300 lines. Prints each breach as file:line and exits 1.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ENTRY_POINTS = ["src/index.ts", "src/lifecycle/watchdog-main.ts"];
const EXIT_POINTS = ["src/cli/main.ts", "src/lifecycle/watchdog-main.ts"];
const MAX_LINES = 300;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(file) : file.endsWith(".ts") ? [file] : [];
  });
}

const breaches = [];
for (const file of sources("src")) {
  const lines = readFileSync(file, "utf8").split("\n");
  if (lines.length > MAX_LINES) breaches.push(`${file}: ${lines.length} lines (at most ${MAX_LINES}): split it by reason to change`);
  const inCli = file.startsWith(`src${path.sep}cli${path.sep}`);
  lines.forEach((line, index) => {
    if (/^\s*(\/\/|\*)/.test(line)) return;
    if (/\bprocess\.(stdin|stdout|stderr)\b/.test(line) && !inCli && !ENTRY_POINTS.includes(file)) {
      breaches.push(`${file}:${index + 1}: process streams outside the CLI and the entry points: take the streams as a parameter`);
    }
    if (/\bprocess\.exit\(/.test(line) && !EXIT_POINTS.includes(file)) {
      breaches.push(`${file}:${index + 1}: process.exit() outside the exit points: return the code instead`);
    }
  });
}
for (const breach of breaches) console.error(breach);
if (breaches.length) process.exit(1);
console.log(`house rules: ${sources("src").length} files, no breach`);
