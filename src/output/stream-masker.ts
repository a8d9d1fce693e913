/**
 * Secret values masked in a stream of text that arrives in chunks, as a recording gets a
 * terminal's output: a value may be split across two chunks, so the masker holds back the
 * last (longest secret's length - 1) characters until it knows they do not start a secret.
 * Pure: text in, text out.
 */

/** What a recording shows in place of a secret value (the audit log writes <redacted>; a terminal's width is kept short). */
export const RECORDING_MASK = "*****";

export class StreamMasker {
  private held = "";
  private readonly pattern: RegExp | undefined;
  private readonly longest: number;

  /** `secrets`: the values to mask; none makes it a passthrough that holds nothing back. */
  constructor(secrets: readonly string[]) {
    const values = [...new Set(secrets.filter((secret) => secret.length > 0))].sort((a, b) => b.length - a.length);
    this.longest = values[0]?.length ?? 0;
    // Longest first: where two values start at one place, the longer is masked whole.
    this.pattern = values.length
      ? new RegExp(values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
      : undefined;
  }

  /** The text that is now known to be safe to keep, masked; the rest waits for the next chunk or end(). */
  push(text: string): string {
    if (!this.pattern) return text;
    const buffered = this.held + text;
    // A match starting here or later might be the start of a longer value the next chunk completes.
    const undecidedFrom = Math.max(0, buffered.length - this.longest + 1);
    let out = "";
    let last = 0;
    for (const match of buffered.matchAll(this.pattern)) {
      if (match.index >= undecidedFrom) break;
      out += buffered.slice(last, match.index) + RECORDING_MASK;
      last = match.index + match[0].length;
    }
    const holdFrom = Math.max(last, undecidedFrom);
    this.held = buffered.slice(holdFrom);
    return out + buffered.slice(last, holdFrom);
  }

  /** What was held back, masked: the stream has ended. */
  end(): string {
    const rest = this.held;
    this.held = "";
    return this.pattern ? rest.replace(this.pattern, RECORDING_MASK) : rest;
  }
}
