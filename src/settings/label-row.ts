/**
 * -l/--label and --label-file: the user's labels, a row of settings/table.ts. Layers merge them
 * key by key (the image's, compose's or oneoff.yaml's, --from's, ONEOFF_LABELS, the flags), as
 * docker and compose do. Pure.
 */
import { keyValueFileLines } from "./key-value-file.js";
import { userKeyed } from "../formats/user-keys.js";
import { Problem, type SettingRow } from "./row.js";

/**
 * oneoff's own labels start with this (requests/labels.ts names them). It lives here, below
 * requests/ in the room order, because the row must tell the user's labels from oneoff's when it
 * reads a container back; requests/ merges oneoff's over the row's when it builds a request.
 */
export const LABEL_PREFIX = "io.oneoff.";

/**
 * Whether a label is an orchestrator's (compose, a Swarm stack, Swarm) or oneoff's: no setting
 * of the user's, so --from does not copy it and diff does not compare it (a one-off carrying
 * com.docker.compose.service=web would be taken for web).
 */
function isOrchestrationLabel(key: string): boolean {
  return key.startsWith(LABEL_PREFIX) || /^com\.docker\.(compose|stack|swarm)\./.test(key);
}

/** KEY=VALUE entries (a bare KEY is KEY=""), later entries winning, as docker's ConvertKVStringsToMap reads them. */
export function parseLabels(entries: readonly string[]): Record<string, string> | Problem {
  const labels = userKeyed();
  for (const [index, entry] of entries.entries()) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (name === "") return new Problem("missing label name", "use --label KEY=VALUE", { entry, index });
    labels[name] = eq < 0 ? "" : entry.slice(eq + 1);
  }
  return labels;
}

/**
 * A --label-file's entries, as the docker CLI reads the file (docker/cli opts/file.go): a UTF-8
 * BOM dropped; each line's leading whitespace dropped; blank lines and lines starting with `#`
 * skipped; the rest kept as written (quotes, a `#` after the start and trailing spaces are part
 * of the value). A name with a space or tab is refused, and a bare NAME (no `=`) is left out:
 * docker looks labels up nowhere. What is wrong is the line's number and why.
 */
function labelFileEntries(text: string): string[] | { line: number; problem: string } {
  const entries: string[] = [];
  for (const { number, line, name, value } of keyValueFileLines(text)) {
    if (name === "") return { line: number, problem: `no label name in "${line}"` };
    if (/[ \t]/.test(name)) return { line: number, problem: `label name "${name}" contains whitespace` };
    if (value !== undefined) entries.push(line);
  }
  return entries;
}

/**
 * The user's labels: Config.Labels of the create body, under oneoff's own (requests/create-body.ts
 * merges those over them, so oneoff's win); read back less an orchestrator's and oneoff's. A
 * job's container carries them (its service carries oneoff's too: requests/service-spec.ts).
 */
export function labelRow(): SettingRow<"label"> {
  return {
    name: "label",
    shape: "map",
    flag: "--label",
    short: "-l",
    argument: "<key=value>",
    repeatable: true,
    help: "add a label to the container (repeatable)",
    example: "com.example.team=payments",
    compose: "labels",
    byKey: true,
    file: {
      flag: "--label-file",
      help: "read labels from a file of KEY=VALUE lines, under --label's (repeatable)",
      entries: labelFileEntries,
    },
    parse: (given) => parseLabels(given),
    api: {
      part: "Config",
      field: "Labels",
      // In the order given: a docker run line lists them as they were written.
      write: (labels) => ({ ...labels }),
      read: (value) => {
        const own = Object.entries(value && typeof value === "object" ? value : {}).filter(([key]) => !isOrchestrationLabel(key));
        return own.length ? userKeyed(own.map(([key, label]) => [key, String(label)] as const)) : undefined;
      },
    },
    words: (labels) => Object.entries(labels).map(([key, label]) => `${key}=${label}`),
    jobField: "Labels",
  };
}
