/**
 * Finding and reading config files, and the files flags name (--env-file, --label-file): with
 * compose-project.ts (compose files), the only part of config/ that touches the filesystem.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { OneoffError } from "../output/errors.js";
import { configError } from "./errors.js";
import { DotenvError, parseComposeEnvFile } from "./dotenv.js";
import { parseProcfile, ProcfileError } from "./procfile.js";
import { readFoundFile } from "./found-file.js";
import type { Environment } from "./interpolate.js";
import type { AppConfig, ProcessSettings, SettingsLayer } from "../types/config.js";
import type { RunOptions } from "../types/options.js";
import { isProblem, type AnyRow, type ParseContext } from "../settings/row.js";
import { SETTINGS } from "../settings/table.js";

const CONFIG_FILE_NAMES = ["oneoff.yaml", "oneoff.yml"] as const;

/**
 * Like compose, look in the working directory and then in each parent. A file found this way
 * is used only when it can be trusted (found-file.ts): a oneoff.yaml is code, since its
 * secrets: commands run here and its engine receives those secrets.
 */
export function findConfigFile(cwd: string, env: Environment = {}): string | undefined {
  return findAndReadConfigFile(cwd, env)?.path;
}

function findAndReadConfigFile(cwd: string, env: Environment): { path: string; text: string } | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (!existsSync(candidate)) continue;
      const finding = { how: `found by looking up from ${path.resolve(cwd)}`, nameItWith: "--config" };
      return { path: candidate, text: readFoundFile(candidate, finding, env) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The app's config: from `explicitPath` (--config), else the nearest oneoff.yaml, else none
 * (a one-off can run from flags alone). env_file contents are folded in under `env:`. The YAML
 * parser (and the yaml package, ~20 ms to load) is imported only when there is a file to read.
 */
export async function loadAppConfig(explicitPath: string | undefined, cwd: string, env: Environment): Promise<AppConfig | undefined> {
  const found =
    explicitPath === undefined
      ? findAndReadConfigFile(cwd, env)
      : { path: path.resolve(cwd, explicitPath), text: readText(path.resolve(cwd, explicitPath), "--config") };
  if (found === undefined) {
    // A Procfile alone is an app too: its process types are the tasks.
    const procfile = path.join(path.resolve(cwd), "Procfile");
    if (!existsSync(procfile)) return undefined;
    const dir = path.resolve(cwd);
    const config: AppConfig = { dir, app: path.basename(dir), base: { source: "defaults", settings: {} }, envFileLayers: [], tasks: {} };
    addProcfileTasks(config, procfile, cwd, env);
    return config;
  }
  const { path: configPath, text } = found;
  const displayPath = displayPathOf(configPath, cwd);
  const { parseConfigFile } = await import("./file.js");
  const { config, envFiles } = parseConfigFile(text, { path: configPath, displayPath, env });
  for (const file of envFiles) {
    const filePath = path.resolve(config.dir, file.value);
    const layer = { source: displayPathOf(filePath, cwd), settings: { env: readEnvFile(filePath, env, file.location) } };
    // Later files win over earlier ones (layer order), and `env:` wins over all of them.
    if (file.task === undefined) config.envFileLayers.push(layer);
    else config.tasks[file.task]?.envFileLayers.push(layer);
  }
  const procfile = path.join(config.dir, "Procfile");
  if (existsSync(procfile)) addProcfileTasks(config, procfile, cwd, env);
  return config;
}

/**
 * Process types become tasks, unless oneoff.yaml defines a task of the same name. A Procfile
 * is found, never named, so it is trusted as a found oneoff.yaml is.
 */
function addProcfileTasks(config: AppConfig, procfile: string, cwd: string, env: Environment): void {
  const displayPath = displayPathOf(procfile, cwd);
  const text = readFoundFile(procfile, { how: `found in ${path.dirname(procfile)} (its process types become tasks)` }, env);
  try {
    for (const task of parseProcfile(text, displayPath)) config.tasks[task.name] ??= task;
  } catch (error) {
    if (error instanceof ProcfileError)
      throw configError(`${displayPath}:${error.line}`, undefined, error.message, "write one process type per line: name: command");
    throw error;
  }
}

/** Short when the file is here or below; absolute when a relative path would climb out. */
export function displayPathOf(filePath: string, cwd: string): string {
  const relative = path.relative(cwd, filePath);
  return relative && !relative.startsWith("..") ? relative : filePath;
}

/**
 * Reads a compose env file (oneoff.yaml's and compose's env_file:, a compose project's .env:
 * dotenv.ts), or parses its `text`, read already; errors name `referencedFrom` (a config
 * location). --env-file's files are docker's format, read as the env row reads them
 * (settingFileLayers).
 */
export function readEnvFile(
  filePath: string,
  env: Environment,
  referencedFrom: string,
  text = readText(filePath, referencedFrom),
): Record<string, string> {
  try {
    return parseComposeEnvFile(text, env);
  } catch (error) {
    if (error instanceof DotenvError)
      throw configError(`${filePath}:${error.line}`, undefined, error.message, "write KEY=VALUE, one per line");
    throw error;
  }
}

export function readText(filePath: string, referencedFrom: string): string {
  try {
    return readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : String(code ?? error);
    throw new OneoffError(`${referencedFrom}: cannot read ${filePath}: ${why}`, { hint: "check the path" });
  }
}

/** A row with a file flag (--label-file, --env-file). */
type FileRow = AnyRow & { file: NonNullable<AnyRow["file"]> };

/** The entries of the files a row's file flag names, read as the row reads them, or its line at fault as one error. */
function fileEntries(row: FileRow, file: string, cwd: string, context: ParseContext): string[] {
  const { flag, entries, lines } = row.file;
  const filePath = path.resolve(cwd, file);
  const found = entries(readText(filePath, `${flag} ${file}`), context);
  if (Array.isArray(found)) return found;
  throw configError(
    `${filePath}:${found.line}`,
    undefined,
    found.problem,
    `write ${lines ?? `KEY=VALUE, one per line, as docker run ${flag} reads it`}`,
  );
}

/** The rows with a file flag, and the files given for each. */
function rowFiles(options: RunOptions): Array<[FileRow, string[]]> {
  const given = options as Record<string, unknown>;
  return SETTINGS.flatMap((row): Array<[FileRow, string[]]> => {
    const files = row.file ? (given[`${row.name}File`] as string[] | undefined) : undefined;
    return row.file && files?.length ? [[row as FileRow, files]] : [];
  });
}

/**
 * The options with the files a settings row's file flag names (--label-file) read, as the
 * row's parser of such a file reads them (settings/label-row.ts: as docker reads them), their
 * entries put before the flag's own, so `--label` wins over `--label-file`, as with docker. A
 * row whose files are layers of their own (--env-file) is left to settingFileLayers.
 */
export function withSettingFiles(options: RunOptions, cwd: string, env: Environment = {}): RunOptions {
  const given = options as Record<string, unknown>;
  const read: Record<string, string[]> = {};
  for (const [row, files] of rowFiles(options)) {
    if (row.file.ownLayers) continue;
    const fromFiles = files.flatMap((file) => fileEntries(row, file, cwd, { env }));
    read[row.name] = [...fromFiles, ...((given[row.name] as string[] | undefined) ?? [])];
  }
  return Object.keys(read).length ? { ...options, ...read } : options;
}

/**
 * The files of a row's file flag whose files are layers of their own (--env-file: docker's
 * format, a bare NAME taking `env`'s value), a layer each, in order, named `FLAG FILE`: under the
 * flags', so -e wins over --env-file, as with docker.
 */
export function settingFileLayers(options: RunOptions, cwd: string, env: Environment): SettingsLayer[] {
  return rowFiles(options).flatMap(([row, files]) =>
    row.file.ownLayers
      ? files.map((file): SettingsLayer => {
          const parsed = (row.parse as (given: string[], context: ParseContext) => unknown)(fileEntries(row, file, cwd, { env }), { env });
          // The file's reader checked each line as the parser would: a problem left is the parser's own.
          if (isProblem(parsed))
            throw new OneoffError(`${row.file.flag} ${file}: ${parsed.problem}`, parsed.hint ? { hint: parsed.hint } : {});
          return { source: `${row.file.flag} ${file}`, settings: { [row.name]: parsed } as Partial<ProcessSettings> };
        })
      : [],
  );
}
