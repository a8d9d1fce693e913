/**
 * A compose service's `secrets:` as oneoff secrets: each names a top-level secret whose
 * `file:` oneoff reads here and writes into the one-off before it starts (at /run/secrets/NAME,
 * or `target:`), as compose gives its containers the file, but never as a bind of a host path
 * the engine's machine may lack. Pure but for whether a secret's file is there.
 */
import path from "node:path";
import type { Node } from "yaml";
import { isMap, isSeq } from "yaml";
import type { SecretDefinition } from "../types/config.js";
import type { ComposeFile } from "./compose-file.js";
import { composePath } from "./compose-paths.js";
import { DEFAULT_SECRETS_DIR } from "./secrets.js";
import type { Environment } from "./interpolate.js";
import type { YamlReader } from "./yaml-reader.js";

/** A secret a service lists: which top-level secret, where it goes, and where the entry is written. */
export interface ServiceSecretRef {
  source: string;
  target?: string;
  reader: YamlReader;
  node: Node | null;
  at: string;
}

/**
 * `- name` or `- {source, target, uid, gid, mode}`. uid, gid and mode are left aside, as
 * compose v1 leaves them (with a warning): the file is the one-off's user's, mode 0400.
 */
export function readServiceSecrets(reader: YamlReader, node: Node | null, at: string): ServiceSecretRef[] {
  if (!isSeq(node)) throw reader.error(node, at, "expected a list", "list the secrets by name: secrets: [db_password]");
  return node.items.map((item, i) => {
    const entry = reader.deref(item);
    const where = `${at}[${i}]`;
    if (!isMap(entry)) return { source: reader.string(entry, where), reader, node: entry, at: where };
    const fields = Object.fromEntries(
      reader.entries(entry, where, ["source", "target", "uid", "gid", "mode"]).map(([key, value]) => [key, value]),
    );
    if (!fields.source) throw reader.error(entry, where, "a secret needs a source", "write {source: NAME, target: FILE}");
    return {
      source: reader.string(fields.source, `${where}.source`),
      target: fields.target ? reader.string(fields.target, `${where}.target`) : undefined,
      reader,
      node: entry,
      at: where,
    };
  });
}

/** The keys of a top-level secret that oneoff reads or that change nothing for a file secret. */
const SECRET_KEYS = ["file", "environment", "external", "name", "labels"] as const;

/**
 * The service's secrets as oneoff secrets, each from the last file that defines it at the top
 * level (as compose takes them). A secret that is not defined, not a file, or whose file is
 * missing is refused in one located line.
 */
export function composeSecrets(
  refs: readonly ServiceSecretRef[],
  files: readonly ComposeFile[],
  env: Environment,
  exists: (file: string) => boolean,
): SecretDefinition[] {
  const defined = new Map<string, { file: ComposeFile; node: Node | null; nameNode: Node | null }>();
  for (const file of files) {
    const section = file.top.secrets?.value;
    if (section) for (const [name, node, nameNode] of file.reader.entries(section, "secrets")) defined.set(name, { file, node, nameNode });
  }
  return refs.map((ref) => {
    const definition = defined.get(ref.source);
    if (!definition)
      throw ref.reader.error(
        ref.node,
        ref.at,
        `no secret named ${ref.source} under the top-level secrets:`,
        `define it: secrets: {${ref.source}: {file: PATH}}`,
      );
    const { reader, dir } = definition.file;
    const keyPath = `secrets.${ref.source}`;
    const fields = new Map(reader.entries(definition.node, keyPath, SECRET_KEYS).map(([key, value, keyNode]) => [key, { value, keyNode }]));
    const refuse = (key: string, why: string, hint: string) =>
      reader.error(fields.get(key)?.keyNode ?? null, `${keyPath}.${key}`, why, hint);
    if (fields.has("environment"))
      throw refuse(
        "environment",
        "compose 1.29 has no environment secrets",
        "write the value to a file and name it with file:, or pass it with -e",
      );
    if (fields.has("external"))
      throw refuse("external", "an external secret lives in the Swarm, where oneoff cannot read it", "give the secret a file:");
    const fileField = fields.get("file");
    if (!fileField) throw reader.error(definition.nameNode, keyPath, "the secret has no file:", "give it one: file: ./secrets/NAME.txt");
    const source = composePath(reader, fileField.value, `${keyPath}.file`, { dir, env });
    if (!exists(source))
      throw reader.error(fileField.value, `${keyPath}.file`, `${source} does not exist`, `create it, or point file: at the secret's file`);
    const target = ref.target ?? ref.source;
    return {
      name: ref.source,
      source: { kind: "file", value: source },
      sourceAt: `${reader.locationOf(fileField.keyNode)}: ${keyPath}.file`,
      delivery: { as: "file", target: path.posix.resolve(DEFAULT_SECRETS_DIR, target), at: ref.reader.locationOf(ref.node) },
    };
  });
}
