/**
 * main() runs a command in the process it is given (src/cli/command.ts, CliProcess): the
 * working directory, environment and stdin a caller passes, never this process's own. What
 * makes in-process CLI tests (test/integration/in-process.ts) mean what a spawned oneoff does.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-output.js";

const IMAGE_ID = `sha256:${"a".repeat(64)}`;
/** Nothing listens there: a dry run of an image ID asks no engine, and fails at once if it tries. */
const NO_ENGINE = "unix:///nonexistent/oneoff-cli-process.sock";

function appDir(config?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-cli-process-"));
  if (config !== undefined) writeFileSync(path.join(dir, "oneoff.yaml"), config);
  return dir;
}

/** This process's environment without ONEOFF_RELEASE and DOCKER_HOST, plus `extra`. */
function envWith(extra: Record<string, string>): Record<string, string | undefined> {
  const { ONEOFF_RELEASE: _release, DOCKER_HOST: _host, ...rest } = process.env;
  return { ...rest, DOCKER_HOST: NO_ENGINE, ...extra };
}

async function dryRunBody(where: Parameters<typeof runCli>[1], ...command: string[]) {
  const result = await runCli(["run", "--dry-run", "--", ...command], where);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).request.body as { Image: string; Tty: boolean; OpenStdin: boolean; Labels: Record<string, string> };
}

describe("main() runs a command in the process it is given", () => {
  it("finds oneoff.yaml from the working directory it is given, not this process's", async () => {
    const dir = appDir("app: elsewhere\ntasks:\n  hello: echo hi\n");
    const result = await runCli(["tasks", "--json"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).tasks).toEqual([expect.objectContaining({ name: "hello", command: ["echo", "hi"] })]);
  });

  it("takes the release from the environment it is given (ONEOFF_RELEASE), and the app from the directory", async () => {
    const body = await dryRunBody({ cwd: appDir("app: elsewhere\n"), env: envWith({ ONEOFF_RELEASE: IMAGE_ID }) }, "true");
    expect(body.Image).toBe(IMAGE_ID);
    expect(body.Labels["io.oneoff.app"]).toBe("elsewhere");
  });

  it("reads the audit log the environment it is given names", async () => {
    const dir = appDir();
    const log = path.join(dir, "audit.jsonl");
    writeFileSync(
      log,
      `${JSON.stringify({ event: "start", run: "r1", app: "elsewhere", command: ["true"], by: "someone@host", startedAt: "2024-01-01T00:00:00.000Z", releaseReference: IMAGE_ID })}\n`,
    );
    const result = await runCli(["history", "--local", "--all-apps", "--json"], { cwd: dir, env: envWith({ ONEOFF_AUDIT_LOG: log }) });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).entries).toEqual([expect.objectContaining({ app: "elsewhere", by: "someone@host" })]);
  });

  it("passes stdin on when it is given input, and starts a terminal session when it is given terminals", async () => {
    const where = { cwd: appDir(), env: envWith({ ONEOFF_RELEASE: IMAGE_ID }) };
    expect(await dryRunBody({ ...where, stdinIs: "nothing" }, "cat")).toMatchObject({ OpenStdin: false, Tty: false });
    expect(await dryRunBody({ ...where, stdinIs: "input" }, "cat")).toMatchObject({ OpenStdin: true, Tty: false });
    expect(await dryRunBody({ ...where, stdinIs: "terminal", stdoutIsTTY: true }, "sh")).toMatchObject({ OpenStdin: true, Tty: true });
    // A terminal for stdin but not for stdout (oneoff run ... > file) is no terminal session.
    expect(await dryRunBody({ ...where, stdinIs: "terminal", stdoutIsTTY: false }, "sh")).toMatchObject({ Tty: false });
  });
});
