/**
 * The first rows of settings/table.ts: who the command runs as and where it starts (--user,
 * --workdir), first on the docker run line. Pure.
 */
import { word } from "./kinds.js";
import { problem, type AnyRow } from "./row.js";

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
];
