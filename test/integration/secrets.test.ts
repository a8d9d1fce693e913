/**
 * secrets: against the real engine: files at their targets with mode 0400 owned by the
 * one-off's user, kept out of its environment and `docker inspect`; env delivery; tasks that
 * list their secrets; and every bad source refused in one line before anything is created.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, eventually, expectNoLeftovers, IMAGE, oneoff, oneOffContainers } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";
import { documentOf } from "./json-schemas.js";

expectNoLeftovers();

const VALUE = "db-pass-Int3gration-5d1e";
const KEY = "-----BEGIN TEST KEY-----\nMIIBVwIBADANBgkqhkiG9w0BAQEFAASCAUEwggE9AgEAAkEA\n-----END TEST KEY-----\n";

function app(extra = ""): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-secrets-int-"));
  writeFileSync(path.join(dir, "key.pem"), KEY);
  writeFileSync(
    path.join(dir, "oneoff.yaml"),
    [
      "app: secretsint",
      "image: oneoff-test/busybox",
      "secrets:",
      "  db_password:",
      "    env: INT_DB_PASSWORD",
      "  tls_key:",
      "    file: key.pem",
      "    target: /etc/app/tls/key.pem",
      "  api_token:",
      "    command: printf 'tok-%s\\n' from-command",
      "    as: env",
      "tasks:",
      "  show:",
      '    command: [sh, -c, \'id -u; stat -c "%a %u:%g" /run/secrets/db_password /etc/app/tls/key.pem; cat /run/secrets/db_password; echo; echo "$$API_TOKEN"; cat /etc/app/tls/key.pem; env | grep -c db-pass || true\']',
      "  migrate:",
      "    command: [sh, -c, 'ls /run/secrets; echo \"token:$${API_TOKEN:-none}\"']",
      "    secrets: [db_password]",
      extra,
    ].join("\n"),
  );
  return dir;
}

const env = { INT_DB_PASSWORD: VALUE };
/** A secret command that holds a token itself, as `VAULT_TOKEN=... vault kv get ...` does, and fails. */
const FAILING_COMMAND = "VAULT_TOKEN=hvs.planted-Int-3c9 printf 'tok-%s' leaked; exit 7";

// oneoff runs in this process (oneoffInProcess) where the test reads what reached the one-off or
// a refusal. A test that proves a secret's value is absent from what oneoff writes spawns it: the
// values a run masks are remembered per process (output/redact.ts), and in this one other tests'
// runs given the same values would mask for a run that forgot to. (The failing command's token
// is no secret's value: no run remembers it, so its absence is proven in this process too.)

