/**
 * Splits argv at the first `--`: everything after it is the one-off's command, passed on
 * untouched (never re-parsed by us or by a shell), even words that look like flags.
 */
export function splitAtDoubleDash(argv: readonly string[]): { own: string[]; command: string[] | undefined } {
  const index = argv.indexOf("--");
  if (index < 0) return { own: [...argv], command: undefined };
  return { own: argv.slice(0, index), command: argv.slice(index + 1) };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
