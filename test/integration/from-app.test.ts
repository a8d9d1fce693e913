/**
 * `--from web` is this app's web, and means web's image and config: with two apps (or a compose
 * project and another app) on one engine, each one-off copies its own app's web; oneoff.yaml's
 * release and `${VAR:-default}` values do not replace what web runs with, and where they
 * disagree oneoff says so in one line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, imageId } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

// oneoff runs in this process (oneoffInProcess): what --from finds and says is under test here,
// not oneoff's process.

const TAG = Date.now().toString(36);
const APP_A = `froma${TAG}`;
const APP_B = `fromb${TAG}`;
const PROJECT = `fromc${TAG}`;
const APP_D = `fromd${TAG}`;
const WEB_A = `${APP_A}-web`;
const WEB_B = `${APP_B}-web`;
const WEB_C = `${PROJECT}-web-1`;
const WEB_D = `${APP_D}-web`;
const NETWORKS = [`${APP_A}-net`, `${APP_B}-net`, `${PROJECT}_default`];
const V1 = "oneoff-test/from-release:v1";
const V2 = "oneoff-test/from-release:v2";

function quietly(...args: string[]) {
  try {
    docker(...args);
  } catch {}
}

function cleanup() {
  for (const name of [WEB_A, WEB_B, WEB_C, WEB_D, `${APP_A}-web-compose`]) quietly("rm", "-f", name);
  for (const network of NETWORKS) quietly("network", "rm", network);
  for (const image of [V1, V2]) quietly("image", "rm", image);
}

/** A folder holding an app's oneoff.yaml. */
function appFolder(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-from-app-"));
  writeFileSync(path.join(dir, "oneoff.yaml"), yaml);
  return dir;
}

function runWeb(name: string, labels: string[], env: string[], network: string | undefined, image = IMAGE) {
  docker(
    "run",
    "-d",
    "--name",
    name,
    ...labels.flatMap((label) => ["--label", label]),
    ...env.flatMap((value) => ["-e", value]),
    ...(network ? ["--network", network] : []),
    image,
    "sleep",
    "600",
  );
}

beforeAll(() => {
  cleanup();
  for (const network of NETWORKS) docker("network", "create", network);
  // Two apps on one engine, each with a web of its own.
  runWeb(WEB_A, ["io.oneoff.process=web", `io.oneoff.app=${APP_A}`], ["WEB_CONCURRENCY=2", "WHOSE=a"], NETWORKS[0]);
  runWeb(WEB_B, ["io.oneoff.process=web", `io.oneoff.app=${APP_B}`], ["WEB_CONCURRENCY=4", "WHOSE=b"], NETWORKS[1]);
  // A compose project's web, as docker compose starts it.
  runWeb(WEB_C, [`com.docker.compose.project=${PROJECT}`, "com.docker.compose.service=web"], ["WEB_CONCURRENCY=3", "WHOSE=c"], NETWORKS[2]);
});

afterAll(cleanup);

const whose = "echo $WHOSE $WEB_CONCURRENCY";

describe("--from web is this app's web", () => {
  it("gives each of two apps on one engine its own web's env and network", async () => {
    for (const [app, expected, network] of [
      [APP_A, "a 2\n", NETWORKS[0]],
      [APP_B, "b 4\n", NETWORKS[1]],
    ] as const) {
      const dir = appFolder(`app: ${app}\n`);
      const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", whose], { cwd: dir });
      expect(result.stderr).toBe("");
      expect(result.stdout.toString()).toBe(expected);
      const dry = JSON.parse((await oneoffInProcess(["run", "--dry-run", "--from", "web", "--", "true"], { cwd: dir })).stdout.toString());
      expect(dry.request.body.HostConfig.NetworkMode).toBe(network);
    }
  });

  it("takes a compose project's own web service over another app's labelled web", async () => {
    const dir = appFolder(`app: ${PROJECT}\n`);
    const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", whose], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("c 3\n");
    const dry = JSON.parse((await oneoffInProcess(["run", "--dry-run", "--from", "web", "--", "true"], { cwd: dir })).stdout.toString());
    expect(dry.request.body.HostConfig.NetworkMode).toBe(NETWORKS[2]);
    expect(dry.provenance["env.WEB_CONCURRENCY"]).toBe(`running web (${WEB_C})`);
  });

  it("refuses two processes of the same app called web, in one line naming both", async () => {
    const extra = `${APP_A}-web-compose`;
    runWeb(extra, [`com.docker.compose.project=${APP_A}`, "com.docker.compose.service=web"], ["WHOSE=a2"], undefined);
    try {
      const result = await oneoffInProcess(["run", "--from", "web", "--", "true"], { cwd: appFolder(`app: ${APP_A}\n`) });
      expect(result.code).toBe(125);
      expect(result.stdout.toString()).toBe("");
      expect(result.stderr.split("\n")).toHaveLength(2);
      expect(result.stderr).toMatch(new RegExp(`^oneoff: --from web: app ${APP_A} has two processes called web: .*\\n$`));
      expect(result.stderr).toContain(`(${extra})`);
      expect(result.stderr).toContain(`(${WEB_A})`);
    } finally {
      docker("rm", "-f", extra);
    }
  });
});

