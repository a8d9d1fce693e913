/**
 * compose's env files (a service's `env_file:`, the project's `.env`) and oneoff.yaml's
 * `env_file:`, with the quoting people copy from dotenv: `KEY=value`, `export KEY=value`,
 * `KEY="double \"quoted\"\n"`, `KEY='single'`, `# comments` (also after an unquoted value),
 * and a bare `KEY` that takes its value from the invoking environment (left out when unset
 * there). No interpolation inside: a value is taken as written. `--env-file` on the command
 * line is docker's format instead, read by the env row (settings/env-row.ts).
 */
import { envNameProblem, envValueProblem } from "../formats/env-rules.js";
import type { Environment } from "./interpolate.js";
import { ownValue, userKeyed } from "../formats/user-keys.js";

export class DotenvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function parseComposeEnvFile(text: string, hostEnv: Environment): Record<string, string> {
  const result = userKeyed();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("export ")) line = line.slice("export ".length).trimStart();
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    const nameProblem = envNameProblem(key);
    if (nameProblem) throw new DotenvError(nameProblem, lineNumber);
    if (eq < 0) {
      const fromHost = ownValue(hostEnv, key);
      if (fromHost !== undefined) result[key] = fromHost;
      return;
    }
    const value = parseValue(line.slice(eq + 1).trim(), lineNumber);
    const valueProblem = envValueProblem(key, value);
    if (valueProblem) throw new DotenvError(valueProblem, lineNumber);
    result[key] = value;
  });
  return result;
}

function parseValue(value: string, line: number): string {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = findClosingQuote(value, quote);
    if (end < 0) throw new DotenvError(`unterminated ${quote === '"' ? "double" : "single"} quote`, line);
    const trailing = value.slice(end + 1).trim();
    if (trailing !== "" && !trailing.startsWith("#")) {
      throw new DotenvError(`unexpected text after the closing quote: ${trailing}`, line);
    }
    const body = value.slice(1, end);
    return quote === "'" ? body : unescapeDoubleQuoted(body);
  }
  // An unquoted value ends at " #", so `KEY=value # note` works while `KEY=a#b` keeps its #.
  const comment = value.search(/\s#/);
  return (comment < 0 ? value : value.slice(0, comment)).trimEnd();
}

function findClosingQuote(value: string, quote: string): number {
  for (let i = 1; i < value.length; i++) {
    if (quote === '"' && value[i] === "\\") i++;
    else if (value[i] === quote) return i;
  }
  return -1;
}

function unescapeDoubleQuoted(body: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c);
}
