/**
 * A Procfile's process types as tasks (`web: bundle exec puma`, `release: rake db:migrate`).
 * Heroku runs each line with a shell, so the task does too: ["sh", "-c", LINE]. Pure.
 */
import type { TaskDefinition } from "../types/config.js";

export class ProcfileError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * `heroku run worker a b` appends the words to the line. `sh -c 'LINE "$@"' worker a b` does
 * that with each word arriving as written (no splitting, no expansion), where `sh -c LINE a b`
 * would make them $0 and $1. Without words the line runs as written: `LINE "$@"` would turn a
 * line ending in `;` into one that exits 0 whatever it ran.
 */
export function shellLineWithWords(name: string, line: string, words: readonly string[]): string[] {
  return words.length === 0 ? ["sh", "-c", line] : ["sh", "-c", `${line} "$@"`, name, ...words];
}

export function parseProcfile(text: string, displayPath: string): TaskDefinition[] {
  const tasks: TaskDefinition[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
    if (!match) throw new ProcfileError(`"${line.slice(0, 40)}" is not "name: command"`, index + 1);
    const [, name, command] = match as unknown as [string, string, string];
    if (command === "") throw new ProcfileError(`process type ${name} has no command`, index + 1);
    const source = `${displayPath}:${index + 1}`;
    tasks.push({
      name,
      command: ["sh", "-c", command],
      shellLine: command,
      source,
      overrides: { source, settings: {} },
      envFileLayers: [],
    });
  });
  return tasks;
}