describe("secrets: delivered to the one-off", () => {
  it("writes files with mode 0400 owned by the one-off's user, and env secrets as variables", async () => {
    const dir = app();
    const asRoot = await oneoffInProcess(["run", "show"], { cwd: dir, env });
    expect(asRoot.stderr).toBe("");
    expect(asRoot.stdout.toString()).toBe(`0\n400 0:0\n400 0:0\n${VALUE}\ntok-from-command\n${KEY}0\n`);
    // A named user is looked up in the image's /etc/passwd (app is 1000:1000 there).
    const asApp = await oneoffInProcess(["run", "-u", "app", "show"], { cwd: dir, env });
    expect(asApp.stdout.toString()).toContain("1000\n400 1000:1000\n400 1000:1000\n");
    const asUid = await oneoffInProcess(["run", "-u", "4321:77", "show"], { cwd: dir, env });
    expect(asUid.stdout.toString()).toContain("4321\n400 4321:77\n400 4321:77\n");
  });

  it("gives a task only the secrets it lists", async () => {
    const result = await oneoffInProcess(["run", "migrate"], { cwd: app(), env });
    expect(result.stdout.toString()).toBe("db_password\ntoken:none\n");
  });

  it("keeps a file secret out of the container's env and docker inspect", async () => {
    const dir = app("  wait:\n    command: [sleep, '30']\n");
    const started = await oneoffInProcess(["run", "--detach", "wait"], { cwd: dir, env });
    expect(started.code).toBe(0);
    const id = started.stdout.toString().trim();
    try {
      const inspect = docker("inspect", id);
      expect(inspect).toContain("API_TOKEN=tok-from-command");
      expect(inspect).not.toContain(VALUE);
      expect(inspect).not.toContain("MIIBVwIBADANBgkq");
      expect(docker("exec", id, "cat", "/run/secrets/db_password")).toBe(VALUE);
    } finally {
      docker("rm", "-f", id);
    }
  });

  it.each([
    [
      "an unset variable",
      {},
      (text: string) => text,
      /^oneoff: oneoff\.yaml:5:5: secrets\.db_password\.env: INT_DB_PASSWORD is not set in your environment \(export INT_DB_PASSWORD/,
    ],
    [
      "an unreadable file",
      env,
      (text: string) => text.replace("file: key.pem", "file: gone.pem"),
      /^oneoff: oneoff\.yaml:7:5: secrets\.tls_key\.file: \S+\/gone\.pem does not exist \(point file: at a readable file/,
    ],
    [
      "a failing command",
      env,
      (text: string) => text.replace("command: printf 'tok-%s\\n' from-command", `command: ${FAILING_COMMAND}`),
      /^oneoff: oneoff\.yaml:10:5: secrets\.api_token\.command: the command exited with 7 \(run the command at oneoff\.yaml:10:5 yourself to see why\)$/,
    ],
  ])("refuses %s in one line, exit 125, nothing created", async (_name, runEnv, breakIt, line) => {
    const dir = app();
    const config = path.join(dir, "oneoff.yaml");
    writeFileSync(config, breakIt(readFileSync(config, "utf8")));
    const result = await oneoffInProcess(["run", "show"], { cwd: dir, env: runEnv });
    expect(result.code).toBe(125);
    const lines = result.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(result.stderr).not.toContain("tok-leaked");
    expect(result.stderr).not.toContain("hvs.planted");
    expect(result.stdout.toString()).toBe("");
    expect(oneOffContainers()).toEqual([]);
  });

  it("names a failing command by its place in --json's error document too, never quoting it (it may hold a token)", async () => {
    const dir = app();
    const config = path.join(dir, "oneoff.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("command: printf 'tok-%s\\n' from-command", `command: ${FAILING_COMMAND}`));
    const result = await oneoffInProcess(["run", "--json", "show"], { cwd: dir, env });
    expect(result.code).toBe(125);
    expect(documentOf<{ error: unknown }>("error", result.stdout).error).toEqual({
      message: "oneoff.yaml:10:5: secrets.api_token.command: the command exited with 7",
      hint: "run the command at oneoff.yaml:10:5 yourself to see why",
    });
    expect(`${result.stdout.toString()}${result.stderr}`).not.toMatch(/hvs\.planted|VAULT_TOKEN|tok-leaked/);
  });

  it("refuses a file target under a volume before anything is created", async () => {
    const result = await oneoffInProcess(["run", "-v", "oneoff-secrets-vol:/run/secrets", "show"], { cwd: app(), env });
    expect(result.code).toBe(125);
    expect(result.stderr.trim()).toBe(
      "oneoff: oneoff.yaml:4:3: secrets.db_password.target: /run/secrets/db_password is under the volume mounted at /run/secrets: the file would outlive the one-off in that volume (choose a target outside it, such as /run/secrets/db_password)",
    );
    expect(await eventually(() => (docker("volume", "ls", "-q", "--filter", "name=oneoff-secrets-vol") === "" ? true : undefined))).toBe(
      true,
    );
  });

  it("refuses a file target that the image's links lead into a volume (/run/secrets -> /data): nothing written there, nothing left", async () => {
    const image = "oneoff-test/secrets-link:latest";
    // A hostile image: its /run/secrets is a link into where a volume is mounted.
    execFileSync("docker", ["build", "-q", "-t", image, "-"], {
      input: "FROM oneoff-test/busybox\nRUN mkdir -p /data /run && ln -s /data /run/secrets\n",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    const volume = `oneoff-secrets-link-${Math.random().toString(16).slice(2, 8)}`;
    try {
      const result = await oneoffInProcess(["run", "--release", image, "-v", `${volume}:/data`, "--", "true"], { cwd: app(), env });
      expect(result.code).toBe(125);
      expect(result.stdout.toString()).toBe("");
      expect(result.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(
          /^oneoff: oneoff\.yaml:\d+:\d+: secrets\.\w+\.target: \/run\/secrets\/\w+ leads through a link in the image to \/data\/\w+, under the volume mounted at \/data: the file would outlive the one-off in that volume \(choose a target outside it, such as \/run\/secrets\/\w+\)$/,
        ),
      ]);
      expect(oneOffContainers()).toEqual([]);
      // The volume's folder on this machine (the tests' engine is this machine's), if the run made it.
      const made = docker("volume", "ls", "-q", "--filter", `name=${volume}`) !== "";
      const inVolume = made ? readdirSync(docker("volume", "inspect", "-f", "{{.Mountpoint}}", volume)) : [];
      expect(inVolume).toEqual([]);
    } finally {
      execFileSync("docker", ["volume", "rm", "-f", volume]);
      execFileSync("docker", ["image", "rm", image]);
    }
  });

  it("refuses in one line to look a user up in an /etc/passwd over 1 MiB (read no further), and needs no lookup for a numeric user", async () => {
    const image = "oneoff-test/secrets-big-passwd:latest";
    // The image's own app user first, then 2 MiB of filler: a lookup that read it all would find app.
    execFileSync("docker", ["build", "-q", "-t", image, "-"], {
      input: "FROM oneoff-test/busybox\nRUN yes 'filler:x:5000:5000::/nonexistent:/bin/false' | head -c 2097152 >> /etc/passwd\n",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    try {
      const dir = app();
      const refused = await oneoffInProcess(["run", "--release", image, "-u", "app", "--", "true"], { cwd: dir, env });
      expect(refused.stderr.split("\n").filter(Boolean)).toEqual([
        'oneoff: the image\'s /etc/passwd is over 1 MiB, more than oneoff reads to look up user app for the secret files (give the user as numbers, such as -u 1000:1000 or user: "1000:1000": they need no lookup)',
      ]);
      expect(refused.code).toBe(125);
      expect(oneOffContainers()).toEqual([]);
      const numeric = await oneoffInProcess(
        ["run", "--release", image, "-u", "1000:1000", "--", "stat", "-c", "%a %u:%g", "/run/secrets/db_password"],
        {
          cwd: dir,
          env,
        },
      );
      expect(numeric.stdout.toString()).toBe("400 1000:1000\n");
      expect(numeric.code).toBe(0);
    } finally {
      execFileSync("docker", ["image", "rm", image]);
    }
  });

  it("shows in --dry-run where each secret and copy goes, and no value", async () => {
    const dir = app();
    writeFileSync(path.join(dir, "seed.sql"), "select 1;\n");
    const result = await oneoff(["run", "--dry-run", "--copy-in", "seed.sql:/tmp/seed.sql", "--copy-out", "/tmp/out.csv:.", "show"], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout.toString());
    expect(document.copyIn).toEqual([`${dir}/seed.sql -> /tmp/seed.sql`]);
    expect(document.copyOut).toEqual([`/tmp/out.csv -> ${dir}/.`]);
    expect(document.secrets.map((secret: { to: string }) => secret.to)).toEqual([
      "file /run/secrets/db_password (mode 0400, owned by the one-off's user)",
      "file /etc/app/tls/key.pem (mode 0400, owned by the one-off's user)",
      "env API_TOKEN",
    ]);
    expect(document.request.body.Env).toContain("API_TOKEN=<redacted>");
    expect(result.stdout.toString()).not.toContain(VALUE);
  });
});

describe("oneoff diff and secrets:", () => {
  const STRIPE = "sk_live_planted-Diff-4e2";
  const VAULT = "hvs-planted-Diff-88";
  const APP = `secretsdiff${Date.now()}`;
  const WEB = `${APP}-web`;
  afterAll(() => {
    try {
      docker("rm", "-f", WEB);
    } catch {}
  });

  beforeAll(() => {
    // The web process holds the same secrets in the same variables, given to it some other way.
    docker(
      "run",
      "-d",
      "--name",
      WEB,
      "--label",
      "io.oneoff.process=web",
      "--label",
      `io.oneoff.app=${APP}`,
      "-e",
      `STRIPE=${STRIPE}`,
      "-e",
      `VAULT_VALUE=${VAULT}`,
      IMAGE,
      "sleep",
      "600",
    );
  });

  function diffApp(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-secrets-diff-"));
    writeFileSync(
      path.join(dir, "oneoff.yaml"),
      [
        `app: ${APP}`,
        `image: ${IMAGE}`,
        "secrets:",
        "  stripe: {env: DIFF_STRIPE, as: env, variable: STRIPE}",
        // diff never runs a secret's command: if it did, the file would be there.
        "  vault: {command: touch ran-by-diff; printf x, as: env, variable: VAULT_VALUE}",
        "  late: {env: DIFF_LATE, as: env, variable: LATE_TOKEN}",
      ].join("\n"),
    );
    return dir;
  }

  it("masks their variables on both sides, shows the one-off as having them, and says whether a value it can read differs", async () => {
    const dir = diffApp();
    const rows = async (stripe: string) => {
      const result = await oneoff(["diff", "--json", "web"], { cwd: dir, env: { DIFF_STRIPE: stripe, DIFF_LATE: "late-planted-Diff" } });
      expect(result.stderr).toBe("");
      expect(`${result.stdout.toString()}`).not.toMatch(/planted/);
      return documentOf<{ rows: Array<{ what: string; oneOff: string; running: string; same: boolean }> }>(
        "diff",
        result.stdout,
      ).rows.filter((row) => ["env STRIPE", "env VAULT_VALUE", "env LATE_TOKEN"].includes(row.what));
    };
    expect(await rows(STRIPE)).toEqual([
      { what: "env LATE_TOKEN", oneOff: "(secret)", running: "(unset)", same: false },
      { what: "env STRIPE", oneOff: "(secret)", running: "(secret)", same: true },
      { what: "env VAULT_VALUE", oneOff: "(secret, not compared)", running: "(secret)", same: true },
    ]);
    expect(await rows("sk_live_other-planted")).toContainEqual({
      what: "env STRIPE",
      oneOff: "(secret, differs)",
      running: "(secret, differs)",
      same: false,
    });
    const table = await oneoff(["diff", "--all", "web"], {
      cwd: dir,
      env: { DIFF_STRIPE: "sk_live_other-planted", DIFF_LATE: "x-planted" },
    });
    expect(table.code).toBe(1);
    expect(table.stdout.toString()).toMatch(/^≠\s+env STRIPE\s+\(secret, differs\)\s+\(secret, differs\)$/m);
    expect(table.stdout.toString()).toMatch(/^=\s+env VAULT_VALUE\s+\(secret, not compared\)\s+\(secret\)$/m);
    expect(`${table.stdout.toString()}${table.stderr}`).not.toMatch(/planted/);
    expect(existsSync(path.join(dir, "ran-by-diff"))).toBe(false);
  });
});
