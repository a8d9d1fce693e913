/**
 * A oneoff.yaml planted above the working directory (in a folder anyone can write to, such as
 * /tmp) is never used: its secrets: command never runs, nothing reaches the engine, and the
 * one line says which file and how to trust it. --dry-run and --debug say which file is used.
 *
 * oneoff runs in this process (oneoffInProcess) but for the run that trusts the planted file
 * and so runs its secrets: command: output/redact.ts would keep that secret's value for the
 * rest of this process, and mask it in what the other tests' runs print.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, oneoff, oneOffContainers } from "../integration/helpers.js";
import { oneoffInProcess } from "../integration/in-process.js";

expectNoLeftovers();

describe("config discovery", () => {
  it("refuses a oneoff.yaml in a folder anyone can write to, before its secrets: command runs", async () => {
    const shared = mkdtempSync(path.join(os.tmpdir(), "oneoff-planted-"));
    chmodSync(shared, 0o1777);
    const marker = path.join(shared, "the-planted-command-ran");
    writeFileSync(
      path.join(shared, "oneoff.yaml"),
      `app: planted\nimage: ${IMAGE}\nsecrets:\n  grab:\n    command: touch ${marker}; echo value\n`,
    );
    const work = path.join(shared, "me", "work");
    mkdirSync(work, { recursive: true, mode: 0o700 });
    const before = oneOffContainers();
    const result = await oneoffInProcess(["run", "--", "true"], { cwd: work });
    expect(result.code).toBe(125);
    expect(result.stdout.toString()).toBe("");
    expect(result.stderr).toBe(
      `oneoff: ${shared}/oneoff.yaml: found by looking up from ${work}, but its folder ${shared} is writable by anyone; not used (if it is yours, pass --config ${shared}/oneoff.yaml, or add ${shared} to ONEOFF_TRUSTED_DIRS)\n`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(oneOffContainers()).toEqual(before);

    // Trusted by name, it is used: its command runs.
    const trusted = await oneoff(["run", "-q", "--", "true"], { cwd: work, env: { ONEOFF_TRUSTED_DIRS: shared } });
    expect(trusted.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("says which file is used: --dry-run in its document, --debug on stderr", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-config-used-"));
    writeFileSync(path.join(dir, "oneoff.yaml"), `app: used\nimage: ${IMAGE}\n`);
    const sub = path.join(dir, "deeper");
    mkdirSync(sub);
    const dry = await oneoffInProcess(["run", "--dry-run", "--", "true"], { cwd: sub });
    expect(JSON.parse(dry.stdout.toString()).config).toBe(path.join(dir, "oneoff.yaml"));
    const debug = await oneoffInProcess(["--debug", "run", "-q", "--", "true"], { cwd: sub });
    expect(debug.stderr).toBe(`oneoff: config: ${path.join(dir, "oneoff.yaml")}\n`);
    expect(debug.code).toBe(0);
    const none = await oneoffInProcess(["--debug", "run", "-q", "--release", IMAGE, "--", "true"], {
      cwd: mkdtempSync(path.join(os.tmpdir(), "oneoff-no-config-")),
    });
    expect(none.stderr).toBe("oneoff: config: none (no oneoff.yaml here or above)\n");
  });

  it("refuses a compose project found in a folder anyone can write to for --service, and a .env others can write; one named by --compose is used", async () => {
    const shared = mkdtempSync(path.join(os.tmpdir(), "oneoff-planted-compose-"));
    chmodSync(shared, 0o1777);
    writeFileSync(
      path.join(shared, "compose.yaml"),
      `services:\n  web:\n    image: ${IMAGE}\n    network_mode: none\n    volumes: ["/etc:/host-etc"]\n`,
    );
    const before = oneOffContainers();
    const found = await oneoffInProcess(["run", "--service", "web", "--", "true"], { cwd: shared });
    expect(found.code).toBe(125);
    expect(found.stderr).toBe(
      `oneoff: ${shared}/compose.yaml: found for --service web by looking in ${shared}, but its folder ${shared} is writable by anyone; not used (if it is yours, pass --compose ${shared}/compose.yaml, or add ${shared} to ONEOFF_TRUSTED_DIRS)\n`,
    );
    expect(oneOffContainers()).toEqual(before);

    // The folder is the user's; the .env in it (which interpolates the compose file) is not.
    chmodSync(shared, 0o755);
    writeFileSync(path.join(shared, ".env"), "TAG=latest\n");
    chmodSync(path.join(shared, ".env"), 0o666);
    const dotenv = await oneoffInProcess(["run", "--service", "web", "--", "true"], { cwd: shared });
    expect(dotenv.code).toBe(125);
    expect(dotenv.stderr).toBe(
      `oneoff: ${shared}/.env: found for --service web by looking in ${shared}, but it is writable by anyone; not used (if it is yours, make it and its folders yours and not writable by others, or add ${shared} to ONEOFF_TRUSTED_DIRS)\n`,
    );

    // Named, the project is the user's choice.
    const named = await oneoffInProcess(["run", "-q", "--service", "web", "--compose", "compose.yaml", "--", "true"], { cwd: shared });
    expect(named).toMatchObject({ code: 0, stderr: "" });
  });
});
