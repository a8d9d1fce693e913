/**
 * A compose service as compose itself reads it (`--service web`), the compose project's files
 * found and read from disk: the files (-f / --compose, COMPOSE_FILE, else compose.yaml and the
 * like with their override file), the project directory's `.env`, `include:`d files, `extends`,
 * the files merged in order (compose-merge.ts), then the service's env_files. With load.ts,
 * the part of config/ that touches the filesystem.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { isMap, isSeq } from "yaml";
import { OneoffError } from "../output/errors.js";
import type { SettingsLayer } from "../types/config.js";
import { composeNaming, readComposeFile, type ComposeFile, type ComposeNaming } from "./compose-file.js";
import { servicePart, type ServicePart } from "./compose.js";
import { mergeServicePart, mergeServiceParts } from "./compose-merge.js";
import type { Environment } from "./interpolate.js";
import { displayPathOf, readEnvFile, readText } from "./load.js";
import { readFoundFile } from "./found-file.js";
import { composeSecrets } from "./compose-secrets.js";

/** The files compose looks for, in its order (v2), and the override it adds to the first found. */
const COMPOSE_FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"] as const;
const COMPOSE_OVERRIDE_NAMES = [
  "compose.override.yml",
  "compose.override.yaml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
] as const;

export interface ComposeService {
  layer: SettingsLayer;
  /** When the service has no image: the names compose (v2, then v1) gives the image it builds. */
  builtImageNames: string[];
  project: string;
  /** The files read, in order (for reports). */
  files: string[];
}

/**
 * Which compose files make the project, as compose picks them: the ones given (--compose,
 * compose: in oneoff.yaml, relative to the working directory), else COMPOSE_FILE (split on
 * COMPOSE_PATH_SEPARATOR, default ":"), else the first of compose.yaml, compose.yml,
 * docker-compose.yml, docker-compose.yaml in `dirs`, with the first override file beside it.
 * An override is added only in that last case, as compose does.
 */
function chooseComposeFiles(
  given: readonly string[],
  env: Environment,
  dirs: readonly string[],
  cwd: string,
  exists: (file: string) => boolean = existsSync,
): string[] {
  if (given.length) return given.map((file) => path.resolve(cwd, file));
  const fromEnv = env.COMPOSE_FILE?.trim();
  if (fromEnv) {
    return fromEnv
      .split(env.COMPOSE_PATH_SEPARATOR || ":")
      .filter(Boolean)
      .map((file) => path.resolve(cwd, file));
  }
  for (const dir of dirs) {
    const main = COMPOSE_FILE_NAMES.map((name) => path.join(dir, name)).find(exists);
    if (!main) continue;
    const override = COMPOSE_OVERRIDE_NAMES.map((name) => path.join(dir, name)).find(exists);
    return override ? [main, override] : [main];
  }
  return [];
}

