/**
 * Secret values must never reach a terminal, a log or a dry-run listing. Until secrets get
 * their own config section, a value counts as secret when its name says so, and passwords
 * embedded in URLs (postgres://user:pw@host) are masked whatever the name.
 */
export const REDACTED = "<redacted>";

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
  return value.replace(URL_PASSWORD, `$1${REDACTED}$3`);
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
