/**
 * The first rows of settings/table.ts: who the command runs as, where it starts and what runs
 * it (--user, --workdir, --entrypoint), first on the docker run line. Pure.
 */
import { word } from "./kinds.js";
import { problem, type AnyRow, type SettingRow } from "./row.js";

export const PROCESS_ROWS: readonly AnyRow[] = [
  // Passed as written, as docker does: the engine resolves a name (and a group) in the image's
  // /etc/passwd and /etc/group when it starts the container, a uid[:gid] needs no lookup
  // (oneoff check and secret files look names up the same way, lifecycle/checks.ts).
  word(
    {
      name: "user",
      flag: "--user",
      short: "-u",
      help: "user (name or uid[:gid]) to run as",
      example: "nobody",
      compose: "user",
      field: "User",
      part: "Config",
      jobField: "User",
      emptyIsDefault: true,
    },
    "<user>",
  ),
  word(
    {
      name: "workdir",
      flag: "--workdir",
      short: "-w",
      help: "working directory inside the container",
      example: "/tmp",
      compose: "working_dir",
      yaml: "workdir",
      field: "WorkingDir",
      part: "Config",
      jobField: "Dir",
      // "" is the image's WORKDIR, as docker run -w "" reads it: kept over a lower layer's workdir, sent as none.
      emptyIsDefault: true,
    },
    "<dir>",
    (text) => (text.startsWith("/") ? undefined : problem("not an absolute path", "start it with /")),
  ),
  entrypointRow(),
];

/**
 * --entrypoint: one executable, as docker run takes it (its "" is [""], which clears the image's
 * entrypoint); compose's and oneoff.yaml's entrypoint: a list, or a string split as a shell would
 * (config/compose-runtime.ts). The engine runs the entrypoint's words, then the command's. A job
 * carries it as its ContainerSpec's Command (the command is its Args).
 */
function entrypointRow(): SettingRow<"entrypoint"> {
  return {
    name: "entrypoint",
    shape: "command",
    flag: "--entrypoint",
    argument: "<cmd>",
    help: 'override the image entrypoint ("" clears it)',
    // Runs the command it is given, so docker's and oneoff's probe run the same under it.
    example: "env",
    compose: "entrypoint",
    parse: (given: string | readonly string[]) => (typeof given === "string" ? [given] : [...given]),
    api: {
      part: "Config",
      field: "Entrypoint",
      write: (words) => words,
      read: (value) => (Array.isArray(value) && value.length ? value.map(String) : undefined),
    },
    words: (words) => words,
    jobField: "Command",
  };
}
