/**
 * The engine's pull answer: JSON lines of progress, and failures reported inside a 200.
 */
import type { PullProgress } from "../types.js";
import { translateEngineError } from "./errors.js";

export function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function handlePullLine(line: string, name: string, endpoint: string, onProgress: (event: PullProgress) => void): void {
  if (line.trim() === "") return;
  let event: {
    id?: string;
    status?: string;
    progress?: string;
    progressDetail?: { current?: number; total?: number };
    error?: string;
    errorDetail?: { message?: string };
  };
  try {
    event = JSON.parse(line);
  } catch {
    return;
  }
  if (event.error || event.errorDetail) {
    throw translateEngineError({ json: { message: event.errorDetail?.message ?? event.error } }, endpoint, `pull ${name}`);
  }
  if (event.status) {
    const { current, total } = event.progressDetail ?? {};
    onProgress({
      status: event.status,
      id: event.id,
      progress: event.progress,
      current: typeof current === "number" ? current : undefined,
      total: typeof total === "number" && total > 0 ? total : undefined,
    });
  }
}
