/**
 * Promise: bad input never half-works. Each row of this catalogue is one way to get oneoff's
 * input wrong (config, env files, flags, release references, the engine address); for every
 * one oneoff says exactly one line on stderr, `oneoff: ` first, naming what is at fault (file,
 * line, key or flag) and the fix in parentheses; prints nothing on stdout and no stack trace;
 * exits 125 (126/127 when the command cannot be invoked / is not in the image); and leaves
 * nothing on the engine.
 *
 * The rows run a few at a time (they are independent); the one-off container count is taken
 * before and after the whole batch, so concurrent rows cannot confuse it. They run in this
 * process (test/integration/in-process.ts): a row tests what oneoff says, not how a process
 * starts or ends, and a few rows run spawned as well to show that a real oneoff says the same.
 * A row whose fault only a real process shows says why, and runs spawned only.
 * docs/bad-input.md is the same catalogue as a table.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, oneoff, oneOffContainers, ROOT, type CliResult } from "../integration/helpers.js";
import { NOT_FOR_ONE_OFFS } from "../../src/cli/not-for-one-offs.js";
import { oneoffInProcess } from "../integration/in-process.js";
import { documentRow, rewriteTable, tableRows } from "./bad-input-doc.js";

expectNoLeftovers();

export interface BadInput {
  /** What is wrong, in a few words. */
  what: string;
  /** oneoff.yaml in the working directory; none when undefined. */
  config?: string;
  /** More files next to oneoff.yaml (env files). */
  files?: Record<string, string>;
  args: string[];
  env?: Record<string, string | undefined>;
  code: 125 | 126 | 127;
  /** The single stderr line, without its newline. */
  says: RegExp;
  /** Why only a spawned oneoff shows this fault: the row runs as its own process, not in this one. */
  spawned?: string;
}

const REPO = IMAGE.split(":")[0]!; // oneoff-test/busybox
/** Three lines: what a row's config adds starts at line 4. */
const BASE = `app: faults\nimage: ${REPO}\nrelease: latest\n`;
const REL = ["--release", IMAGE];
const UNSET = "ONEOFF_FAULTS_NEVER_SET";
const YAML_FIX = "\\(fix the YAML syntax at that line\\)$";
const NOT_REF = "is not a valid image reference \\(use repo:tag, repo@sha256:digest or an image ID\\)$";
const UNREACHABLE = "\\(start the engine \\(dockerd\\), or point DOCKER_HOST at one\\)$";
const SCHEMES = "\\(use unix://, tcp:// or ssh://\\)$";
const MEMORY_FIX = "\\(use bytes or a number with b, k, m, g, t or p \\(KiB, MB\\.\\.\\. too\\), such as 512m; 0 for no limit\\)$";
const CPUS_FIX = "\\(use a number such as 0\\.5, 1\\.5 or 3/2; 0 for no limit\\)$";
const CPUS_PRECISE_FIX = "\\(round it to 9 decimal places or fewer, such as 0\\.5\\)$";
const EMPTY_NAME_FIX = "\\(give it a name without =, spaces or NUL bytes\\)$";
const ENV_FLAG_FIX = "\\(use -e KEY=VALUE, or -e KEY to pass KEY from your environment\\)$";
const ENV_FILE_FIX = "\\(write KEY=VALUE, one per line\\)$";
const V_FIX = "\\(write \\[SOURCE:\\]TARGET\\[:MODE\\], such as shop-data:/data, \\./conf:/etc/app:z,ro or /scratch\\)$";
const MOUNT_FIX = "\\(such as --mount type=volume,source=shop-data,target=/data,readonly \\(docs/cli\\.md lists the options\\)\\)$";
const SHORT_HEX_FIX = "\\(give at least 12 hex digits of the image ID, or a repo:tag\\)$";
const NOT_DOCKER_FIX = "\\(point DOCKER_HOST at a Docker engine, or a Podman API socket\\)$";
/** Over Linux's 128 KiB limit for one argv or environment string only when two are joined. */
const HALF = "ONEOFF_FAULTS_HALF";
const HALF_VALUE = "h".repeat(70 * 1024);
const re = (...parts: string[]) => new RegExp(parts.join(""));
const SERVICE = ["run", "--service", "web", "--", "true"];
/** A compose.yaml whose service web has `lines` (each indented under it), and `top` after it. */
const compose = (lines: string, top = "") => ({ "compose.yaml": `services:\n  web:\n    image: ${IMAGE}\n${lines}${top}` });

/**
 * Engines that are not Docker Engine APIs: an HTTP server on a unix socket answering every
 * request 404 text/plain (as most web servers do for an unknown path), and one answering 200
 * with a body that is not JSON. Started before the catalogue runs (startFakeEngines).
 */
export const FAKE_ENGINES = { 404: "/tmp/oneoff-faults-not-docker-404.sock", 200: "/tmp/oneoff-faults-not-docker-200.sock" } as const;

export async function startFakeEngines(): Promise<() => Promise<void>> {
  const servers = await Promise.all(
    Object.entries(FAKE_ENGINES).map(([status, socket]) => {
      rmSync(socket, { force: true });
      const server = http.createServer((_request, response) => {
        response.writeHead(Number(status), { "content-type": "text/plain" });
        response.end(status === "404" ? "404 page not found\n" : "hello\n");
      });
      return new Promise<http.Server>((resolve, reject) => server.once("error", reject).listen(socket, () => resolve(server)));
    }),
  );
  return async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    for (const socket of Object.values(FAKE_ENGINES)) rmSync(socket, { force: true });
  };
}

