/**
 * oneoff.yaml: the app's process settings and its named tasks. Pure: text in, AppConfig out;
 * env files are only listed here and read by load.ts.
 */
import path from "node:path";
import { type Node } from "yaml";
import { readCommand, readDuration, readTask, refuseBoth, type EnvFileEntry } from "./task-yaml.js";
import type { Environment } from "./interpolate.js";
import { CONSTRAINT_FIX, CONSTRAINT_PROBLEM, isConstraint, isDetachKeys } from "./value-rules.js";
import { closest } from "../formats/words.js";
import { readEnvironments } from "./environments-yaml.js";
import { YamlReader } from "./yaml-reader.js";
import { readSetting, SETTING_KEYS } from "./settings-yaml.js";
import { readHistoryKeep } from "./history-keep.js";
import { readRecord, readRecordLimit } from "./record-keys.js";
import { readSecrets } from "./secrets.js";
import { RUN_KIND_NAMES, PULL_POLICIES, type AppConfig, type RunKindName, type PullPolicy } from "../types/config.js";

const TOP_LEVEL_KEYS = [
  "app",
  ...SETTING_KEYS,
  "tasks",
  "pull",
  "timeout",
  "shell",
  "release_task",
  "detach_keys",
  "from",
  "compose",
  "service",
  "ledger_keep",
  "history_keep",
  "record",
  "record_limit",
  "engine",
  "constraints",
  "secrets",
  "environments",
] as const;

export interface ParsedConfigFile {
  config: AppConfig;
  /** env_file entries to read, in order, before `env:` (which wins over them). */
  envFiles: EnvFileEntry[];
}

export function parseConfigFile(text: string, options: { path: string; displayPath: string; env: Environment }): ParsedConfigFile {
  const { reader, root } = YamlReader.parse(text, options.displayPath, options.env);
  const dir = path.dirname(options.path);
  const envFiles: ParsedConfigFile["envFiles"] = [];
  if (root === null) {
    return {
      config: {
        path: options.path,
        dir,
        app: path.basename(dir),
        base: { source: options.displayPath, settings: {} },
        envFileLayers: [],
        tasks: {},
      },
      envFiles,
    };
  }

  const config: AppConfig = {
    path: options.path,
    dir,
    app: path.basename(dir),
    base: { source: options.displayPath, settings: {}, locations: {} },
    envFileLayers: [],
    tasks: {},
  };
  const entries = reader.entries(root, "", TOP_LEVEL_KEYS);
  let releaseTaskNode: Node | null = null;
  // Checked once the whole file is read: secrets: may come after tasks:.
  const taskSecretNodes = new Map<string, Node | null>();
  refuseBoth(reader, entries, "", "network", "networks");
  for (const [key, value, keyNode] of entries) {
    switch (key) {
      case "app":
        config.app = reader.string(value, key);
        if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(config.app)) {
          throw reader.error(value, key, `"${config.app}" is not a valid app name`, "use letters, digits, _, . and -");
        }
        break;
      case "tasks":
        for (const [name, taskNode, nameNode] of reader.entries(value, "tasks")) {
          config.tasks[name] = readTask(reader, name, taskNode, nameNode, envFiles, dir, taskSecretNodes);
        }
        break;
      case "pull": {
        const policy = reader.string(value, key);
        if (!PULL_POLICIES.includes(policy as PullPolicy))
          throw reader.error(value, key, `unknown pull policy "${policy}"`, `use one of ${PULL_POLICIES.join(", ")}`);
        config.pull = policy as PullPolicy;
        break;
      }
      case "env_file":
        for (const file of reader.stringList(value, key)) envFiles.push({ value: file, location: reader.locationOf(value) });
        break;
      case "shell":
        config.shell = readCommand(reader, value, key);
        break;
      case "timeout":
        config.timeoutMs = readDuration(reader, value, key);
        break;
      case "from":
        config.from = reader.string(value, key);
        break;
      case "ledger_keep": {
        const keep = reader.number(value, key);
        if (!Number.isInteger(keep) || keep < 1) throw reader.error(value, key, "must be a whole number of at least 1", "such as 50");
        config.ledgerKeep = keep;
        break;
      }
      case "history_keep":
        config.historyKeep = readHistoryKeep(reader, value, key);
        break;
      case "record":
        config.record = readRecord(reader, value, key);
        break;
      case "record_limit":
        config.recordLimitBytes = readRecordLimit(reader, value, key);
        break;
      case "engine": {
        const kind = reader.string(value, key);
        if (!RUN_KIND_NAMES.includes(kind as RunKindName))
          throw reader.error(value, key, `unknown engine "${kind}"`, `use one of ${RUN_KIND_NAMES.join(", ")}`);
        config.engine = kind as RunKindName;
        break;
      }
      case "constraints":
        config.constraints = reader.stringList(value, key);
        config.constraints.forEach((constraint, i) => {
          if (!isConstraint(constraint))
            throw reader.error(value, `${key}[${i}]`, `"${constraint}": ${CONSTRAINT_PROBLEM}`, CONSTRAINT_FIX);
        });
        break;
      case "compose":
        config.compose = reader.stringList(value, key).map((file) => path.resolve(dir, file));
        break;
      case "service":
        config.service = reader.string(value, key);
        break;
      case "detach_keys":
        config.detachKeys = reader.string(value, key);
        if (!isDetachKeys(config.detachKeys))
          throw reader.error(value, key, `"${config.detachKeys}" is not a key sequence`, "use docker's notation, e.g. ctrl-p,ctrl-q");
        break;
      case "secrets":
        config.secrets = readSecrets(reader, value, dir);
        break;
      case "release_task":
        config.releaseTask = reader.string(value, key);
        releaseTaskNode = value;
        break;
      case "environments":
        config.environments = readEnvironments(reader, value, (layer, settingKey, node, keyPath, settingKeyNode) =>
          readSetting(reader, layer, settingKey, node, keyPath, settingKeyNode, dir),
        );
        break;

      default:
        readSetting(reader, config.base, key, value, key, keyNode, dir);
    }
  }
  if (config.releaseTask !== undefined && !config.tasks[config.releaseTask]) {
    const suggestion = closest(config.releaseTask, Object.keys(config.tasks));
    throw reader.error(
      releaseTaskNode,
      "release_task",
      `no task named "${config.releaseTask}"`,
      suggestion ? `did you mean "${suggestion}"?` : "define it under tasks:",
    );
  }
  for (const [name, node] of taskSecretNodes) {
    const unknown = config.tasks[name]?.secrets?.find((secret) => !config.secrets?.[secret]);
    if (unknown !== undefined) {
      const suggestion = closest(unknown, Object.keys(config.secrets ?? {}));
      throw reader.error(
        node,
        `tasks.${name}.secrets`,
        `no secret named "${unknown}"`,
        suggestion ? `did you mean "${suggestion}"?` : "define it under secrets:",
      );
    }
  }
  return { config, envFiles };
}
