/**
 * Secret values must never reach a terminal, a log or a dry-run listing. A value counts as
 * secret when its variable's name says so, when it is a password embedded in a URL
 * (postgres://user:pw@host), and when it is the value of one of the `secrets:` the one-off
 * got: those are remembered here once read, and masked wherever they appear.
 */
import { escapeJsonControls } from "./escape-controls.js";

export const REDACTED = "<redacted>";

/** Known secret values, longest first so a value containing another is masked whole. */
let secretValues: string[] = [];
// Shorter values would mask ordinary words; a secret this short protects nothing anyway.
const SHORTEST_MASKED = 4;

/** Adds a secret value (and each long line of a multi-line one, such as a PEM key) to the set masked everywhere. */
export function rememberSecretValue(value: string): void {
  const candidates = [
    value.trim(),
    ...value
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length >= 8),
  ];
  const added = candidates.filter((candidate) => candidate.length >= SHORTEST_MASKED && !secretValues.includes(candidate));
  secretValues = [...secretValues, ...added].sort((a, b) => b.length - a.length);
}

/** The remembered secret values, longest first: what a recording masks (stream-masker.ts). */
export function knownSecretValues(): readonly string[] {
  return secretValues;
}

/** `text` with every remembered secret value masked. */
export function redactSecretValues(text: string): string {
  let result = text;
  for (const value of secretValues) if (result.includes(value)) result = result.split(value).join(REDACTED);
  return result;
}

/**
 * `document` as JSON with every remembered secret masked in each string before it is encoded:
 * once encoded, a value holding `"` or `\` reads `\"` or `\\` and a search for it misses.
 */
export function redactedJson(document: unknown, indent?: number): string {
  return escapeJsonControls(
    JSON.stringify(document, (_key, value: unknown) => (typeof value === "string" ? redactSecretValues(value) : value), indent),
  );
}

const SECRET_NAME = /(pass(word|wd)?|secret|token|api_?key|private_?key|credential|auth|cookie|session_key|signing_key|_key$)/i;
// scheme://user:PASSWORD@host, anywhere in the value, every occurrence. The password runs to
// the last @ before the host part ends, so an unescaped @ inside it is masked too.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s,;]*:)([^\s,;]*)(@[^@/\s,;]*(?=[/\s,;?#]|$))/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The value as it may be shown for the variable `name`. */
export function redactEnvValue(name: string, value: string, extraSecretNames: ReadonlySet<string> = new Set()): string {
  if (extraSecretNames.has(name) || isSecretName(name)) return REDACTED;
  return redactSecretValues(value.replace(URL_PASSWORD, `$1${REDACTED}$3`));
}

/** `KEY=VALUE` entries (the Engine API's Env form) with secret values masked. */
export function redactEnvList(env: readonly string[], extraSecretNames?: ReadonlySet<string>): string[] {
  return env.map((entry) => {
    const eq = entry.indexOf("=");
    if (eq < 0) return entry;
    const name = entry.slice(0, eq);
    return `${name}=${redactEnvValue(name, entry.slice(eq + 1), extraSecretNames)}`;
  });
}

/**
 * What argv may be written down: URL passwords masked, and the value of a `name=value` or
 * `--name=value` word whose name says secret (`--password=...`, `API_TOKEN=...`).
 */
export function auditableCommand(command: readonly string[]): string[] {
  return command.map((word) => {
    const assignment = /^(-{0,2}[\w.-]+)=/.exec(word);
    if (assignment && isSecretName((assignment[1] as string).replace(/^-+/, ""))) return `${assignment[1]}=${REDACTED}`;
    return redactEnvValue("ARG", word);
  });
}