describe("--from web means web's image and config", () => {
  let dir: string;
  let v1: string;
  let v2: string;
  beforeAll(() => {
    // Two releases with distinct image IDs: the test image under two labels, built offline.
    for (const [tag, label] of [
      [V1, "v1"],
      [V2, "v2"],
    ]) {
      execFileSync("docker", ["build", "-q", "-t", tag as string, "-"], {
        input: `FROM ${IMAGE}\nLABEL oneoff.test.release=${label}\n`,
        env: { ...process.env, DOCKER_BUILDKIT: "0" },
      });
    }
    v1 = imageId(V1);
    v2 = imageId(V2);
    runWeb(WEB_D, ["io.oneoff.process=web", `io.oneoff.app=${APP_D}`], ["SECRET_KEY_BASE=web-real-secret"], undefined, V1);
    dir = appFolder(
      `app: ${APP_D}\nimage: oneoff-test/from-release\nrelease: v2\nenv:\n  SECRET_KEY_BASE: \${SECRET_KEY_BASE:-dev-secret}\n`,
    );
  });

  const differs = new RegExp(
    `^oneoff: oneoff\\.yaml's release oneoff-test/from-release:v2 \\(oneoff\\.yaml:3:1\\) is not what web runs \\(${WEB_D}: [0-9a-f]{12}\\): running web's; --release oneoff-test/from-release:v2 runs oneoff\\.yaml's\\n$`,
  );

  it("runs web's image and keeps web's value over a ${VAR:-default}, saying in one line that oneoff.yaml's release differs", async () => {
    const env = { SECRET_KEY_BASE: undefined, ONEOFF_RELEASE: undefined };
    const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "sh", "-c", "echo $SECRET_KEY_BASE"], { cwd: dir, env });
    expect(result.stdout.toString()).toBe("web-real-secret\n");
    expect(result.stderr).toMatch(differs);
    expect(result.code).toBe(0);
    const json = await oneoffInProcess(["run", "--json", "--from", "web", "--", "true"], { cwd: dir, env });
    const document = documentOf<{ imageId: string; warnings?: string[] }>("run", json.stdout);
    expect(document.imageId).toBe(v1);
    expect(document.imageId).not.toBe(v2);
    expect(document.warnings).toEqual([
      expect.stringMatching(/^oneoff\.yaml's release oneoff-test\/from-release:v2 .* runs oneoff\.yaml's$/),
    ]);
  });

  it("has nothing to say when oneoff.yaml's release is the image web runs", async () => {
    const same = appFolder(`app: ${APP_D}\nimage: oneoff-test/from-release\nrelease: v1\n`);
    const result = await oneoffInProcess(["run", "-q", "--from", "web", "--", "true"], { cwd: same, env: { ONEOFF_RELEASE: undefined } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("lets -e and --release on the command line win, with nothing to say", async () => {
    const result = await oneoffInProcess(
      ["run", "--json", "--from", "web", "--release", "v2", "-e", "SECRET_KEY_BASE=x", "--", "sh", "-c", "echo $SECRET_KEY_BASE"],
      { cwd: dir, env: { SECRET_KEY_BASE: undefined, ONEOFF_RELEASE: undefined } },
    );
    const document = documentOf<{ imageId: string; warnings?: string[] }>("run", result.stdout);
    expect(document.imageId).toBe(v2);
    expect(document.warnings).toBeUndefined();
    // With --json the command's stdout goes to stderr.
    expect(result.stderr).toBe("x\n");
  });
});
