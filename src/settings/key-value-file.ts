/**
 * The lines of a file that docker run reads as KEY=VALUE entries: --env-file and --label-file
 * go through one reader in the docker CLI, and here too. A byte order mark is dropped; lines end
 * at \n (a \r before it goes with it, as Go's line scanner drops it); leading blanks are
 * trimmed; blank and `#` lines are skipped. The rest is taken as written: each row judges its
 * names and values. Pure.
 */
export interface KeyValueLine {
  /** The line's number in the file, for `FILE:LINE: why`. */
  number: number;
  /** The line, leading blanks trimmed. */
  line: string;
  /** What comes before the first `=` (the whole line when there is none). */
  name: string;
  /** What comes after the first `=`, quotes, `#` and trailing blanks kept; undefined: a bare NAME. */
  value: string | undefined;
}

export function keyValueFileLines(text: string): KeyValueLine[] {
  return text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((raw, index) => ({ number: index + 1, line: raw.replace(/\r$/, "").trimStart() }))
    .filter(({ line }) => line !== "" && !line.startsWith("#"))
    .map(({ number, line }) => {
      const eq = line.indexOf("=");
      return { number, line, name: eq < 0 ? line : line.slice(0, eq), value: eq < 0 ? undefined : line.slice(eq + 1) };
    });
}
