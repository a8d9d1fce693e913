/**
 * The launcher (bin/oneoff.js) of the packed tarball runs where Node does, BusyBox included:
 * a container of the test image (BusyBox's sh, env linked to BusyBox), with this machine's node
 * and its libraries mounted read-only, runs the unpacked package's bin. The engine is used only
 * for that container; nothing of oneoff's runs on it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { IMAGE, packedPackage } from "./helpers.js";

let work: string;
let packageDir: string;

beforeAll(() => {
  ({ work, packageDir } = packedPackage("oneoff-launcher-"));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `script` with BusyBox's sh in the test image, the package at /app and node on PATH. */
function inBusyBox(script: string): { code: number; output: string } {
  const node = realpathSync(process.execPath);
  const mounts = [`${packageDir}:/app:ro`, `${node}:/usr/local/bin/node:ro`, "/lib64:/lib64:ro"];
  for (const dir of ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]) if (existsSync(dir)) mounts.push(`${dir}:${dir}:ro`);
  try {
    const output = execFileSync(
      "docker",
      [
        "run",
        "--rm",
        ...mounts.flatMap((mount) => ["-v", mount]),
        "-e",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        IMAGE,
        "sh",
        "-c",
        `mkdir -p /usr/bin && ln -sf /bin/busybox /usr/bin/env && cd /tmp && ${script}`,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe("the launcher of the packed package", () => {
  it("starts oneoff from BusyBox's sh, as a program, where #!/usr/bin/env -S node -- does not start", () => {
    const ours = inBusyBox("/app/bin/oneoff.js --version");
    expect(ours.code).toBe(0);
    expect(ours.output).toBe(`${VERSION}\n`);
    // The environment is the one the issue is about: BusyBox's env refuses -S.
    const envDashS = inBusyBox("printf '#!/usr/bin/env -S node --\\nconsole.log(1)\\n' > old.js && chmod +x old.js && ./old.js");
    expect(envDashS.code).not.toBe(0);
    expect(envDashS.output).toMatch(/env: (unrecognized|invalid) option/);
  });

  it("passes --env-file to oneoff, not to node: a missing file is oneoff's one line, exit 125", () => {
    const result = inBusyBox("/app/bin/oneoff.js run --env-file /nonexistent --release x -- true");
    expect(result).toEqual({
      code: 125,
      output: "oneoff: --env-file /nonexistent: cannot read /nonexistent: no such file (check the path)\n",
    });
  });

  it("reads an env file given with --env-file itself (its variable reaches the dry run), and node does not", () => {
    const result = inBusyBox(
      "printf 'FROM_FILE=yes\\n' > my.env && /app/bin/oneoff.js run --dry-run --env-file my.env --release x -- true | grep -c FROM_FILE=yes",
    );
    expect(result).toEqual({ code: 0, output: expect.stringMatching(/^[1-9]\d*\n$/) });
  });
});
