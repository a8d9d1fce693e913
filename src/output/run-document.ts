/**
 * The JSON document `oneoff run --json` prints on stdout: what ran, from which release, how it
 * ended, and (with --capture) its output. Pure.
 */
import { auditableCommand } from "./redact.js";
import type { RunResult } from "../types/result.js";

interface CapturedStream {
  /** utf8 when the bytes are valid UTF-8, else base64. */
  encoding: "utf8" | "base64";
  data: string;
}

export function runDocument(result: RunResult): Record<string, unknown> {
  return {
    id: result.id,
    kind: result.kind,
    name: result.name,
    app: result.app,
    ...(result.task ? { task: result.task } : {}),
    command: auditableCommand(result.command),
    releaseReference: result.releaseReference,
    imageId: result.imageId,
    exitCode: result.exitCode,
    ending: result.ending,
    ...(result.signal ? { signal: result.signal } : {}),
    ...(result.job ? { job: result.job } : {}),
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    durationMs: result.endedAt.getTime() - result.startedAt.getTime(),
    ...(result.warnings?.length ? { warnings: result.warnings } : {}),
    ...(result.output
      ? { output: { stdout: encode(result.output.stdout), stderr: encode(result.output.stderr), truncated: result.output.truncated } }
      : {}),
  };
}

function encode(bytes: Buffer): CapturedStream {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes)
    ? { encoding: "utf8", data: text }
    : { encoding: "base64", data: bytes.toString("base64") };
}
