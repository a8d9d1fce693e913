/**
 * JSON files the docker CLI writes (config.json, a context's meta.json), parsed with one kind
 * of error: `FILE: not valid JSON at line L, column C (HINT)`. Only the position is given:
 * V8's own message quotes the text around it, which may be a credential.
 */
import { OneoffError } from "../output/errors.js";

/** What to do about a broken config.json, wherever oneoff reads it. */
export const DOCKER_CONFIG_FIX =
  "fix or remove that file (docker login rewrites it), or point DOCKER_CONFIG at a directory with a valid config.json";

export function parseJsonFile(text: string, file: string, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new OneoffError(`${file}: not valid JSON${position === undefined ? "" : ` at ${lineAndColumn(text, Number(position))}`}`, {
      hint,
    });
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split("\n");
  return `line ${before.length}, column ${(before[before.length - 1] as string).length + 1}`;
}
