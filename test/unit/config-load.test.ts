import { mergeLayers } from "../../src/plan/resolve.js";
import type { AppConfig } from "../../src/types/config.js";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../../src/config/interpolate.js";
import { findConfigFile, loadAppConfig, readEnvFile, settingFileLayers } from "../../src/config/load.js";
import { readIfTrusted } from "../../src/config/found-file.js";
import { OneoffError } from "../../src/output/errors.js";

/** The env a run gets from the app's config: its env_file layers under its own env:. */
function appEnv(config: AppConfig | undefined): Record<string, string> {
  return mergeLayers(config ? [...config.envFileLayers, config.base] : []).settings.env;
}

function taskEnv(config: AppConfig | undefined, name: string): Record<string, string> {
  const task = config?.tasks[name];
  return mergeLayers(task ? [...task.envFileLayers, task.overrides] : []).settings.env;
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "oneoff-load-test-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes files (path relative to the temp root -> content) and returns the root. */
function writeTree(files: Record<string, string>): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

async function loadError(explicitPath: string | undefined, cwd: string, env: Environment = {}): Promise<OneoffError> {
  try {
    await loadAppConfig(explicitPath, cwd, env);
  } catch (error) {
    expect(error).toBeInstanceOf(OneoffError);
    return error as OneoffError;
  }
  throw new Error("expected loadAppConfig to throw");
}

describe("findConfigFile", () => {
  it("finds oneoff.yaml in the working directory", async () => {
    writeTree({ "shop/oneoff.yaml": "" });
    expect(findConfigFile(path.join(root, "shop"))).toBe(path.join(root, "shop/oneoff.yaml"));
  });

  it("finds oneoff.yml when there is no oneoff.yaml", async () => {
    writeTree({ "shop/oneoff.yml": "" });
    expect(findConfigFile(path.join(root, "shop"))).toBe(path.join(root, "shop/oneoff.yml"));
  });

  it("prefers oneoff.yaml over oneoff.yml in the same directory", async () => {
    writeTree({ "shop/oneoff.yml": "", "shop/oneoff.yaml": "" });
    expect(findConfigFile(path.join(root, "shop"))).toBe(path.join(root, "shop/oneoff.yaml"));
  });

  it("walks up to the nearest parent holding a config file", async () => {
    writeTree({ "oneoff.yaml": "", "shop/oneoff.yml": "", "shop/app/models/.keep": "" });
    expect(findConfigFile(path.join(root, "shop/app/models"))).toBe(path.join(root, "shop/oneoff.yml"));
  });

  it("finds nothing when no directory up to the root holds a config file", async () => {
    writeTree({ "shop/app/.keep": "" });
    expect(findConfigFile(path.join(root, "shop/app"))).toBeUndefined();
  });
});

describe("a config file found by looking up is used only when it can be trusted", () => {
  const me = process.getuid?.() ?? 0;
  const stranger = 4321;
  it("refuses one in a folder anyone can write to (a planted /tmp/oneoff.yaml), before reading it", async () => {
    writeTree({ "shared/oneoff.yaml": "secrets:\n  x:\n    command: touch planted\n", "shared/me/work/.keep": "" });
    chmodSync(path.join(root, "shared"), 0o1777);
    const error = (() => {
      try {
        findConfigFile(path.join(root, "shared/me/work"));
      } catch (caught) {
        return caught as OneoffError;
      }
      throw new Error("expected a refusal");
    })();
    expect(error.message).toBe(
      `${path.join(root, "shared/oneoff.yaml")}: found by looking up from ${path.join(root, "shared/me/work")}, but its folder ${path.join(root, "shared")} is writable by anyone; not used`,
    );
    expect(error.hint).toBe(
      `if it is yours, pass --config ${path.join(root, "shared/oneoff.yaml")}, or add ${path.join(root, "shared")} to ONEOFF_TRUSTED_DIRS`,
    );
    expect(findConfigFile(path.join(root, "shared/me/work"), { ONEOFF_TRUSTED_DIRS: `/nowhere:${path.join(root, "shared")}` })).toBe(
      path.join(root, "shared/oneoff.yaml"),
    );
  });

  /** Why readIfTrusted refuses `file` for `uid`, or undefined when it reads it. */
  const refusal = (file: string, uid: number) => {
    const result = readIfTrusted(file, uid);
    return "why" in result ? result.why : undefined;
  };

  it.each([
    [
      "a file owned by someone else",
      (file: string) => chownSync(file, stranger, stranger),
      () => `it is owned by uid ${stranger} (not you, nor root)`,
    ],
    ["a file anyone can write", (file: string) => chmodSync(file, 0o666), () => "it is writable by anyone"],
    // A shared deploy folder under umask 002: root:devs 0664 let any member of devs choose a
    // secrets: command that root ran.
    ["a file its group can write", (file: string) => chmodSync(file, 0o664), () => `it is writable by its group (gid 0)`],
    [
      "a folder owned by someone else",
      (file: string) => chownSync(path.dirname(file), stranger, stranger),
      () => `its folder ${path.join(root, "shop")} is owned by uid ${stranger} (not you, nor root)`,
    ],
    [
      "a folder its group can write (another member could swap the file between a check and the read)",
      (file: string) => chmodSync(path.dirname(file), 0o775),
      () => `its folder ${path.join(root, "shop")} is writable by its group (gid 0)`,
    ],
    [
      "a folder further up that its group can write (a member could rename the folders below)",
      (file: string) => chmodSync(path.dirname(path.dirname(file)), 0o2775),
      () => `a folder above it, ${root} is writable by its group (gid 0)`,
    ],
    [
      "a folder further up that is a link",
      (file: string) => {
        mkdirSync(path.join(root, "real"));
        writeFileSync(path.join(root, "real", "oneoff.yaml"), "");
        symlinkSync(path.join(root, "real"), path.join(root, "linked"));
        rmSync(file);
        symlinkSync(path.join(root, "linked", "oneoff.yaml"), file);
        chownSync(path.join(root, "real"), stranger, stranger);
      },
      () => `its folder ${path.join(root, "real")} is owned by uid ${stranger} (not you, nor root)`,
    ],
    [
      "a link to a file owned by someone else",
      (file: string) => {
        writeFileSync(path.join(root, "theirs.yaml"), "");
        chownSync(path.join(root, "theirs.yaml"), stranger, stranger);
        rmSync(file);
        symlinkSync(path.join(root, "theirs.yaml"), file);
      },
      () => `the file it links to (${path.join(root, "theirs.yaml")}) is owned by uid ${stranger} (not you, nor root)`,
    ],
    [
      "a link its group may write to",
      (file: string) => {
        mkdirSync(path.join(root, "group-folder"), { mode: 0o775 });
        chmodSync(path.join(root, "group-folder"), 0o775);
        writeFileSync(path.join(root, "group-folder", "oneoff.yaml"), "");
        rmSync(file);
        symlinkSync(path.join(root, "group-folder", "oneoff.yaml"), file);
      },
      () => `its folder ${path.join(root, "group-folder")} is writable by its group (gid 0)`,
    ],
  ])("refuses %s", async (_, plant, reason) => {
    writeTree({ "shop/oneoff.yaml": "" });
    const file = path.join(root, "shop/oneoff.yaml");
    plant(file);
    expect(refusal(file, me)).toBe(reason());
  });

  it("trusts a file of this user's in a folder of this user's (below root's sticky /tmp), and one of root's", async () => {
    writeTree({ "shop/oneoff.yaml": "app: shop\n" });
    expect(readIfTrusted(path.join(root, "shop/oneoff.yaml"), me)).toEqual({ text: "app: shop\n" });
    expect(refusal(path.join(root, "shop/oneoff.yaml"), stranger)).toBe(
      me === 0 ? undefined : `a folder above it, ${root} is owned by uid ${me} (not you, nor root)`,
    );
  });

  it("refuses a group-writable oneoff.yaml found by looking up, before its secrets: command runs", async () => {
    writeTree({ "deploy/oneoff.yaml": "secrets:\n  x:\n    command: touch planted\n", "deploy/app/.keep": "" });
    chmodSync(path.join(root, "deploy"), 0o2775);
    await expect(loadAppConfig(undefined, path.join(root, "deploy/app"), {})).rejects.toThrow(
      `${path.join(root, "deploy/oneoff.yaml")}: found by looking up from ${path.join(root, "deploy/app")}, but its folder ${path.join(root, "deploy")} is writable by its group (gid 0); not used`,
    );
  });

  it("refuses a found Procfile that others can write, with no oneoff.yaml and beside one", async () => {
    writeTree({ "shop/Procfile": "web: planted\n" });
    chmodSync(path.join(root, "shop"), 0o1777);
    await expect(loadAppConfig(undefined, path.join(root, "shop"), {})).rejects.toThrow(
      `${path.join(root, "shop/Procfile")}: found in ${path.join(root, "shop")} (its process types become tasks), but its folder ${path.join(root, "shop")} is writable by anyone; not used`,
    );
    chmodSync(path.join(root, "shop"), 0o755);
    writeTree({ "shop/oneoff.yaml": "app: shop\n" });
    chmodSync(path.join(root, "shop/Procfile"), 0o666);
    await expect(loadAppConfig(undefined, path.join(root, "shop"), {})).rejects.toThrow(
      `${path.join(root, "shop/Procfile")}: found in ${path.join(root, "shop")} (its process types become tasks), but it is writable by anyone; not used`,
    );
    // Trusted by name, it is used.
    const config = await loadAppConfig(undefined, path.join(root, "shop"), { ONEOFF_TRUSTED_DIRS: path.join(root, "shop") });
    expect(config?.tasks.web?.command).toBeDefined();
  });
});

describe("loadAppConfig", () => {
  it("returns no config when there is no config file", async () => {
    writeTree({ "shop/.keep": "" });
    expect(await loadAppConfig(undefined, path.join(root, "shop"), {})).toBeUndefined();
  });

  it("loads the nearest config file, naming the app after its directory", async () => {
    writeTree({ "shop/oneoff.yaml": "image: shop\n", "shop/lib/tasks/.keep": "" });
    const config = await loadAppConfig(undefined, path.join(root, "shop/lib/tasks"), {});
    expect(config?.path).toBe(path.join(root, "shop/oneoff.yaml"));
    expect(config?.dir).toBe(path.join(root, "shop"));
    expect(config?.app).toBe("shop");
    expect(config?.base.settings.image).toBe("shop");
  });

  it.each([
    ["relative when the file is in the working directory", "shop", "oneoff.yaml"],
    ["absolute when the file is in a parent directory", "shop/lib/tasks", "<root>/shop/oneoff.yaml"],
  ])("locates errors with the config path %s", async (_name, cwd, shown) => {
    writeTree({ "shop/oneoff.yaml": "image: shop\nnetwrok: x\n", "shop/lib/tasks/.keep": "" });
    expect((await loadError(undefined, path.join(root, cwd))).message).toBe(`${shown.replace("<root>", root)}:2:1: netwrok: unknown key`);
  });

  it("locates errors in a --config below the working directory with its relative path", async () => {
    writeTree({ "shop/deploy/staging.yaml": "netwrok: x\n" });
    expect((await loadError("deploy/staging.yaml", path.join(root, "shop"))).message).toBe(
      `${path.join("deploy", "staging.yaml")}:1:1: netwrok: unknown key`,
    );
  });

  it("reads --config relative to the working directory", async () => {
    writeTree({ "shop/deploy/staging.yaml": "app: shop-staging\n", "shop/oneoff.yaml": "app: wrong\n" });
    const config = await loadAppConfig("deploy/staging.yaml", path.join(root, "shop"), {});
    expect(config?.app).toBe("shop-staging");
    expect(config?.dir).toBe(path.join(root, "shop/deploy"));
  });

  it.each([
    ["a missing file", "missing.yaml", "no such file"],
    ["a directory", "deploy", "is a directory"],
  ])("refuses a --config naming %s", async (_name, explicitPath, why) => {
    writeTree({ "shop/deploy/.keep": "" });
    const error = await loadError(explicitPath, path.join(root, "shop"));
    expect(error.message).toBe(`--config: cannot read ${path.join(root, "shop", explicitPath)}: ${why}`);
    expect(error.hint).toBe("check the path");
    expect(error.exitCode).toBe(125);
  });

  it("interpolates with the environment it is given", async () => {
    writeTree({ "shop/oneoff.yaml": "image: ${REGISTRY}/shop\n" });
    expect((await loadAppConfig(undefined, path.join(root, "shop"), { REGISTRY: "r.example.com" }))?.base.settings.image).toBe(
      "r.example.com/shop",
    );
  });

  describe("env_file", () => {
    it.each([
      ["env: before env_file:", "env:\n  SHARED: from-env\n  ONLY_ENV: e\nenv_file: [first.env, second.env]\n"],
      ["env_file: before env:", "env_file: [first.env, second.env]\nenv:\n  SHARED: from-env\n  ONLY_ENV: e\n"],
    ])("lets later files win and env: win over all files, with %s", async (_name, yaml) => {
      writeTree({
        "shop/oneoff.yaml": yaml,
        "shop/first.env": "SHARED=from-first\nFIRST_ONLY=1\nFILES=from-first\n",
        "shop/second.env": "SHARED=from-second\nFILES=from-second\n",
      });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), {}))).toEqual({
        SHARED: "from-env",
        ONLY_ENV: "e",
        FIRST_ONLY: "1",
        FILES: "from-second",
      });
    });

    it("reads env_file alone when there is no env:", async () => {
      writeTree({ "shop/oneoff.yaml": "env_file: .env\n", "shop/.env": "A=1\n" });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), {}))).toEqual({ A: "1" });
    });

    it("resolves relative env_file paths against the config file's directory, not the working directory", async () => {
      writeTree({
        "shop/oneoff.yaml": "env_file: config/app.env\n",
        "shop/config/app.env": "WHERE=config-dir\n",
        "shop/lib/config/app.env": "WHERE=working-dir\n",
      });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop/lib"), {}))).toEqual({ WHERE: "config-dir" });
    });

    it("reads an absolute env_file path as is", async () => {
      writeTree({ "elsewhere/secrets.env": "SECRET=s\n" });
      writeTree({ "shop/oneoff.yaml": `env_file: ${path.join(root, "elsewhere/secrets.env")}\n` });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), {}))).toEqual({ SECRET: "s" });
    });

    it("interpolates the env_file path", async () => {
      writeTree({ "shop/oneoff.yaml": "env_file: ${STAGE}.env\n", "shop/staging.env": "STAGE_FILE=yes\n" });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), { STAGE: "staging" }))).toEqual({ STAGE_FILE: "yes" });
    });

    it("takes a bare KEY in an env file from the given environment and leaves it out when unset", async () => {
      writeTree({ "shop/oneoff.yaml": "env_file: .env\n", "shop/.env": "FROM_HOST\nNOT_ON_HOST\n" });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), { FROM_HOST: "h" }))).toEqual({ FROM_HOST: "h" });
    });

    it("does not interpolate values inside env files", async () => {
      writeTree({ "shop/oneoff.yaml": "env_file: .env\n", "shop/.env": "RAW=${NOT_SET}\n" });
      expect(appEnv(await loadAppConfig(undefined, path.join(root, "shop"), {}))).toEqual({ RAW: "${NOT_SET}" });
    });

    it("folds a task's env_file into that task's env only, under the task's env:", async () => {
      writeTree({
        "shop/oneoff.yaml": [
          "env:",
          "  APP_LEVEL: app",
          "tasks:",
          "  seed:",
          "    env:",
          "      SHARED: from-task-env",
          "    env_file: [seed.env, seed-local.env]",
          "    command: bin/seed",
          "  other: bin/other",
        ].join("\n"),
        "shop/seed.env": "SHARED=from-seed-file\nSEED_FILE=1\nLOCAL=from-seed\n",
        "shop/seed-local.env": "LOCAL=from-seed-local\n",
      });
      const config = await loadAppConfig(undefined, path.join(root, "shop"), {});
      expect(taskEnv(config, "seed")).toEqual({ SHARED: "from-task-env", SEED_FILE: "1", LOCAL: "from-seed-local" });
      expect(appEnv(config)).toEqual({ APP_LEVEL: "app" });
      expect(taskEnv(config, "other")).toEqual({});
    });

    it("gives a task an env from its env_file even without env:", async () => {
      writeTree({ "shop/oneoff.yaml": "tasks:\n  seed:\n    command: bin/seed\n    env_file: seed.env\n", "shop/seed.env": "SEED=1\n" });
      expect(taskEnv(await loadAppConfig(undefined, path.join(root, "shop"), {}), "seed")).toEqual({ SEED: "1" });
    });

    it("refuses a missing env file, naming where the config refers to it", async () => {
      writeTree({ "shop/oneoff.yaml": "image: shop\nenv_file: config/nope.env\n" });
      const error = await loadError(undefined, path.join(root, "shop"));
      expect(error.message).toBe(`oneoff.yaml:2:11: cannot read ${path.join(root, "shop/config/nope.env")}: no such file`);
      expect(error.hint).toBe("check the path");
      expect(error.exitCode).toBe(125);
    });

    it("refuses a broken env file, naming the file and line", async () => {
      writeTree({
        "shop/oneoff.yaml": "env_file: [good.env, broken.env]\n",
        "shop/good.env": "A=1\n",
        "shop/broken.env": "OK=1\n\nbad key=1\n",
      });
      const error = await loadError(undefined, path.join(root, "shop"));
      expect(error.message).toBe(`${path.join(root, "shop/broken.env")}:3: variable name "bad key" contains whitespace`);
      expect(error.hint).toBe("write KEY=VALUE, one per line");
      expect(error.exitCode).toBe(125);
    });
  });
});

