/**
 * `oneoff replay`'s logic: a stored asciicast read back (it came from the engine: every line is
 * checked, one that is not an event is skipped), the pauses between its events at a speed with
 * an idle limit, and the standard v2 file asciinema plays. Pure but for the player, whose sleep
 * and streams are given.
 */

export interface CastEvent {
  seconds: number;
  code: string;
  data: string;
}

export interface ParsedCast {
  /** The header line, as it was stored. */
  header: string;
  events: CastEvent[];
}

export function parseCast(text: string): ParsedCast | undefined {
  const lines = text.split("\n").filter((line) => line !== "");
  const header = lines[0];
  if (header === undefined) return undefined;
  try {
    if ((JSON.parse(header) as { version?: unknown }).version !== 2) return undefined;
  } catch {
    return undefined;
  }
  const events = lines.slice(1).flatMap((line) => {
    try {
      const event: unknown = JSON.parse(line);
      if (!Array.isArray(event) || typeof event[0] !== "number" || !Number.isFinite(event[0])) return [];
      if (typeof event[1] !== "string" || typeof event[2] !== "string") return [];
      return [{ seconds: event[0], code: event[1], data: event[2] }];
    } catch {
      return [];
    }
  });
  return { header, events };
}

/**
 * Pure: the pause before each event, in milliseconds: the time since the previous event (the
 * first: since the start), capped at `idleLimitSeconds` when given, divided by `speed`.
 */
export function replayDelays(events: readonly Pick<CastEvent, "seconds">[], speed: number, idleLimitSeconds?: number): number[] {
  let previous = 0;
  return events.map((event) => {
    const gap = Math.max(0, event.seconds - previous);
    previous = Math.max(previous, event.seconds);
    const capped = idleLimitSeconds === undefined ? gap : Math.min(gap, idleLimitSeconds);
    return (capped * 1000) / speed;
  });
}

/**
 * Pure: the cast as the standard asciicast v2 file, which `asciinema play` reads: oneoff's "e"
 * (a one-off's stderr without a terminal) becomes "o", which asciinema plays (it skips "e").
 */
export function standardCast(cast: ParsedCast): string {
  const lines = cast.events.map((event) => JSON.stringify([event.seconds, event.code === "e" ? "o" : event.code, event.data]));
  return `${[cast.header, ...lines].join("\n")}\n`;
}

/**
 * Plays the cast: "o" to stdout, "e" to stderr, each after its pause. Resizes are not applied
 * to the operator's terminal, typing ("i") is not shown again (its echo is in the output), and
 * a marker (the recording was cut) is said on stderr where it falls.
 */
export async function playCast(
  cast: ParsedCast,
  out: { stdout: (text: string) => void; stderr: (text: string) => void },
  how: { speed: number; idleLimitSeconds?: number | undefined; sleep: (ms: number) => Promise<void> },
): Promise<void> {
  const delays = replayDelays(cast.events, how.speed, how.idleLimitSeconds);
  for (const [index, event] of cast.events.entries()) {
    const delay = delays[index] ?? 0;
    if (delay > 0) await how.sleep(delay);
    if (event.code === "o") out.stdout(event.data);
    else if (event.code === "e") out.stderr(event.data);
    else if (event.code === "m") out.stderr(`\noneoff: ${event.data}\n`);
  }
}