export const CATALOGUE: BadInput[] = [
  // --- YAML syntax
  {
    what: "YAML: a key indented under a scalar",
    config: `${BASE}user: app\n  bad: x\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:4:7: invalid YAML: Nested mappings are not allowed in compact mappings ", YAML_FIX),
  },
  {
    what: "YAML: mapping items not aligned",
    config: `${BASE}env:\n  A: "1"\n B: "2"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:6:\\d+: invalid YAML: All mapping items must start at the same column ", YAML_FIX),
  },
  {
    what: "YAML: a tab as indentation",
    config: `${BASE}env:\n\tA: "1"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:5:1: invalid YAML: Tabs are not allowed as indentation ", YAML_FIX),
  },
  {
    what: "YAML: a duplicate key",
    config: `${BASE}user: a\nuser: b\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:5:1: invalid YAML: Map keys must be unique ", YAML_FIX),
  },

  // --- unknown keys, wrong types and values in oneoff.yaml
  {
    what: "unknown top-level key",
    config: `${BASE}netwrok: shop\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:1: netwrok: unknown key \(did you mean "network"\?\)$/,
  },
  {
    what: "unknown task key",
    config: `${BASE}tasks:\n  migrate:\n    comand: [x]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:5: tasks\.migrate\.comand: unknown key \(did you mean "command"\?\)$/,
  },
  {
    what: "compose's environment: key",
    config: `${BASE}environment:\n  A: 1\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:1: environment: unknown key \(did you mean "env"\?\)$/,
  },
  {
    what: "interactive: a string other than auto",
    config: `${BASE}tasks:\n  m:\n    command: [x]\n    interactive: maybe\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:7:18: tasks\.m\.interactive: expected true, false or auto \(true: a terminal session; auto: a terminal when there is one\)$/,
  },
  {
    what: "timeout: garbage",
    config: `${BASE}timeout: soon\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:10: timeout: "soon" is not a duration \(use seconds or a number with s, m or h, such as 10m or 1h30m\)$/,
  },
  {
    what: "task timeout: garbage",
    config: `${BASE}tasks:\n  m:\n    command: [x]\n    timeout: forever\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:7:14: tasks\.m\.timeout: "forever" is not a duration \(use seconds/,
  },
  {
    what: "stop_timeout: negative",
    config: `${BASE}stop_timeout: -5\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:15: stop_timeout: must not be negative \(give a number of seconds\)$/,
  },
  {
    what: "pull: unknown policy",
    config: `${BASE}pull: sometimes\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:7: pull: unknown pull policy "sometimes" \(use one of missing, always, never\)$/,
  },
  {
    what: "app: not a valid name",
    config: `app: "My App!"\nimage: ${REPO}\nrelease: latest\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:1:6: app: "My App!" is not a valid app name \(use letters, digits, _, \. and -\)$/,
  },
  {
    what: "workdir: not absolute",
    config: `${BASE}workdir: rel\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:10: workdir: "rel": not an absolute path \(start it with \/\)$/,
  },
  {
    what: "memory: negative",
    config: `${BASE}memory: -5\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re('^oneoff: oneoff\\.yaml:4:9: memory: "-5": not a memory size ', MEMORY_FIX),
  },
  {
    what: "cpus: too precise",
    config: `${BASE}cpus: 1.0000000005\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re('^oneoff: oneoff\\.yaml:4:7: cpus: "1\\.0000000005": too precise: docker takes whole billionths of a CPU ', CPUS_PRECISE_FIX),
  },
  {
    what: "cpus: garbage",
    config: `${BASE}cpus: abc\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re('^oneoff: oneoff\\.yaml:4:7: cpus: "abc": not a number of CPUs ', CPUS_FIX),
  },
  {
    what: "task lock: invalid name",
    config: `${BASE}tasks:\n  m:\n    command: [x]\n    lock: bad name\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:7:11: tasks\.m\.lock: "bad name" is not a valid lock name \(use letters, digits, _, \. and -\)$/,
  },
  {
    what: "network and networks both set",
    config: `${BASE}network: a\nnetworks: [b]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:1: networks: both "network" and "networks" are set \(keep only "networks" \(a list\)\)$/,
  },
  {
    what: "network and networks both set in a task",
    config: `${BASE}tasks:\n  m:\n    network: a\n    networks: [b]\n    command: [x]\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:7:5: tasks\.m\.networks: both "network" and "networks" are set \(keep only "networks"/,
  },
  {
    what: "reserved io.oneoff. label in config",
    config: `${BASE}labels:\n  io.oneoff.app: x\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: label io\.oneoff\.app \(from oneoff\.yaml:4:1\): labels starting with io\.oneoff\. are reserved for oneoff \(use another prefix, such as com\.example\.\)$/,
  },
  {
    what: "reserved io.oneoff. label in a task",
    config: `${BASE}tasks:\n  m:\n    command: [x]\n    labels: {io.oneoff.task: y}\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: label io\.oneoff\.task \(from oneoff\.yaml:7:5\): labels starting with io\.oneoff\. are reserved/,
  },
  {
    what: "type: a list where a string belongs",
    config: `${BASE}memory: [1]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:9: memory: expected a string, got a list \(write a single value, quoted if in doubt\)$/,
  },
  {
    what: "type: a word where a number belongs",
    config: `${BASE}stop_timeout: soon\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:15: stop_timeout: expected a number, got the string "soon" \(give a plain number, such as 10\)$/,
  },
  {
    what: "type: a list where a mapping belongs",
    config: `${BASE}env: [A=1]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:6: env: expected a mapping, got a list \(write it as KEY: value lines, indented under it\)$/,
  },
  {
    what: "type: a mapping as an env value",
    config: `${BASE}env:\n  A:\n    B: 1\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:5: env\.A: expected a string, number or boolean, got a mapping \(give a single value; quote it if it holds : or #\)$/,
  },
  {
    what: "type: a mapping as a task command",
    config: `${BASE}tasks:\n  m:\n    command: {a: 1}\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:14: tasks\.m\.command: expected a string or a list of strings, got a mapping \(write a value, or a list such as \[a, b\]\)$/,
  },
  {
    what: "env: an empty name",
    config: `${BASE}env:\n  "": x\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:5:3: env\\.: the name is empty ", EMPTY_NAME_FIX),
  },
  {
    what: "labels: an empty name",
    config: `${BASE}labels:\n  "": x\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: oneoff\\.yaml:5:3: labels\\.: the name is empty ", EMPTY_NAME_FIX),
  },
  {
    what: "an undefined alias",
    config: `${BASE}user: *x\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:7: unknown alias \*x \(define the anchor &x before using it\)$/,
  },

  // --- interpolation
  {
    what: "unset ${VAR} in release",
    config: `app: faults\nimage: ${REPO}\nrelease: \${${UNSET}}\n`,
    args: ["run", "--", "true"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(
      `^oneoff: oneoff\\.yaml:3:10: release: variable ${UNSET} is not set \\(set ${UNSET} in the environment, or give a default with \\$\\{${UNSET}:-value\\}\\)$`,
    ),
  },
  {
    what: "unset ${VAR} in an env value",
    config: `${BASE}env:\n  DATABASE_URL: \${${UNSET}}\n`,
    args: ["run", "--", "true"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(`^oneoff: oneoff\\.yaml:5:17: env\\.DATABASE_URL: variable ${UNSET} is not set \\(set ${UNSET} in the environment`),
  },
  {
    what: "unset ${VAR} in a command string",
    config: `${BASE}tasks:\n  m: echo \${${UNSET}}\n`,
    args: ["run", "m"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(`^oneoff: oneoff\\.yaml:5:6: tasks\\.m\\.command: variable ${UNSET} is not set \\(set ${UNSET} in the environment`),
  },
  {
    what: "unset $VAR in a command list",
    config: `${BASE}tasks:\n  m: [echo, $${UNSET}]\n`,
    args: ["run", "m"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(`^oneoff: oneoff\\.yaml:5:13: tasks\\.m\\.command\\[1\\]: variable ${UNSET} is not set \\(set ${UNSET} in the environment`),
  },
  {
    what: "${VAR:?custom message}",
    config: `${BASE}env:\n  DB: \${${UNSET}:?set it to the database URL}\n`,
    args: ["run", "--", "true"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(
      `^oneoff: oneoff\\.yaml:5:7: env\\.DB: ${UNSET}: set it to the database URL \\(set ${UNSET} in the environment that runs oneoff\\)$`,
    ),
  },
  {
    what: "$ followed by punctuation",
    config: `${BASE}env:\n  A: a$!b\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:6: env\.A: invalid interpolation "\$!" in "a\$!b" \(write \$\$ for a literal \$\)$/,
  },
  {
    what: "unclosed ${",
    config: `${BASE}env:\n  A: "\${NAME"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:6: env\.A: unclosed "\$\{" in "\$\{NAME" \(close it with "\}", or write \$\$ for a literal \$\)$/,
  },
  {
    what: "${} without a name",
    config: `${BASE}env:\n  A: "\${}"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:6: env\.A: invalid variable name in "\$\{\}" \(names are letters, digits and _, not starting with a digit\)$/,
  },
  {
    what: "${VAR:x} (unknown operator)",
    config: `${BASE}env:\n  A: "\${B:x}"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:6: env\.A: invalid interpolation "\$\{B:x\}" \(use \$\{VAR\}, \$\{VAR:-default\}, \$\{VAR:\?message\} or \$\{VAR:\+alternative\}\)$/,
  },

  // --- env files and -e
  {
    what: "env_file: missing",
    config: `${BASE}env_file: missing.env\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:11: cannot read \/.*\/missing\.env: no such file \(check the path\)$/,
  },
  {
    what: "env file: invalid name",
    config: `${BASE}env_file: app.env\n`,
    files: { "app.env": "OK=1\n\nbad name=2\n" },
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: \/.*\/app\.env:3: variable name "bad name" contains whitespace \(write KEY=VALUE, one per line\)$/,
  },
  {
    what: "env file: a value over 128 KiB",
    config: `${BASE}env_file: app.env\n`,
    files: { "app.env": `OK=1\nBIG=${"x".repeat(128 * 1024)}\n` },
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: /.*/app\\.env:2: BIG is 131077 bytes; Linux refuses a variable over 128 KiB ", ENV_FILE_FIX),
  },
  {
    what: "env file: a NUL byte in a value",
    config: `${BASE}env_file: app.env\n`,
    files: { "app.env": "OK=1\nA=a\0b\n" },
    args: ["run", "--", "true"],
    code: 125,
    says: re("^oneoff: /.*/app\\.env:2: the value of A contains a NUL byte, which no process can receive ", ENV_FILE_FIX),
  },
  {
    what: "env: a value over 128 KiB",
    config: `${BASE}env:\n  A: "\${${HALF}}\${${HALF}}"\n`,
    args: ["run", "--", "true"],
    env: { [HALF]: HALF_VALUE },
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:3: env\.A: A is 143363 bytes; Linux refuses a variable over 128 KiB \(pass large or binary data as a file instead\)$/,
  },
  {
    what: "--env-file: missing",
    args: ["run", ...REL, "--env-file", "missing.env", "--", "true"],
    code: 125,
    says: /^oneoff: --env-file missing\.env: cannot read \/.*\/missing\.env: no such file \(check the path\)$/,
  },
  {
    what: "--env-file: compose's export (docker's format has none)",
    files: { "flags.env": "A=1\nexport B=2\n" },
    args: ["run", ...REL, "--env-file", "flags.env", "--", "true"],
    code: 125,
    says: /^oneoff: \/.*\/flags\.env:2: variable "export B" contains whitespace \(write NAME=value, one per line, as docker run --env-file reads it\)$/,
  },
  {
    what: "-v: two SELinux labels (z,Z)",
    args: ["run", ...REL, "-v", "/srv/conf:/conf:z,Z", "--", "true"],
    code: 125,
    says: re('^oneoff: -v "/srv/conf:/conf:z,Z": the mode "z,Z" says z/Z twice ', V_FIX),
  },
  {
    what: "-v: an unknown mode word",
    args: ["run", ...REL, "-v", "data:/data:rx", "--", "true"],
    code: 125,
    says: re(
      '^oneoff: -v "data:/data:rx": unknown mode "rx" \\(use ro or rw, z or Z, nocopy, a propagation such as rslave, or cached\\) ',
      V_FIX,
    ),
  },
  {
    what: "-v: nocopy on a bind",
    args: ["run", ...REL, "-v", "/srv/conf:/conf:nocopy", "--", "true"],
    code: 125,
    says: re('^oneoff: -v "/srv/conf:/conf:nocopy": nocopy is for a volume, and this is a bind of a host path ', V_FIX),
  },
  {
    what: "-v: a propagation on a volume",
    args: ["run", ...REL, "-v", "data:/data:rshared", "--", "true"],
    code: 125,
    says: re('^oneoff: -v "data:/data:rshared": rshared is a bind\'s propagation, and this is a volume ', V_FIX),
  },
  {
    what: "-v: an anonymous volume with a mode",
    args: ["run", ...REL, "-v", "/data:ro", "--", "true"],
    code: 125,
    says: re('^oneoff: -v "/data:ro": an anonymous volume takes no mode: write "/data" alone, or NAME:/data:ro for a named one ', V_FIX),
  },
  {
    what: "volumes: in oneoff.yaml, ro twice",
    config: `${BASE}volumes: ["./conf:/conf:ro,rw"]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:10: volumes\[0\]: "\.\/conf:\/conf:ro,rw": the mode "ro,rw" says ro\/rw twice \(write \[SOURCE:\]TARGET\[:MODE\], such as shop-data:\/data or \.\/conf:\/etc\/app:z,ro\)$/,
  },
  {
    what: "--mount: a volume option on a bind",
    args: ["run", ...REL, "--mount", "type=bind,source=/srv,target=/srv,volume-nocopy", "--", "true"],
    code: 125,
    says: re(
      '^oneoff: --mount "type=bind,source=/srv,target=/srv,volume-nocopy": volume-nocopy is for type=volume, and this is type=bind ',
      MOUNT_FIX,
    ),
  },
  {
    what: "--mount: tmpfs-size not a size",
    args: ["run", ...REL, "--mount", "type=tmpfs,target=/t,tmpfs-size=lots", "--", "true"],
    code: 125,
    says: re('^oneoff: --mount "type=tmpfs,target=/t,tmpfs-size=lots": tmpfs-size "lots" is not a size \\(such as 64m\\) ', MOUNT_FIX),
  },
  {
    what: "--mount: tmpfs-mode not octal",
    args: ["run", ...REL, "--mount", "type=tmpfs,target=/t,tmpfs-mode=999", "--", "true"],
    code: 125,
    says: re(
      '^oneoff: --mount "type=tmpfs,target=/t,tmpfs-mode=999": tmpfs-mode "999" is not octal permission bits \\(such as 1777\\) ',
      MOUNT_FIX,
    ),
  },
  {
    what: "--mount: an unknown bind-propagation",
    args: ["run", ...REL, "--mount", "type=bind,source=/srv,target=/srv,bind-propagation=up", "--", "true"],
    code: 125,
    says: re(
      '^oneoff: --mount "type=bind,source=/srv,target=/srv,bind-propagation=up": bind-propagation "up" is not rprivate, private, rshared, shared, rslave or slave ',
      MOUNT_FIX,
    ),
  },
  {
    what: "--mount: volume-opt without a value",
    args: ["run", ...REL, "--mount", "type=volume,source=v,target=/v,volume-opt=o", "--", "true"],
    code: 125,
    says: re('^oneoff: --mount "type=volume,source=v,target=/v,volume-opt=o": volume-opt "o" is not KEY=VALUE ', MOUNT_FIX),
  },
  {
    what: "env file: unterminated quote",
    config: `${BASE}env_file: app.env\n`,
    files: { "app.env": '# db\nA="unclosed\n' },
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: \/.*\/app\.env:2: unterminated double quote \(write KEY=VALUE, one per line\)$/,
  },
  {
    what: "-e =x (empty name)",
    args: ["run", ...REL, "-e", "=x", "--", "true"],
    code: 125,
    says: re('^oneoff: -e "=\\.\\.\\.": the variable name is empty ', ENV_FLAG_FIX),
  },
  {
    what: '-e "" (nothing)',
    args: ["run", ...REL, "-e", "", "--", "true"],
    code: 125,
    says: re('^oneoff: -e "": the variable name is empty ', ENV_FLAG_FIX),
  },
  {
    what: "-e with a space in the name",
    args: ["run", ...REL, "-e", "A B=1", "--", "true"],
    code: 125,
    says: re('^oneoff: -e "A B=\\.\\.\\.": variable name "A B" contains whitespace ', ENV_FLAG_FIX),
  },

  // --- tasks, releases and config files
  {
    what: "a word that is no task and not in the image",
    config: `${BASE}tasks:\n  migrate: [x]\n`,
    args: ["run", "migrat"],
    code: 127,
    says: /^oneoff: command "migrat" not found in the image \(check the command, and that the release image has it on its PATH\)$/,
  },
  {
    what: "a task without a command",
    config: `${BASE}tasks:\n  m:\n    description: nothing\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:5: tasks\.m: a task needs a command \(add "command: \[\.\.\.\]" under tasks\.m\)$/,
  },
  {
    what: "a task whose command is empty",
    config: `${BASE}tasks:\n  m: ""\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:6: tasks\.m\.command: the command is empty \(write the command as a list: \[program, arg, \.\.\.\]\)$/,
  },
  {
    what: "a task whose command is an empty list",
    config: `${BASE}tasks:\n  m:\n    command: []\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:14: tasks\.m\.command: the command is empty \(write the command as a list: \[program, arg, \.\.\.\]\)$/,
  },
  {
    what: "a command argument over 128 KiB",
    config: `${BASE}tasks:\n  m: [echo, "\${${HALF}}\${${HALF}}"]\n`,
    args: ["run", "m"],
    env: { [HALF]: HALF_VALUE },
    code: 125,
    says: /^oneoff: the command: an argument is 143361 bytes; Linux refuses one over 128 KiB \(pass large or binary data through stdin \(-i\) or a file instead\)$/,
  },
  {
    what: "a NUL byte in a command argument",
    config: `${BASE}tasks:\n  m: [echo, "a\\0b"]\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: the command: an argument contains a NUL byte, which no process can receive \(pass large or binary data through stdin \(-i\) or a file instead\)$/,
  },
  {
    what: "interactive: true without a terminal",
    config: `${BASE}tasks:\n  m:\n    command: [sh]\n    interactive: true\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: task m \(interactive: true\) needs a terminal, and the input device is not a TTY \(run it from a terminal, or set interactive: auto on the task/,
  },
  {
    what: "no release anywhere",
    config: "app: faults\n",
    args: ["run", "--", "true"],
    env: { ONEOFF_RELEASE: undefined },
    code: 125,
    says: /^oneoff: no release to run \(pass --release IMAGE \(a tag, digest or image ID\), set ONEOFF_RELEASE, or set image: and release: in oneoff\.yaml\)$/,
  },
  {
    what: "--config: no such file",
    args: ["run", "-f", "/nonexistent/oneoff.yaml", "--", "true"],
    code: 125,
    says: /^oneoff: --config: cannot read \/nonexistent\/oneoff\.yaml: no such file \(check the path\)$/,
  },
  // docker run's flags (issue 18): a bad value is one line naming the flag, before anything is created.
  ...(
    [
      ["--tmpfs", "scratch", '"scratch" is not an absolute path', "/run:size=64m"],
      ["--ulimit", "nofile", "not NAME=SOFT\\[:HARD\\]", "nofile=1024:2048"],
      ["--shm-size", "lots", "not a size", "96m"],
      ["--device", "fuse", "not HOST_PATH\\[:CONTAINER_PATH\\[:rwm\\]\\]", "/dev/fuse:/dev/fuse:rwm"],
      ["--sysctl", "somaxconn", "not NAME=VALUE", "net\\.core\\.somaxconn=1024"],
      ["--add-host", "db", "not HOST:IP", "db:10\\.0\\.0\\.5"],
      ["--add-host", "db:ten", '"ten" is not an IP address or host-gateway', "db:10\\.0\\.0\\.5"],
      ["--memory-swap", "lots", "not a size \\(or -1\\)", "1g"],
      ["--pids-limit", "many", "not a whole number", "100"],
      ["--cpu-shares", "half", "not a whole number", "512"],
      ["--blkio-weight", "5", "not from 10 to 1000", "300"],
      ["--cpuset-cpus", "first", "not a list of CPUs", "0-1"],
      ["--stop-signal", "SIGNOPE", "not a signal", "SIGINT"],
      ["--userns", "private", "not host \\(the only mode docker takes\\)", "host"],
      ["--cgroupns", "shared", "not host or private", "private"],
      ["--gpus", "count=many", 'count "many" is not all or a number', "all"],
    ] as const
  ).map(([flag, value, problem, example]) => ({
    what: `${flag} ${value}`,
    args: ["run", ...REL, flag, value, "--", "true"],
    code: 125,
    says: new RegExp(`^oneoff: ${flag} "${value}": ${problem} \\(such as ${flag} ${example}\\)$`),
  })),
  {
    what: "--pid: not a mode",
    args: ["run", ...REL, "--pid", "private", "--", "true"],
    code: 125,
    says: /^oneoff: --pid "private": not a mode docker knows \(host, or container:NAME\)$/,
  },
  {
    what: "--dns: not an IP address",
    args: ["run", ...REL, "--dns", "nope", "--", "true"],
    code: 125,
    says: /^oneoff: --dns: "nope" is not an IP address \(such as --dns 127\.0\.0\.53\)$/,
  },
  {
    what: "--volumes-from: not a container and mode",
    args: ["run", ...REL, "--volumes-from", "db:rx", "--", "true"],
    code: 125,
    says: /^oneoff: --volumes-from: "db:rx" is not CONTAINER, CONTAINER:ro or CONTAINER:rw \(such as --volumes-from postgres:ro\)$/,
  },
  // docker run's flags that mean nothing for a one-off (docs/cli.md): refused, saying why.
  ...NOT_FOR_ONE_OFFS.map(([definition, why]) => {
    const flag = definition
      .split(" ")
      .find((word) => word.startsWith("--"))!
      .replace(/,$/, "");
    const value = definition.includes("<") ? ["x"] : [];
    return {
      what: `${flag}: not for a one-off`,
      args: ["run", ...REL, flag, ...value, "--", "true"],
      code: 125 as const,
      says: new RegExp(
        `^oneoff: ${flag}: not for a one-off: ${why.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(leave it out; docs/cli\\.md lists docker run's flags oneoff leaves out\\)$`,
      ),
    };
  }),
  {
    what: "--hostname: longer than Linux takes",
    args: ["run", ...REL, "--hostname", "h".repeat(65), "--", "true"],
    code: 125,
    says: /^oneoff: --hostname "h{65}": longer than 64 bytes, the most Linux takes \(shorten it to 64 bytes or fewer, such as shop-console\)$/,
  },
  {
    what: "--name: not a container name",
    args: ["run", ...REL, "--name", "-bad", "--", "true"],
    code: 125,
    says: /^oneoff: --name "-bad": not a container name \(letters, digits, _, \. and -, starting with a letter or digit\)$/,
  },
  {
    what: "-t and -T together",
    args: ["run", ...REL, "-t", "-T", "--", "true"],
    code: 125,
    says: /^oneoff: -t and -T both given \(-t asks for a terminal, -T for none: keep one\)$/,
  },
  {
    what: "a runtime key in oneoff.yaml: ulimits without hard",
    config: `${BASE}ulimits:\n  nofile: {soft: 1}\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:11: ulimits\.nofile: needs both soft and hard \(such as \{soft: 1024, hard: 2048\}\)$/,
  },
  {
    what: "a runtime key in oneoff.yaml: a device that is not a path",
    config: `${BASE}devices: [fuse]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:10: devices\[0\]: "fuse": not HOST_PATH\[:CONTAINER_PATH\[:rwm\]\] \(such as --device \/dev\/fuse:\/dev\/fuse:rwm\)$/,
  },
  {
    what: "--file and --config naming two files",
    args: ["run", "-f", "a.yaml", "--config", "b.yaml", "--", "true"],
    code: 125,
    says: /^oneoff: --file a\.yaml and --config b\.yaml name two config files \(give one of them\)$/,
  },
  {
    what: "-c is docker's --context: an unknown context",
    args: ["-c", "no-such-context", "run", ...REL, "--", "true"],
    env: { DOCKER_CONFIG: os.tmpdir() },
    code: 125,
    says: /^oneoff: context "no-such-context" not found in .*contexts \(docker context ls lists the contexts; DOCKER_CONFIG chooses the folder\)$/,
  },
  {
    what: "docker config: a credsStore that is a path, not a helper name",
    args: ["run", "--release", "127.0.0.1:5055/oneoff-test/no-such-image:v9", "--", "true"],
    files: { "config.json": '{"credsStore": "x/../evil"}' },
    env: { DOCKER_CONFIG: "." },
    code: 125,
    spawned: "DOCKER_CONFIG=. is read against the process's own working directory, as docker reads it",
    says: /^oneoff: config\.json: credsStore: "x\/\.\.\/evil" is not a credential helper name \(set it to the NAME of a docker-credential-NAME program on PATH, such as "desktop" or "pass", or remove it\)$/,
  },
  {
    what: "--config: a directory",
    args: ["run", "--config", os.tmpdir(), "--", "true"],
    code: 125,
    says: /^oneoff: --config: cannot read \/.*: is a directory \(check the path\)$/,
  },

  // --- flags
  {
    what: "-w: not absolute",
    args: ["run", ...REL, "-w", "rel", "--", "true"],
    code: 125,
    says: /^oneoff: --workdir "rel": not an absolute path \(start it with \/\)$/,
  },
  {
    what: "-m: negative",
    args: ["run", ...REL, "-m", "-5", "--", "true"],
    code: 125,
    says: re('^oneoff: --memory "-5": not a memory size ', MEMORY_FIX),
  },
  {
    what: "-m: unknown unit",
    args: ["run", ...REL, "-m", "10x", "--", "true"],
    code: 125,
    says: re('^oneoff: --memory "10x": not a memory size ', MEMORY_FIX),
  },
  {
    what: "-m: ib without a unit",
    args: ["run", ...REL, "-m", "64ib", "--", "true"],
    code: 125,
    says: re('^oneoff: --memory "64ib": not a memory size ', MEMORY_FIX),
  },
  {
    what: "-m: beyond any host",
    args: ["run", ...REL, "-m", "99999999999999999999999g", "--", "true"],
    code: 125,
    says: re('^oneoff: --memory "99999999999999999999999g": not a memory size ', MEMORY_FIX),
  },
  {
    what: "--cpus: too precise",
    args: ["run", ...REL, "--cpus", "1.0000000005", "--", "true"],
    code: 125,
    says: re('^oneoff: --cpus "1\\.0000000005": too precise: docker takes whole billionths of a CPU ', CPUS_PRECISE_FIX),
  },
  {
    what: "--cpus: garbage",
    args: ["run", ...REL, "--cpus", "abc", "--", "true"],
    code: 125,
    says: re('^oneoff: --cpus "abc": not a number of CPUs ', CPUS_FIX),
  },
  {
    what: "--cpus: too small to mean anything",
    args: ["run", ...REL, "--cpus", "0.0000000001", "--", "true"],
    code: 125,
    says: re('^oneoff: --cpus "0\\.0000000001": too precise: docker takes whole billionths of a CPU ', CPUS_PRECISE_FIX),
  },
  {
    what: "--cpus: negative",
    args: ["run", ...REL, "--cpus", "-1", "--", "true"],
    code: 125,
    says: re('^oneoff: --cpus "-1": below 0 ', CPUS_FIX),
  },
  {
    what: "unknown flag, with a suggestion",
    args: ["run", "--relase", IMAGE, "--", "true"],
    code: 125,
    says: /^oneoff: unknown option '--relase' \(did you mean --release\?\)$/,
  },
  {
    what: "another misspelt flag",
    args: ["run", ...REL, "--netwrk", "x", "--", "true"],
    code: 125,
    says: /^oneoff: unknown option '--netwrk' \(did you mean --network\?\)$/,
  },
  {
    what: "unknown short flag",
    args: ["run", ...REL, "-x", "--", "true"],
    code: 125,
    says: /^oneoff: unknown option '-x' \(see oneoff --help\)$/,
  },
  {
    what: "unknown subcommand, with a suggestion",
    args: ["rnu", "--", "true"],
    code: 125,
    says: /^oneoff: unknown command 'rnu' \(did you mean run\?\)$/,
  },
  {
    what: "-it without a terminal",
    args: ["run", ...REL, "-it", "--", "sh"],
    code: 125,
    says: /^oneoff: -t needs a terminal, and the input device is not a TTY \(run it from a terminal, or drop -t and pipe input with -i\)$/,
  },
  {
    what: "oneoff shell without a terminal",
    args: ["shell", ...REL],
    code: 125,
    says: /^oneoff: oneoff shell needs a terminal, and the input device is not a TTY \(run it from a terminal\)$/,
  },
  {
    what: "oneoff shell: unknown flag",
    args: ["shell", "--relase", IMAGE],
    code: 125,
    says: /^oneoff: unknown option '--relase' \(did you mean --release\?\)$/,
  },
  {
    what: "oneoff cleanup: unknown flag",
    args: ["cleanup", "--force"],
    code: 125,
    says: /^oneoff: unknown option '--force' \(see oneoff --help\)$/,
  },
  {
    what: "oneoff cleanup: an extra argument",
    args: ["cleanup", "extra"],
    code: 125,
    says: /^oneoff: too many arguments for 'cleanup'\. Expected 0 arguments but got 1\. \(see oneoff cleanup --help\)$/,
  },
  {
    what: "--wait-lock without --lock",
    args: ["run", ...REL, "--wait-lock", "--", "true"],
    code: 125,
    says: /^oneoff: --wait-lock needs a lock \(add --lock NAME, or set lock: on the task\)$/,
  },
  {
    what: "--wait-lock DURATION without --lock",
    args: ["run", ...REL, "--wait-lock", "5s", "--", "true"],
    code: 125,
    says: /^oneoff: --wait-lock needs a lock \(add --lock NAME/,
  },
  {
    what: "--wait-lock: garbage duration",
    args: ["run", ...REL, "--lock", "x", "--wait-lock", "soon", "--", "true"],
    code: 125,
    says: /^oneoff: --wait-lock "soon": not a duration \(use --wait-lock alone, or a duration such as 5m\)$/,
  },
  {
    what: "--lock: invalid name",
    args: ["run", ...REL, "--lock", "bad name", "--", "true"],
    code: 125,
    says: /^oneoff: --lock "bad name": not a valid lock name \(use letters, digits, _, \. and -\)$/,
  },

  // --- the Swarm engine
  {
    what: "engine: not an engine",
    config: `${BASE}engine: kubernetes\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:9: engine: unknown engine "kubernetes" \(use one of docker, swarm\)$/,
  },
  {
    what: "constraints: not a constraint",
    config: `${BASE}engine: swarm\nconstraints: [role manager]\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:14: constraints\[0\]: "role manager": not a placement constraint \(KEY==VALUE or KEY!=VALUE\) \(e\.g\. node\.hostname==db1 or node\.role==manager\)$/,
  },
  {
    what: "--engine: not an engine",
    args: ["run", ...REL, "--engine", "k8s", "--", "true"],
    code: 125,
    says: /^oneoff: option '--engine <kind>' argument 'k8s' is invalid\. Allowed choices are docker, swarm\. \(see oneoff --help\)$/,
  },
  {
    what: "ONEOFF_ENGINE: not an engine",
    args: ["run", ...REL, "--", "true"],
    env: { ONEOFF_ENGINE: "k8s" },
    code: 125,
    says: /^oneoff: ONEOFF_ENGINE="k8s" is not an engine \(use one of docker, swarm\)$/,
  },
  {
    what: "--constraint without --engine swarm",
    args: ["run", ...REL, "--constraint", "node.role==manager", "--", "true"],
    code: 125,
    says: /^oneoff: --constraint places Swarm jobs \(add --engine swarm, or drop --constraint\)$/,
  },
  {
    what: "--constraint: not a constraint",
    args: ["run", ...REL, "--engine", "swarm", "--constraint", "node.role=manager", "--", "true"],
    code: 125,
    says: /^oneoff: --constraint "node\.role=manager": not a placement constraint \(KEY==VALUE or KEY!=VALUE\) \(e\.g\. node\.hostname==db1 or node\.role==manager\)$/,
  },
  {
    what: "-i on a Swarm job",
    args: ["run", ...REL, "--engine", "swarm", "-i", "--", "cat"],
    code: 125,
    says: /^oneoff: -i without -t cannot run as a Swarm job: Swarm cannot close a job's stdin, so the command would never see EOF \(use --engine docker for piped input, or copy the input in as a file\)$/,
  },
  {
    what: "--copy-in on a Swarm job",
    args: ["run", ...REL, "--engine", "swarm", "--copy-in", "/etc/hostname:/tmp/h", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-in is not available with --engine swarm \(run with --engine docker against a node's engine, or ship the file in the image or a volume\)$/,
  },
  {
    what: "a file secret on a Swarm job",
    config: `${BASE}engine: swarm\nsecrets:\n  db_password:\n    env: HOME\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: secret db_password \(oneoff\.yaml:7:5: secrets\.db_password\.env\) is delivered as a file, which --engine swarm cannot do \(use a Swarm secret on the service \(docker secret create; --from copies it\), or deliver it with as: env\)$/,
  },
  {
    what: "--name a Swarm job cannot have",
    args: ["run", ...REL, "--engine", "swarm", "--name", "nightly.report", "--", "true"],
    code: 125,
    says: /^oneoff: --name "nightly\.report": --engine swarm cannot name a job so \(a service's name is a DNS label\) \(use at most 63 letters, digits, - and _, starting and ending with a letter or digit, or leave --name out\)$/,
  },
  {
    what: "--engine swarm --from: no such service",
    args: ["run", "--engine", "swarm", "--from", "no-such-service-x1", "--", "true"],
    code: 125,
    says: /^oneoff: --from no-such-service-x1: no service no-such-service-x1 on the swarm at unix:\/\/\/var\/run\/docker\.sock \(check the name with docker service ls\)$/,
  },
  {
    what: "from: no process of that name in this app",
    config: `${BASE}from: no-such-process-x1\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: --from no-such-process-x1: no running process no-such-process-x1 of app faults, nor a container of that name \(label its containers io\.oneoff\.process=no-such-process-x1 and io\.oneoff\.app=faults /,
  },
  {
    what: "--lock: empty",
    args: ["run", ...REL, "--lock", "", "--", "true"],
    code: 125,
    says: /^oneoff: --lock "": not a valid lock name \(use letters/,
  },
  {
    what: "--timeout: garbage",
    args: ["run", ...REL, "--timeout", "soon", "--", "true"],
    code: 125,
    says: /^oneoff: --timeout "soon": not a duration \(use seconds or a number with s, m or h, such as 10m, or none for no timeout\)$/,
  },
  {
    what: "--timeout: zero with a unit (none or 0 lifts it)",
    args: ["run", ...REL, "--timeout", "0s", "--", "true"],
    code: 125,
    says: /^oneoff: --timeout "0s": not a duration \(use seconds or a number with s, m or h, such as 10m, or none for no timeout\)$/,
  },
  {
    what: "--detach under the app's timeout",
    config: `${BASE}timeout: 1h\n`,
    args: ["run", "--detach", "--", "true"],
    code: 125,
    says: /^oneoff: --detach cannot be combined with a timeout: nothing stays attached to enforce it \(drop --detach, or lift the timeout: --timeout none\)$/,
  },
  {
    what: "--stop-timeout: garbage",
    args: ["run", ...REL, "--stop-timeout", "soon", "--", "true"],
    code: 125,
    says: /^oneoff: option '--stop-timeout <seconds>' argument 'soon' is invalid\. give a number of seconds, such as 30 \(see oneoff --help\)$/,
  },
  {
    what: "--timeout: over Node's timer limit",
    args: ["run", ...REL, "--timeout", "600h", "--", "true"],
    code: 125,
    says: /^oneoff: --timeout "600h": longer than oneoff can time \(use at most 596h \(about 24 days\), or no --timeout\)$/,
  },
  {
    what: "--stop-timeout: over Node's timer limit",
    args: ["run", ...REL, "--stop-timeout", "2200000", "--", "true"],
    code: 125,
    says: /^oneoff: --stop-timeout 2200000: longer than oneoff can time \(give at most 2147483 seconds\)$/,
  },
  {
    what: "timeout: over Node's timer limit",
    config: `${BASE}timeout: 600h\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:10: timeout: "600h" is longer than oneoff can time \(use at most 596h \(about 24 days\)\)$/,
  },
  {
    what: "stop_timeout: over Node's timer limit",
    config: `${BASE}stop_timeout: 2200000\n`,
    args: ["run", "--", "true"],
    code: 125,
    // A row's problem in a file names no number (the location points at it), as --stop-timeout's names it.
    says: /^oneoff: oneoff\.yaml:4:15: stop_timeout: longer than oneoff can time \(give at most 2147483 seconds\)$/,
  },
  {
    what: "--stop-timeout: negative",
    args: ["run", ...REL, "--stop-timeout", "-1", "--", "true"],
    code: 125,
    says: /^oneoff: option '--stop-timeout <seconds>' argument '-1' is invalid\. give a number of seconds/,
  },
  {
    what: "--pull: unknown policy",
    args: ["run", ...REL, "--pull", "sometimes", "--", "true"],
    code: 125,
    says: /^oneoff: option '--pull <policy>' argument 'sometimes' is invalid\. Allowed choices are missing, always, never\. \(see oneoff --help\)$/,
  },
  {
    what: "--label: reserved io.oneoff.",
    args: ["run", ...REL, "--label", "io.oneoff.app=x", "--", "true"],
    code: 125,
    says: /^oneoff: label io\.oneoff\.app \(from flags\): labels starting with io\.oneoff\. are reserved for oneoff \(use another prefix, such as com\.example\.\)$/,
  },
  {
    what: "--label =x (empty name)",
    args: ["run", ...REL, "--label", "=x", "--", "true"],
    code: 125,
    says: /^oneoff: --label "=x": missing label name \(use --label KEY=VALUE\)$/,
  },
  {
    what: "nothing to run",
    args: ["run", ...REL],
    code: 125,
    says: /^oneoff: nothing to run \(give a command after --, e\.g\. oneoff run -- \.\/bin\/task\)$/,
  },

  // --- secrets and files
  {
    what: "secrets: no source",
    config: `${BASE}secrets:\n  a:\n    as: env\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:3: secrets\.a: no source \(give exactly one of env: VARIABLE, file: PATH or command: CMD\)$/,
  },
  {
    what: "secrets: a task lists an unknown one",
    config: `${BASE}secrets:\n  db: {env: X}\ntasks:\n  m: {command: [x], secrets: [dv]}\n`,
    args: ["run", "m"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:7:30: tasks\.m\.secrets: no secret named "dv" \(did you mean "db"\?\)$/,
  },
  {
    what: "secrets: the variable is unset",
    config: `${BASE}secrets:\n  db: {env: ${UNSET}}\n`,
    args: ["run", "--", "true"],
    env: { [UNSET]: undefined },
    code: 125,
    says: re(
      `^oneoff: oneoff\\.yaml:5:8: secrets\\.db\\.env: ${UNSET} is not set in your environment \\(export ${UNSET} before running oneoff`,
    ),
  },
  {
    what: "secrets: the file is missing",
    config: `${BASE}secrets:\n  key: {file: missing.pem}\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:9: secrets\.key\.file: \/.*\/missing\.pem does not exist \(point file: at a readable file/,
  },
  {
    what: "secrets: the command fails",
    config: `${BASE}secrets:\n  tok: {command: echo not-shown; exit 9}\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:5:9: secrets\.tok\.command: the command exited with 9 \(run the command at oneoff\.yaml:5:9 yourself to see why\)$/,
  },
  {
    what: "secrets: a target under a volume",
    config: `${BASE}volumes: ["faults-vol:/run"]\nsecrets:\n  db: {env: HOME}\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:6:3: secrets\.db\.target: \/run\/secrets\/db is under the volume mounted at \/run: the file would outlive the one-off in that volume \(choose a target outside it/,
  },
  {
    what: "--copy-in: missing local path",
    args: ["run", ...REL, "--copy-in", "absent.sql:/tmp/a.sql", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-in absent\.sql:\/tmp\/a\.sql: \/.*\/absent\.sql does not exist \(check the local path; a relative one starts in the current directory\)$/,
  },
  {
    what: "--copy-in: a colon too many",
    args: ["run", ...REL, "--copy-in", "a:b.sql:/tmp/a.sql", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-in a:b\.sql:\/tmp\/a\.sql: more than one ":", so where one path ends is unclear \(a path with a colon cannot be given here/,
  },
  {
    what: "--copy-in: relative container path",
    args: ["run", ...REL, "--copy-in", "a.sql:tmp/a.sql", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-in a\.sql:tmp\/a\.sql: the container path "tmp\/a\.sql" is not absolute \(start it with \/; the workdir is not assumed\)$/,
  },
  {
    what: "--copy-out: missing local directory",
    args: ["run", ...REL, "--copy-out", "/tmp/r.csv:no/such/dir/r.csv", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-out \/tmp\/r\.csv:no\/such\/dir\/r\.csv: \/.*\/no\/such\/dir is not an existing directory \(create it first: the copy goes there\)$/,
  },
  {
    what: "--copy-out with --detach",
    args: ["run", ...REL, "--detach", "--copy-out", "/tmp/r.csv:.", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-out cannot be combined with --detach: nobody is there to copy when it ends \(drop --detach, or copy later with: docker cp CONTAINER:PATH LOCAL\)$/,
  },
  {
    what: "--copy-out-limit: not a size",
    args: ["run", ...REL, "--copy-out-limit", "lots", "--copy-out", "/tmp/r.csv:.", "--", "true"],
    code: 125,
    says: /^oneoff: --copy-out-limit "lots": not a size \(use bytes or a number with k, m or g, such as 4g; the default is 1g\)$/,
  },

  // --- compose projects (--service)
  {
    what: "compose: stop_grace_period that is no duration",
    files: compose("    stop_grace_period: soon\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:24: services\.web\.stop_grace_period: not a duration \(such as stop_grace_period: 1m30s\)$/,
  },
  {
    what: "compose: a merge key naming no anchor",
    files: compose("    <<: *common\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:9: unknown alias \*common \(define the anchor &common before using it\)$/,
  },
  {
    what: "compose: a merge key merging a string",
    files: compose("    <<: [plain]\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:10: services\.web\.<<: << merges the string "plain" \(merge a mapping: <<: \*ANCHOR, or a list of them: <<: \[\*a, \*b\]\)$/,
  },
  {
    what: "compose: a secret's file is missing",
    files: compose("    secrets: [db_password]\n", "secrets:\n  db_password:\n    file: ./db_password.txt\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:7:11: secrets\.db_password\.file: \/.*\/db_password\.txt does not exist \(create it, or point file: at the secret's file\)$/,
  },
  {
    what: "compose: a secret not defined at the top level",
    files: compose("    secrets: [db_password]\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:15: services\.web\.secrets\[0\]: no secret named db_password under the top-level secrets: \(define it: secrets: \{db_password: \{file: PATH\}\}\)$/,
  },
  {
    what: "compose: an environment: secret",
    files: compose("    secrets: [token]\n", "secrets:\n  token:\n    environment: API_TOKEN\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:7:5: secrets\.token\.environment: compose 1\.29 has no environment secrets \(write the value to a file and name it with file:, or pass it with -e\)$/,
  },
  {
    what: "compose: a bind under another user's ~",
    files: compose("    volumes: ['~bob/data:/data']\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:15: services\.web\.volumes\[0\]: ~bob is another user's home, which compose v1 and v2 read differently \(write the full path\)$/,
  },
  {
    what: "compose: a domain name",
    files: compose("    domainname: shop.internal\n"),
    args: SERVICE,
    code: 125,
    says: /^oneoff: compose\.yaml:4:5: services\.web\.domainname: oneoff has no --domainname to give a one-off a domain name \(remove it from the service, or run the one-off with --from the running container instead\)$/,
  },

  // --- release references
  {
    what: "release: uppercase repository",
    args: ["run", "--release", "Oneoff-Test/Busybox:latest", "--", "true"],
    code: 125,
    says: re('^oneoff: release "Oneoff-Test/Busybox:latest" \\(from flags\\) ', NOT_REF),
  },
  {
    what: "release: space in the tag",
    args: ["run", "--release", `${REPO}:bad tag`, "--", "true"],
    code: 125,
    says: re(`^oneoff: release "${REPO}:bad tag" \\(from flags\\) `, NOT_REF),
  },
  {
    what: "release: punctuation in the tag",
    args: ["run", "--release", `${REPO}:t@g!`, "--", "true"],
    code: 125,
    says: re(`^oneoff: release "${REPO}:t@g!" \\(from flags\\) `, NOT_REF),
  },
  {
    what: "release: a digest too short",
    args: ["run", "--release", `${REPO}@sha256:abc`, "--", "true"],
    code: 125,
    says: re(`^oneoff: release "${REPO}@sha256:abc" \\(from flags\\) `, NOT_REF),
  },
  {
    what: "ONEOFF_RELEASE: malformed",
    args: ["run", "--", "true"],
    env: { ONEOFF_RELEASE: "Bad:Ref" },
    code: 125,
    says: re('^oneoff: release "Bad:Ref" \\(from ONEOFF_RELEASE\\) ', NOT_REF),
  },
  {
    what: "release: a tag without an image",
    // pull: never: were it taken as an image named v1, no registry is asked about it.
    config: "app: faults\nrelease: v1\npull: never\n",
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:2:1: release: "v1" is a tag of image:, which is missing \(add image: with the app's repository/,
  },
  {
    what: "release: in config, malformed",
    config: `app: faults\nimage: ${REPO}\nrelease: "v 1"\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: re('^oneoff: release "v 1" \\(from oneoff\\.yaml:3:1\\) ', NOT_REF),
  },
  {
    what: "image: in config, upper case (not a registry host)",
    config: "app: faults\nimage: Oneoff-Test/busybox\nrelease: latest\n",
    args: ["run", "--", "true"],
    code: 125,
    says: re('^oneoff: release "Oneoff-Test/busybox:latest" \\(from oneoff\\.yaml:3:1\\) ', NOT_REF),
  },
  {
    what: "release: a short hex word, no image so named",
    args: ["run", "--release", "fed", "--", "true"],
    code: 125,
    says: re('^oneoff: release "fed" is too short to be an image ID, and no image is named fed ', SHORT_HEX_FIX),
  },
  {
    what: "release: a single hex digit",
    args: ["run", "--release", "5", "--", "true"],
    code: 125,
    says: re('^oneoff: release "5" is too short to be an image ID, and no image is named 5 ', SHORT_HEX_FIX),
  },
  {
    what: "release not present, --pull never",
    args: ["run", "--pull", "never", "--release", `${REPO}:nope`, "--", "true"],
    code: 125,
    says: /^oneoff: image oneoff-test\/busybox:nope is not present on the engine at \S+ \(pull it first, or allow pulling with --pull missing\)$/,
  },
  // -q: without it a "pulling ..." notice comes first (not an error, but a second line).
  {
    what: "tag not in the registry (-q)",
    args: ["run", "-q", "--release", "127.0.0.1:5055/oneoff-test/pullme:nope", "--", "true"],
    code: 125,
    says: /^oneoff: pull 127\.0\.0\.1:5055\/oneoff-test\/pullme:nope: .*manifest unknown.* \(check the image name and tag, and that you are logged in to its registry \(docker login\)\)$/,
  },
  {
    what: "image ID not present",
    args: ["run", "--release", `sha256:${"0".repeat(64)}`, "--", "true"],
    code: 125,
    says: /^oneoff: image sha256:0{64} is not present on the engine at \S+ \(image IDs cannot be pulled: give the release as repo:tag or repo@digest, or load the image first\)$/,
  },
  {
    what: "short image ID not present",
    args: ["run", "--release", "0".repeat(12), "--", "true"],
    code: 125,
    says: /^oneoff: image 0{12} is not present on the engine at \S+ \(image IDs cannot be pulled/,
  },
  {
    what: "registry cannot be reached (-q)",
    args: ["run", "-q", "--release", "127.0.0.1:5999/nothing/here:v1", "--", "true"],
    code: 125,
    says: /^oneoff: pull 127\.0\.0\.1:5999\/nothing\/here:v1: .*connection refused.* \(check that the registry is up and reachable from the engine\)$/,
  },

  // --- reach the engine: the one-off cannot be created or started
  {
    what: "--network: no such network",
    args: ["run", ...REL, "--network", "nope", "--", "true"],
    code: 125,
    says: /^oneoff: the one-off failed to start: network nope not found \(create it with: docker network create nope; or fix --network \/ network: in the config\)$/,
  },
  {
    what: "-u: no such user in the image",
    args: ["run", ...REL, "-u", "nosuchuser", "--", "true"],
    code: 125,
    says: /^oneoff: user "nosuchuser" does not exist in the image \(check -u \/ user:, or give a numeric uid\)$/,
  },
  {
    what: "-u: no such group in the image",
    args: ["run", ...REL, "-u", "0:nosuchgroup", "--", "true"],
    code: 125,
    says: /^oneoff: group "nosuchgroup" does not exist in the image \(check -u \/ user:, or give a numeric gid\)$/,
  },
  {
    what: "-w: a file, not a directory, in the image",
    args: ["run", ...REL, "-w", "/etc/passwd", "--", "true"],
    code: 125,
    says: /^oneoff: workdir \/etc\/passwd is not a directory in the image \(check -w \/ workdir:\)$/,
  },
  {
    what: "-m: below the engine's minimum",
    args: ["run", ...REL, "-m", "1", "--", "true"],
    code: 125,
    says: /^oneoff: memory limit too small: Minimum memory limit allowed is 6MB \(raise --memory \/ memory:\)$/,
  },
  // The upper bound is the engine host's CPU count.
  {
    what: "--cpus: more than the engine's host has",
    args: ["run", ...REL, "--cpus", "9999", "--", "true"],
    code: 125,
    says: /^oneoff: cpus limit out of range: Range of CPUs is from 0\.01 to \d+\.\d\d \(lower --cpus \/ cpus: to what the engine's host has\)$/,
  },
  {
    what: "command not found",
    args: ["run", ...REL, "--", "no-such-command"],
    code: 127,
    says: /^oneoff: command "no-such-command" not found in the image \(check the command, and that the release image has it on its PATH\)$/,
  },
  {
    what: "--entrypoint not found",
    args: ["run", ...REL, "--entrypoint", "no-such-entrypoint", "--", "x"],
    code: 127,
    says: /^oneoff: command "no-such-entrypoint" not found in the image \(check the command/,
  },
  {
    what: "command not executable",
    args: ["run", ...REL, "--", "/etc/passwd"],
    code: 126,
    says: /^oneoff: command "\/etc\/passwd" cannot be invoked: permission denied \(check that it is an executable file in the release image\)$/,
  },
  {
    what: "command is a directory",
    args: ["run", ...REL, "--", "/etc"],
    code: 126,
    says: /^oneoff: command "\/etc" cannot be invoked: permission denied \(check that it is an executable file/,
  },

  // --- the engine address
  {
    what: "DOCKER_HOST npipe:// (Windows only)",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "npipe:////./pipe/docker_engine" },
    code: 125,
    says: re('^oneoff: DOCKER_HOST "npipe:////\\./pipe/docker_engine": the npipe scheme is not supported ', SCHEMES),
  },
  {
    what: "DOCKER_HOST foo://",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "foo://bar" },
    code: 125,
    says: re('^oneoff: DOCKER_HOST "foo://bar": the foo scheme is not supported ', SCHEMES),
  },
  {
    what: "DOCKER_HOST tcp:// without a host",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "tcp://" },
    code: 125,
    says: /^oneoff: DOCKER_HOST "tcp:\/\/" is not a valid address \(use unix:\/\/\/path\/to\/docker\.sock, tcp:\/\/HOST:PORT or ssh:\/\/\[USER@\]HOST\[:PORT\]\)$/,
  },
  {
    what: "DOCKER_HOST ssh:// with shell code in its socket path",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "ssh://root@127.0.0.1:2222/tmp/x;touch${IFS}/tmp/oneoff-pwned" },
    code: 125,
    says: /^oneoff: DOCKER_HOST "ssh:\/\/root@127\.0\.0\.1:2222\/tmp\/x;touch\$\{IFS\}\/tmp\/oneoff-pwned": the socket path \/tmp\/x;touch\$%7BIFS%7D\/tmp\/oneoff-pwned holds characters the remote shell would run as code \(use a socket path of letters, digits, \/, \., _ and -\)$/,
  },
  {
    what: "DOCKER_HOST ssh:// with a password",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "ssh://me:hunter2@host" },
    code: 125,
    says: /^oneoff: DOCKER_HOST "ssh:\/\/me:\*\*\*@host": a password in an ssh:\/\/ address is not supported \(use a key, or ssh-agent\)$/,
  },
  {
    what: "--host and --context together",
    args: ["--host", "tcp://127.0.0.1:1", "--context", "x", "run", ...REL, "--", "true"],
    code: 125,
    says: /^oneoff: --host and --context both name the engine \(keep one of them, as with docker\)$/,
  },
  {
    what: "--host: a scheme it does not know",
    args: ["ps", "-H", "foo://x"],
    code: 125,
    says: re('^oneoff: --host "foo://x": the foo scheme is not supported ', SCHEMES),
  },
  {
    what: "history --since: neither a duration nor a date",
    args: ["history", "--since", "yesterday"],
    code: 125,
    says: /^oneoff: --since "yesterday": not a duration or a date \(such as 2h, 7d or 2026-12-01\)$/,
  },
  {
    what: "history --user: empty",
    args: ["history", "--user", ""],
    code: 125,
    says: /^oneoff: --user: empty \(give a user name\)$/,
  },
  {
    what: "history --task: empty",
    args: ["history", "--task", " "],
    code: 125,
    says: /^oneoff: --task: empty \(give a task name\)$/,
  },
  {
    what: "replay: a run ID that is not there",
    config: `${BASE}record: true\n`,
    args: ["replay", "0123456789abcdef"],
    code: 125,
    says: /^oneoff: replay 0123456789abcdef: no such run in faults's history on the engine at unix:\/\/\/var\/run\/docker\.sock \(oneoff history lists them; --all-apps for another app's\)$/,
  },
  {
    what: "replay --speed: 0",
    args: ["replay", "0123456789abcdef", "--speed", "0"],
    code: 125,
    says: /^oneoff: --speed "0": not a positive number \(such as 2, or 0\.5\)$/,
  },
  {
    what: "replay --speed: negative",
    args: ["replay", "0123456789abcdef", "--speed=-2"],
    code: 125,
    says: /^oneoff: --speed "-2": not a positive number \(such as 2, or 0\.5\)$/,
  },
  {
    what: "replay --speed: not a number",
    args: ["replay", "0123456789abcdef", "--speed", "fast"],
    code: 125,
    says: /^oneoff: --speed "fast": not a positive number \(such as 2, or 0\.5\)$/,
  },
  {
    what: "replay --idle-limit: not a number",
    args: ["replay", "0123456789abcdef", "--idle-limit", "2s"],
    code: 125,
    says: /^oneoff: --idle-limit "2s": not a positive number \(a number of seconds, such as 2\)$/,
  },
  {
    what: "record: not true, false or input",
    config: `${BASE}record: always\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:9: record: expected true, false or input \(true records the session; input also what is typed; false never\)$/,
  },
  {
    what: "record_limit: not a size",
    config: `${BASE}record_limit: lots\n`,
    args: ["run", "--", "true"],
    code: 125,
    says: /^oneoff: oneoff\.yaml:4:15: record_limit: "lots" is not a size \(such as 64m or 1g\)$/,
  },
  {
    what: "DOCKER_HOST: missing socket",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "unix:///tmp/oneoff-faults-no-engine.sock" },
    code: 125,
    says: re("^oneoff: cannot reach the Docker engine at unix:///tmp/oneoff-faults-no-engine\\.sock: no engine socket there ", UNREACHABLE),
  },
  {
    what: "DOCKER_HOST: closed tcp port",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "tcp://127.0.0.1:1" },
    code: 125,
    says: re("^oneoff: cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:1: connection refused ", UNREACHABLE),
  },
  {
    what: "DOCKER_HOST without a scheme (read as tcp://)",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "127.0.0.1:1" },
    code: 125,
    says: re("^oneoff: cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:1: connection refused ", UNREACHABLE),
  },
  {
    what: "not a Docker engine: 404 text/plain",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: `unix://${FAKE_ENGINES[404]}` },
    code: 125,
    says: re(
      `^oneoff: the engine at unix://${FAKE_ENGINES[404].replace(/\./g, "\\.")} does not answer like a Docker Engine API \\(HTTP 404 to "inspect image oneoff-test/busybox:latest": 404 page not found\\) `,
      NOT_DOCKER_FIX,
    ),
  },
  {
    what: "not a Docker engine: 404 text/plain, oneoff cleanup",
    args: ["cleanup"],
    env: { DOCKER_HOST: `unix://${FAKE_ENGINES[404]}` },
    code: 125,
    says: re(
      `^oneoff: the engine at unix://${FAKE_ENGINES[404].replace(/\./g, "\\.")} does not answer like a Docker Engine API \\(HTTP 404 to "list one-off containers": 404 page not found\\) `,
      NOT_DOCKER_FIX,
    ),
  },
  {
    what: "not a Docker engine: 200 with a body that is not JSON",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: `unix://${FAKE_ENGINES[200]}` },
    code: 125,
    says: re(
      `^oneoff: the engine at unix://${FAKE_ENGINES[200].replace(/\./g, "\\.")} does not answer like a Docker Engine API \\(image inspect returned no image ID\\) `,
      NOT_DOCKER_FIX,
    ),
  },
  {
    what: "not a Docker engine: 200 not JSON, oneoff cleanup",
    args: ["cleanup"],
    env: { DOCKER_HOST: `unix://${FAKE_ENGINES[200]}` },
    code: 125,
    says: re(
      `^oneoff: the engine at unix://${FAKE_ENGINES[200].replace(/\./g, "\\.")} does not answer like a Docker Engine API \\(the container list is not a list of containers\\) `,
      NOT_DOCKER_FIX,
    ),
  },
  {
    what: "oneoff cleanup: missing socket",
    args: ["cleanup"],
    env: { DOCKER_HOST: "unix:///tmp/oneoff-faults-no-engine.sock" },
    code: 125,
    says: re("^oneoff: cannot reach the Docker engine at unix:///tmp/oneoff-faults-no-engine\\.sock: no engine socket there ", UNREACHABLE),
  },
  {
    what: "DOCKER_TLS_VERIFY without certificates",
    args: ["run", ...REL, "--", "true"],
    env: { DOCKER_HOST: "tcp://127.0.0.1:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/nonexistent/certs" },
    code: 125,
    says: /^oneoff: DOCKER_TLS_VERIFY is set but \/nonexistent\/certs\/ca\.pem cannot be read \(set DOCKER_CERT_PATH to the folder holding ca\.pem, cert\.pem and key\.pem\)$/,
  },
];

/** A fresh working directory per row: its oneoff.yaml and files, or nothing at all. */
function workdirFor(row: BadInput): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oneoff-bad-input-"));
  if (row.config !== undefined) writeFileSync(path.join(dir, "oneoff.yaml"), row.config);
  for (const [name, text] of Object.entries(row.files ?? {})) writeFileSync(path.join(dir, name), text);
  return dir;
}

export async function runRow(
  row: BadInput,
  how: "in-process" | "spawned" = row.spawned ? "spawned" : "in-process",
): Promise<CliResult & { dir: string }> {
  const dir = workdirFor(row);
  const options = { cwd: dir, env: { ONEOFF_RELEASE: undefined, ...row.env } };
  return { ...(await (how === "spawned" ? oneoff : oneoffInProcess)(row.args, options)), dir };
}

/**
 * Rows a spawned oneoff runs too, to show it says what the in-process one says: a config
 * error, a usage error from the flag parser, an environment's bad value, stdin that is no
 * terminal, and the exit codes of a command that cannot be invoked or found in the image.
 */
const ALSO_SPAWNED = [
  "YAML: a tab as indentation",
  "unknown flag, with a suggestion",
  "DOCKER_HOST foo://",
  "-it without a terminal",
  "command not executable",
  "command not found",
];

async function runAll<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

describe("bad input: one line naming the culprit and the fix, the right exit code, nothing created", () => {
  const results: Array<CliResult & { dir: string }> = [];
  const spawnedResults = new Map<string, CliResult & { dir: string }>();
  let containersBefore: string[] = [];
  let containersAfter: string[] = [];

  let stopFakeEngines: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    stopFakeEngines = await startFakeEngines();
    containersBefore = oneOffContainers();
    const alsoSpawned = ALSO_SPAWNED.map((what) => CATALOGUE.find((row) => row.what === what)!);
    const all = await runAll(
      [...CATALOGUE.map((row) => [row] as const), ...alsoSpawned.map((row) => [row, "spawned"] as const)],
      4,
      (args) => runRow(...args),
    );
    results.push(...all.slice(0, CATALOGUE.length));
    alsoSpawned.forEach((row, index) => spawnedResults.set(row.what, all[CATALOGUE.length + index]!));
    containersAfter = oneOffContainers();
  }, 120_000);

  afterAll(async () => {
    await stopFakeEngines?.();
  });

  it("the catalogue has at least 45 rows, each described once", () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CATALOGUE.map((row) => row.what)).size).toBe(CATALOGUE.length);
  });

  it.each(CATALOGUE.map((row, index) => [row.what, row, index] as const))("%s", (_, row, index) => {
    const { code, signal, stdout, stderr } = results[index]!;
    const context = `oneoff ${JSON.stringify(row.args)} said:\n${stderr}`;
    expect(stdout.toString(), context).toBe("");
    expect(stderr, context).not.toMatch(/\n\s+at |\bat .*\.[cm]?[jt]s:\d+/);
    expect(stderr.endsWith("\n"), context).toBe(true);
    const lines = stderr.slice(0, -1).split("\n");
    expect(lines, context).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatch(/^oneoff: /);
    expect(line, "the fix, in parentheses, ends the line").toMatch(/ \(.+\)$/);
    expect(line).toMatch(row.says);
    expect(signal, context).toBeNull();
    expect(code, context).toBe(row.code);
  });

  it("is docs/bad-input.md's table, row for row, with what oneoff said (ONEOFF_UPDATE_DOCS=1 rewrites it)", () => {
    const documented = CATALOGUE.map((row, index) => documentRow(row, results[index]!.stderr, results[index]!.dir, BASE));
    const file = path.join(ROOT, "docs", "bad-input.md");
    if (process.env.ONEOFF_UPDATE_DOCS === "1") rewriteTable(file, documented);
    expect(tableRows(file)).toEqual(documented);
  });

  it("left the engine's one-off containers as they were", () => {
    expect(containersAfter.length).toBe(containersBefore.length);
    expect(containersAfter.sort()).toEqual(containersBefore.sort());
  });

  it.each(ALSO_SPAWNED)("a spawned oneoff says what the in-process one says and exits with its code: %s", (what) => {
    const index = CATALOGUE.findIndex((row) => row.what === what);
    expect(CATALOGUE[index]!.spawned, "a row that runs spawned anyway").toBeUndefined();
    const seen = ({ code, signal, stdout, stderr, dir }: CliResult & { dir: string }) => ({
      code,
      signal,
      stdout: stdout.toString(),
      stderr: stderr.split(dir).join("…"),
    });
    expect(seen(spawnedResults.get(what)!)).toEqual(seen(results[index]!));
  });
});

/** Not errors: words after -- reach the command as they are, however odd. */
describe("odd arguments and big values are passed literally", () => {
  // Spawned: the words go through exec into oneoff's own argv before they reach the engine.
  it("shell metacharacters, quotes and newlines arrive unchanged, one argument each", async () => {
    const words = [
      ";",
      "$(id)",
      "`id`",
      "|",
      "*",
      "a\nb",
      "&&",
      "> /tmp/x",
      "$HOME",
      "${PATH}",
      "\\",
      "'",
      '"',
      "",
      " ",
      "#",
      "~",
      "{a,b}",
      "\t",
      "-e",
      "--",
      "ünï©ødé",
    ];
    const result = await oneoff(["run", "-q", ...REL, "--", "printf", "%s\\0", ...words]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.toString("utf8").split("\0")).toEqual([...words, ""]);
  });

  it("a metacharacter-laden command in a task's list is argv as written", async () => {
    const dir = workdirFor({
      what: "",
      args: [],
      code: 125,
      says: /./,
      config: `${BASE}tasks:\n  m: [printf, "%s|", ";", "$$(id)", "*", "a b"]\n`,
    });
    const result = await oneoffInProcess(["run", "-q", "m"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(";|$(id)|*|a b|");
  });

  it("an -e value as big as one argument may be (128 KiB) reaches the container intact", async () => {
    // Linux refuses any single argv or environment string over 128 KiB (MAX_ARG_STRLEN), so
    // this is the biggest value that can be given with -e at all: spawned, so exec takes it.
    const value = "x".repeat(128 * 1024 - 16);
    const result = await oneoff([
      "run",
      "-q",
      ...REL,
      "-e",
      `BIG=${value}`,
      "--",
      "sh",
      "-c",
      'printf %s "$BIG" | wc -c; printf %s "$BIG" | md5sum',
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [length, digest] = result.stdout.toString().trim().split("\n");
    expect(Number(length)).toBe(value.length);
    expect(digest!.split(/\s/)[0]).toBe(createHash("md5").update(value).digest("hex"));
  });
});
