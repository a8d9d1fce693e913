/**
 * The packed package on each Node.js version it claims (package.json engines: >=20): Node 20,
 * 22 and 24, the official Linux builds that test/setup/node-versions.sh unpacks under
 * /var/cache/oneoff-node. On each, the launcher finds that node on PATH and runs a one-off
 * whose streams and exit code come back, and the library runs one in-process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
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

  it("the library runs a one-off in the process of that node", () => {
    const script = path.join(work, `library-${major}.mjs`);
    writeFileSync(
      script,
      `
import { Writable } from "node:stream";
import { run } from ${JSON.stringify(path.join(packageDir, "dist/index.js"))};
const chunks = [];
const stdout = new Writable({ write(chunk, _e, done) { chunks.push(chunk); done(); } });
const result = await run({ command: ["sh", "-c", "echo from-the-library; exit 4"], release: ${JSON.stringify(IMAGE)}, quiet: true }, { stdout });
console.log(JSON.stringify({ node: process.versions.node.split(".")[0], exitCode: result.exitCode, output: Buffer.concat(chunks).toString() }));
`,
    );
    const result = spawnSync(`${bin}/node`, [script], { env, cwd: work, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ node: String(major), exitCode: 4, output: "from-the-library\n" });
  });
});
