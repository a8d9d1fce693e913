/**
 * One compose file, parsed (its top-level sections and services, where it is), and how a
 * project of such files names its networks and volumes. Pure: text in.
 */
import path from "node:path";
import type { Node } from "yaml";
import { isMap, isScalar } from "yaml";
import type { Environment } from "./interpolate.js";
import { YamlReader } from "./yaml-reader.js";

/** One compose file, parsed: its top-level sections, its services, and where it is. */
export interface ComposeFile {
  path: string;
  dir: string;
  displayPath: string;
  reader: YamlReader;
  top: Record<string, { value: Node | null; keyNode: Node | null }>;
  services: Map<string, Node | null>;
}

/** How a project names its networks and volumes: `project_name`, unless `name:` or `external`. */
export interface ComposeNaming {
  project: string;
  realName(section: "networks" | "volumes", name: string): string;
}

/** compose's project name: -p / COMPOSE_PROJECT_NAME / name: / the directory, normalised. */
export function composeProjectName(explicit: string | undefined, topLevelName: string | undefined, dir: string): string {
  const raw = explicit ?? topLevelName ?? path.basename(dir);
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, "");
}

export function readComposeFile(text: string, options: { path: string; displayPath: string; env: Environment }): ComposeFile {
  const { reader, root } = YamlReader.parse(text, options.displayPath, options.env);
  const top = Object.fromEntries(reader.entries(root, "").map(([key, value, keyNode]) => [key, { value, keyNode }]));
  const services = new Map(top.services?.value ? reader.entries(top.services.value, "services").map(([name, node]) => [name, node]) : []);
  return { path: options.path, dir: path.dirname(options.path), displayPath: options.displayPath, reader, top, services };
}

/**
 * The naming of a project made of `files` (in order): the project name (COMPOSE_PROJECT_NAME,
 * else the last top-level `name:`, else the first file's directory), and each network's and
 * volume's name, the last file that declares it deciding (`name:`, `external: true`).
 */
export function composeNaming(files: readonly ComposeFile[], explicitProject: string | undefined): ComposeNaming {
  const declared = { networks: new Map<string, string>(), volumes: new Map<string, string>() };
  let topLevelName: string | undefined;
  for (const file of files) {
    const { reader, top } = file;
    if (top.name) topLevelName = reader.string(top.name.value, "name") || topLevelName;
    for (const section of ["networks", "volumes"] as const) {
      if (!top[section]?.value) continue;
      for (const [name, node] of reader.entries(top[section].value, section)) {
        if (!isMap(node)) continue;
        const fields = Object.fromEntries(reader.entries(node, `${section}.${name}`).map(([key, value]) => [key, value]));
        if (fields.name) declared[section].set(name, reader.string(fields.name, `${section}.${name}.name`));
        else if (fields.external && isScalar(fields.external) && fields.external.value === true) declared[section].set(name, name);
      }
    }
  }
  const project = composeProjectName(explicitProject, topLevelName, (files[0] as ComposeFile).dir);
  return { project, realName: (section, name) => declared[section].get(name) ?? `${project}_${name}` };
}