export function loadComposeService(
  given: readonly string[],
  service: string,
  dirs: readonly string[],
  cwd: string,
  env: Environment,
): ComposeService {
  const files = chooseComposeFiles(given, env, dirs, cwd);
  if (!files.length) {
    throw new OneoffError(`--service ${service}: no compose file (${COMPOSE_FILE_NAMES.join(", ")}) here`, {
      hint: "pass --compose FILE, or set COMPOSE_FILE",
    });
  }
  // A project found by looking (no --compose, compose: or COMPOSE_FILE) chooses the image,
  // entrypoint and bind mounts of a one-off that runs with the operator's values: each of its
  // files (with its .env, include:s, extends and env_files) is read only when it can be
  // trusted, as a found oneoff.yaml is. Files the user named are the user's choice.
  const found = !given.length && !env.COMPOSE_FILE?.trim();
  const how = `found for --service ${service} by looking in ${[...new Set(dirs)].join(", ")}`;
  const textOf = (file: string, referencedFrom: string, nameItWith?: string) =>
    found ? readFoundFile(file, { how, nameItWith }, env) : readText(file, referencedFrom);
  // The project directory is the first file's; its .env counts under the invoking environment
  // (and may name the project: COMPOSE_PROJECT_NAME).
  const projectDir = path.dirname(files[0] as string);
  const dotenvPath = path.join(projectDir, ".env");
  const dotenvFrom = displayPathOf(dotenvPath, cwd);
  const interpolationEnv = {
    ...(existsSync(dotenvPath) ? readEnvFile(dotenvPath, env, dotenvFrom, textOf(dotenvPath, dotenvFrom)) : {}),
    ...env,
  };
  const read = (file: string, referencedFrom: string) =>
    readComposeFile(textOf(file, referencedFrom, "--compose"), {
      path: file,
      displayPath: displayPathOf(file, cwd),
      env: interpolationEnv,
    });
  const main = files.map((file) => read(file, given.length ? "--compose" : env.COMPOSE_FILE ? "COMPOSE_FILE" : "compose file"));
  const included = main.flatMap((file) => includedFiles(file, read));
  const naming = composeNaming([...included, ...main], interpolationEnv.COMPOSE_PROJECT_NAME?.trim() || undefined);

  const resolved = (within: readonly ComposeFile[]) =>
    within.flatMap((file) => {
      const part = servicePart(file, service, naming, interpolationEnv);
      return part ? [withExtends(file, part, naming, interpolationEnv, read, [`${file.path}#${service}`])] : [];
    });
  let parts = resolved(main);
  if (!parts.length) parts = resolved(included);
  if (!parts.length) {
    const names = [...new Set([...main, ...included].flatMap((file) => [...file.services.keys()]))];
    const first = main[0] as ComposeFile;
    throw first.reader.error(
      first.top.services?.value ?? null,
      "services",
      `no service named ${service}${main.length > 1 ? ` in ${main.map((file) => file.displayPath).join(", ")}` : ""}`,
      names.length ? `services: ${names.join(", ")}` : "define it under services:",
    );
  }
  const merged = mergeServiceParts(parts);
  const fromFiles: Record<string, string> = {};
  for (const envFile of merged.envFiles) {
    if (!envFile.required && !existsSync(envFile.path)) continue;
    const from = `${main[0]?.displayPath ?? "compose"} env_file`;
    Object.assign(fromFiles, readEnvFile(envFile.path, interpolationEnv, from, textOf(envFile.path, from)));
  }
  const secrets = composeSecrets(merged.secrets, [...included, ...main], interpolationEnv, existsSync);
  const settings = { ...merged.settings, env: { ...fromFiles, ...merged.settings.env } };
  // A service on no network of its own is on the project's default network.
  if (settings.network === undefined) settings.network = [naming.realName("networks", "default")];
  return {
    layer: {
      source: `${main.map((file) => file.displayPath).join(" + ")} service ${service}`,
      settings,
      secrets,
    },
    builtImageNames: settings.release || !merged.hasBuild ? [] : [`${naming.project}-${service}`, `${naming.project}_${service}`],
    project: naming.project,
    files,
  };
}

/** The files a compose file's `include:` names (a path, a list of paths, or {path: ...}), and theirs. */
function includedFiles(file: ComposeFile, read: (file: string, from: string) => ComposeFile, seen = new Set<string>()): ComposeFile[] {
  const node = file.top.include?.value ?? null;
  if (!node) return [];
  const { reader } = file;
  const items = isSeq(node) ? node.items.map((item) => reader.deref(item)) : [node];
  const paths = items
    .flatMap((item, i) => {
      if (!isMap(item)) return reader.stringList(item, `include[${i}]`);
      const entry = reader.entries(item, `include[${i}]`, ["path", "project_directory", "env_file"]).find(([key]) => key === "path");
      if (!entry) throw reader.error(item, `include[${i}]`, "an include needs a path", "write include: [FILE] or [{path: FILE}]");
      return reader.stringList(entry[1], `include[${i}].path`);
    })
    .map((entry) => path.resolve(file.dir, entry));
  return paths.flatMap((included) => {
    if (seen.has(included))
      throw reader.error(node, "include", `${included} is included twice (or includes itself)`, "include each file once");
    seen.add(included);
    const loaded = read(included, `${file.displayPath} include`);
    return [...includedFiles(loaded, read, seen), loaded];
  });
}

/** The part with what it `extends` under it (from the same file or another), recursively. */
function withExtends(
  file: ComposeFile,
  part: ServicePart,
  naming: ComposeNaming,
  env: Environment,
  read: (file: string, from: string) => ComposeFile,
  chain: string[],
): ServicePart {
  const parent = part.extends;
  if (!parent) return part;
  const baseFile = parent.file ? read(parent.file, `${parent.at} extends`) : file;
  const key = `${baseFile.path}#${parent.service}`;
  if (chain.includes(key)) {
    throw new OneoffError(`${parent.at}: extends: ${[...chain, key].map((link) => link.split("#")[1]).join(" -> ")} is a loop`, {
      hint: "make the chain of extends end at a service that extends nothing",
    });
  }
  const base = servicePart(baseFile, parent.service, naming, env);
  if (!base) {
    throw new OneoffError(`${parent.at}: extends: no service named ${parent.service} in ${baseFile.displayPath}`, {
      hint: `services there: ${[...baseFile.services.keys()].join(", ") || "none"}`,
    });
  }
  const { extends: _done, ...own } = part;
  return mergeServicePart(withExtends(baseFile, base, naming, env, read, [...chain, key]), own);
}
