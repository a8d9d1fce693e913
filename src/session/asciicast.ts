/**
 * A one-off's session as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/):
 * a header line, then one JSON array per event, `[seconds, code, data]`. "o" is output, "r" a
 * resize ("COLSxROWS"), "i" what the operator typed (only with `record: input`), "m" a marker;
 * a one-off without a terminal has its stderr as "e", oneoff's own code (asciinema play skips
 * it; `oneoff replay --cast` writes it as "o").
 *
 * Pure but for the clock it is given: chunks in, lines out to a sink. Each stream has its own
 * UTF-8 decoder (a character split across two chunks stays whole) and its own secret masker.
 */
import { StringDecoder } from "node:string_decoder";
import { formatSize } from "../formats/units.js";
import { StreamMasker } from "../output/stream-masker.js";

export type CastStream = "o" | "e" | "i";

export interface CastHeader {
  width: number;
  height: number;
  /** When the session began, in seconds since the epoch. */
  timestamp: number;
  /** TERM and SHELL of the operator's environment, when known. */
  env?: { TERM?: string; SHELL?: string };
  /** The task, or the command as the audit log masks it. */
  title: string;
}

export interface CastOptions {
  /** The secret values masked in every event. */
  secrets: readonly string[];
  /** The most bytes of cast (header included) kept; past it, one marker and nothing more. */
  limitBytes: number;
  /** Milliseconds since the session began. */
  elapsedMs: () => number;
  /** Takes each line of the cast, newline included. */
  sink: (line: string) => void;
}

export class CastWriter {
  private bytes = 0;
  private cut = false;
  private readonly streams = new Map<CastStream, { decoder: StringDecoder; masker: StreamMasker }>();

  constructor(
    header: CastHeader,
    private readonly options: CastOptions,
  ) {
    const env = Object.fromEntries(Object.entries(header.env ?? {}).filter(([, value]) => value !== undefined));
    this.line(JSON.stringify({ version: 2, ...header, env }));
  }

  /** A chunk of a stream as it was written to the terminal (or read from it, for "i"). */
  write(stream: CastStream, chunk: Buffer): void {
    if (this.cut) return;
    const state = this.streamState(stream);
    this.event(stream, state.masker.push(state.decoder.write(chunk)));
  }

  resize(columns: number, rows: number): void {
    this.event("r", `${columns}x${rows}`);
  }

  /** Ends every stream (what a decoder or masker still held), and says whether the cast was cut. */
  end(): { bytes: number; cut: boolean } {
    for (const [stream, state] of this.streams) this.event(stream, state.masker.push(state.decoder.end()) + state.masker.end());
    this.streams.clear();
    return { bytes: this.bytes, cut: this.cut };
  }

  private streamState(stream: CastStream) {
    let state = this.streams.get(stream);
    if (!state) {
      state = { decoder: new StringDecoder("utf8"), masker: new StreamMasker(this.options.secrets) };
      this.streams.set(stream, state);
    }
    return state;
  }

  private event(code: CastStream | "r", data: string): void {
    if (this.cut || data === "") return;
    const seconds = Math.round(this.options.elapsedMs() * 1000) / 1e6;
    const line = JSON.stringify([seconds, code, data]);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.bytes + bytes > this.options.limitBytes) {
      this.cut = true;
      this.line(JSON.stringify([seconds, "m", `recording cut at ${formatSize(this.options.limitBytes)} (record_limit)`]));
      return;
    }
    this.line(line, bytes);
  }

  /** `bytes`: the line's UTF-8 length with its newline, where the caller has it already. */
  private line(text: string, bytes = Buffer.byteLength(text) + 1): void {
    this.bytes += bytes;
    this.options.sink(`${text}\n`);
  }
}
