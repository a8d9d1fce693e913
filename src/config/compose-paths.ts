/**
 * The host paths a compose file names (env_file, bind sources, extends and secret files), as
 * compose resolves them: relative to the file's folder, and `~` at the start as the invoking
 * user's HOME (compose v1 and v2 both expand it). Pure: HOME comes with the environment.
 */
import path from "node:path";
import type { Node } from "yaml";
import { isMap, isSeq } from "yaml";
import type { Environment } from "./interpolate.js";
import type { YamlReader } from "./yaml-reader.js";

/** An env_file entry: where, and whether a missing file is an error (compose's `required:`). */
export interface EnvFileRef {
  path: string;
  required: boolean;
}

/** Where a compose file's paths start: its folder, and HOME for `~`. */
export interface PathBase {
  dir: string;
  env: Environment;
}

/**
 * `written` as an absolute path. `~/x` and `~` are under HOME; `~name/x` is refused: compose
 * v1 takes it as name's home, v2 as a folder `name` under HOME, so no answer is compose's.
 */
export function composePath(reader: YamlReader, node: Node | null, at: string, base: PathBase, written = reader.string(node, at)): string {
  if (!written.startsWith("~")) return path.resolve(base.dir, written);
  if (written !== "~" && !written.startsWith("~/"))
    throw reader.error(
      node,
      at,
      `${written.split("/")[0]} is another user's home, which compose v1 and v2 read differently`,
      "write the full path",
    );
  const home = base.env.HOME;
  if (!home) throw reader.error(node, at, `${written} needs HOME, which is not set`, "set HOME, or write the full path");
  return path.join(home, written.slice(1));
}

/** env_file as a path, a list of paths, or a list of {path, required} (compose's long form). */
export function envFileRefs(reader: YamlReader, node: Node | null, at: string, base: PathBase): EnvFileRef[] {
  if (!isSeq(node)) return [{ path: composePath(reader, node, at, base), required: true }];
  return node.items.map((item, i) => {
    const resolved = reader.deref(item);
    const where = `${at}[${i}]`;
    if (!isMap(resolved)) return { path: composePath(reader, resolved, where, base), required: true };
    const fields = Object.fromEntries(reader.entries(resolved, where, ["path", "required", "format"]).map(([key, value]) => [key, value]));
    return {
      path: composePath(reader, fields.path ?? null, `${where}.path`, base),
      required: fields.required ? reader.boolean(fields.required, `${where}.required`) : true,
    };
  });
}
