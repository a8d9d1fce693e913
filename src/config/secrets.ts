/**
 * `secrets:` in oneoff.yaml: named values taken at run time from the invoking environment, a
 * file or a command's output, delivered to the one-off as a file (default
 * /run/secrets/NAME, mode 0400, owned by its user) or as an environment variable. Pure:
 * reading the values is secret-values.ts's job.
 */
import path from "node:path";
import type { Node } from "yaml";
import { OneoffError } from "../output/errors.js";
import { envNameProblem } from "../formats/env-rules.js";
import type { Mount, SecretDefinition } from "../types/config.js";

export type { SecretDefinition };
import type { YamlReader } from "./yaml-reader.js";

const SECRET_KEYS = ["env", "file", "command", "as", "target", "variable"] as const;
const SOURCE_KEYS = ["env", "file", "command"] as const;
const SECRET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const DEFAULT_SECRETS_DIR = "/run/secrets";

export function readSecrets(reader: YamlReader, node: Node | null, dir: string): Record<string, SecretDefinition> {
  const secrets: Record<string, SecretDefinition> = {};
  for (const [name, value, nameNode] of reader.entries(node, "secrets")) {
    const keyPath = `secrets.${name}`;
    if (!SECRET_NAME.test(name))
      throw reader.error(nameNode, keyPath, `"${name}" is not a valid secret name`, "use letters, digits, _, . and -");
    const entries = reader.entries(value, keyPath, SECRET_KEYS);
    const sources = entries.filter(([key]) => (SOURCE_KEYS as readonly string[]).includes(key));
    if (sources.length !== 1) {
      throw reader.error(
        sources[1]?.[2] ?? nameNode,
        keyPath,
        sources.length ? "more than one source" : "no source",
        "give exactly one of env: VARIABLE, file: PATH or command: CMD",
      );
    }
    const [kind, sourceNode, sourceKey] = sources[0] as [(typeof SOURCE_KEYS)[number], Node | null, Node | null];
    const raw = reader.string(sourceNode, `${keyPath}.${kind}`);
    if (kind === "env" && envNameProblem(raw))
      throw reader.error(
        sourceNode,
        `${keyPath}.env`,
        `"${raw}" is not a variable name`,
        "name the variable that holds the secret, e.g. env: DB_PASSWORD",
      );
    const field = (key: string) => entries.find(([entry]) => entry === key);
    const asNode = field("as");
    const as = asNode ? reader.string(asNode[1], `${keyPath}.as`) : "file";
    if (as !== "file" && as !== "env")
      throw reader.error(asNode?.[1], `${keyPath}.as`, `"${as}" is not a delivery`, "use file (the default: /run/secrets/NAME) or env");
    const target = field("target");
    const variable = field("variable");
    if (as === "env" && target)
      throw reader.error(target[2], `${keyPath}.target`, "a target path is for as: file", "drop target:, or set as: file");
    if (as === "file" && variable)
      throw reader.error(variable[2], `${keyPath}.variable`, "a variable name is for as: env", "drop variable:, or set as: env");
    let delivery: SecretDefinition["delivery"];
    if (as === "env") {
      const variableName = variable ? reader.string(variable[1], `${keyPath}.variable`) : name.toUpperCase().replace(/[.-]/g, "_");
      const problem = envNameProblem(variableName);
      if (problem)
        throw reader.error(
          variable?.[1] ?? nameNode,
          `${keyPath}.variable`,
          problem,
          "give the variable name the app reads, e.g. variable: API_TOKEN",
        );
      delivery = { as: "env", variable: variableName };
    } else {
      const targetPath = target ? reader.string(target[1], `${keyPath}.target`) : `${DEFAULT_SECRETS_DIR}/${name}`;
      if (!targetPath.startsWith("/") || targetPath.endsWith("/"))
        throw reader.error(
          target?.[1],
          `${keyPath}.target`,
          `"${targetPath}" is not an absolute file path`,
          "give the full path of the file, such as /run/secrets/db_password",
        );
      delivery = { as: "file", target: path.posix.normalize(targetPath), at: reader.locationOf(target?.[2] ?? nameNode) };
    }
    secrets[name] = {
      name,
      source: { kind, value: kind === "file" ? path.resolve(dir, raw) : raw },
      sourceAt: `${reader.locationOf(sourceKey)}: ${keyPath}.${kind}`,
      delivery,
    };
  }
  return secrets;
}

/**
 * The secrets one one-off gets: all of the app's, unless its task lists some (`secrets: []`
 * gives none), as a compose service gets the secrets it lists; and those of the source it
 * comes from (a compose service's), unless oneoff.yaml names one the same. A file target must
 * not sit under a mount: a tmpfs hides it (the engine writes beneath it), a volume or bind
 * keeps it after the one-off is gone.
 */
export function chooseSecrets(
  all: Record<string, SecretDefinition> | undefined,
  taskSecrets: readonly string[] | undefined,
  mounts: readonly Mount[] | undefined,
  fromSource: readonly SecretDefinition[] = [],
): SecretDefinition[] {
  const own = taskSecrets
    ? taskSecrets.map((name) => all?.[name]).filter((secret): secret is SecretDefinition => secret !== undefined)
    : Object.values(all ?? {});
  const chosen = [...fromSource.filter((secret) => !all?.[secret.name]), ...own];
  const targets = new Map<string, string>();
  for (const secret of chosen) {
    if (secret.delivery.as !== "file") continue;
    const { target, at } = secret.delivery;
    const mount = mountHolding(target, mounts);
    if (mount)
      throw underMount(
        `${at}: secrets.${secret.name}.target: ${target} is under the ${mount.type} mounted at ${mount.target}`,
        mount,
        secret.name,
      );
    const other = targets.get(target);
    if (other)
      throw new OneoffError(`${at}: secrets.${secret.name}.target: ${target} is also the target of secret ${other}`, {
        hint: "give each secret its own target",
      });
    targets.set(target, secret.name);
  }
  return chosen;
}

/**
 * Where a secret's source is written (`oneoff.yaml:12:5`): how messages name a `command:`,
 * never quoted, since a command may hold a token itself (`VAULT_TOKEN=... vault kv get ...`).
 */
export function sourceLocation(secret: SecretDefinition): string {
  const key = `: secrets.${secret.name}.${secret.source.kind}`;
  return secret.sourceAt.endsWith(key) ? secret.sourceAt.slice(0, -key.length) : secret.sourceAt;
}

/** The mount `file` (an absolute path in the one-off) would land in, if any. */
export function mountHolding(file: string, mounts: readonly Mount[] | undefined): Mount | undefined {
  return (mounts ?? []).find((item) => file === item.target || file.startsWith(`${item.target.replace(/\/$/, "")}/`));
}

/** Why a secret file may not go into `mount`, as one error. */
export function underMount(what: string, mount: Mount, secretName: string): OneoffError {
  const why = mount.type === "tmpfs" ? "the tmpfs would hide the file" : `the file would outlive the one-off in that ${mount.type}`;
  return new OneoffError(`${what}: ${why}`, { hint: `choose a target outside it, such as ${DEFAULT_SECRETS_DIR}/${secretName}` });
}