describe("readEnvFile", () => {
  it("reads a compose env file with dotenv's quoting", async () => {
    writeTree({ "app.env": "export A=1\nB='two words'\n" });
    expect(readEnvFile(path.join(root, "app.env"), {}, "env_file: app.env")).toEqual({ A: "1", B: "two words" });
  });

  it("reads --env-file's files as docker writes them, a layer each, and refuses compose's export in one line", async () => {
    writeTree({ "flags.env": "A=1\nB='two words'\nFROM_HERE\nUNSET_HERE\n", "export.env": "export A=1\n" });
    expect(settingFileLayers({ envFile: ["flags.env"] }, root, { FROM_HERE: "h" })).toEqual([
      { source: "--env-file flags.env", settings: { env: { A: "1", B: "'two words'", FROM_HERE: "h" } } },
    ]);
    expect(() => settingFileLayers({ envFile: ["export.env"] }, root, {})).toThrow(
      /export\.env:1: variable "export A" contains whitespace/,
    );
  });

  it("names what referred to a file it cannot read", async () => {
    let error: unknown;
    try {
      settingFileLayers({ envFile: ["absent.env"] }, root, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OneoffError);
    expect((error as OneoffError).message).toBe(`--env-file absent.env: cannot read ${path.join(root, "absent.env")}: no such file`);
  });
});
