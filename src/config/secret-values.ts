/**
 * Reads the values of a one-off's secrets on this machine, just before it runs: from the
 * invoking environment, a file, or a command's stdout. Each value joins the redaction set at
 * once. Errors name the config line and say the fix; they never quote a command or its
 * output: the output may be (part of) the secret, and the command may hold a token itself.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { OneoffError } from "../output/errors.js";
import { rememberSecretValue } from "../output/redact.js";
import { sourceLocation, type SecretDefinition } from "./secrets.js";
import { ownValue } from "../formats/user-keys.js";
import { formatDuration } from "../formats/units.js";

export interface SecretValue {
  secret: SecretDefinition;
  value: Buffer;
}

/** How long a secret's command may take (a password manager may wait for its user). */
const COMMAND_TIMEOUT_MS = 120_000;

export function readSecretValues(
  secrets: readonly SecretDefinition[],
  hostEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
  commandTimeoutMs = COMMAND_TIMEOUT_MS,
): SecretValue[] {
  return secrets.map((secret) => {
    const value = readOne(secret, hostEnv, cwd, commandTimeoutMs);
    rememberSecretValue(value.toString("utf8"));
    return { secret, value };
  });
}

/**
 * For --dry-run and diff, which must not run a secret's command: the values that can be read
 * without side effects (environment, files) join the redaction set, so a value also typed into
 * the command line is masked in the listing, and come back for diff to compare. Unreadable
 * ones are left for the real run to report.
 */
export function rememberReadableSecrets(
  secrets: readonly SecretDefinition[],
  hostEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
): SecretValue[] {
  const read: SecretValue[] = [];
  for (const secret of secrets) {
    if (secret.source.kind === "command") continue;
    try {
      const value = readOne(secret, hostEnv, cwd);
      rememberSecretValue(value.toString("utf8"));
      read.push({ secret, value });
    } catch {
      // Reported by the run itself.
    }
  }
  return read;
}

function readOne(
  secret: SecretDefinition,
  hostEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
  commandTimeoutMs = COMMAND_TIMEOUT_MS,
): Buffer {
  const { kind, value: from } = secret.source;
  const fail = (why: string, hint: string) => new OneoffError(`${secret.sourceAt}: ${why}`, { hint });
  if (kind === "env") {
    const value = ownValue(hostEnv, from);
    if (value === undefined)
      throw fail(
        `${from} is not set in your environment`,
        `export ${from} before running oneoff, or take secret ${secret.name} from a file: or command:`,
      );
    return Buffer.from(value, "utf8");
  }
  if (kind === "file") {
    try {
      return readFileSync(from);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "does not exist"
          : code === "EACCES"
            ? "is not readable by you"
            : code === "EISDIR"
              ? "is a directory"
              : `cannot be read (${code ?? "error"})`;
      throw fail(`${from} ${why}`, "point file: at a readable file (relative paths start at oneoff.yaml)");
    }
  }
  // The command's stderr is the user's to see (a tool may ask for a passphrase there); its
  // stdout is the value and is never shown.
  const result = spawnSync("/bin/sh", ["-c", from], {
    cwd,
    env: hostEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "inherit"],
    timeout: commandTimeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const hint = `run the command at ${sourceLocation(secret)} yourself to see why`;
  if (result.error)
    throw fail(
      `the command could not be run or did not finish in ${formatDuration(commandTimeoutMs)} (${(result.error as NodeJS.ErrnoException).code ?? "error"})`,
      hint,
    );
  if (result.signal) throw fail(`the command was killed by ${result.signal}`, hint);
  if (result.status !== 0) throw fail(`the command exited with ${result.status}`, hint);
  // One trailing newline ends a printed value (`pass show`, `echo`); it is not part of it.
  const output = result.stdout;
  const end = output.length - (output.at(-1) === 0x0a ? (output.at(-2) === 0x0d ? 2 : 1) : 0);
  if (end === 0) throw fail("the command printed nothing", hint);
  return output.subarray(0, end);
}
