/**
 * The --json contract in the tests: every document a test reads is checked against its JSON
 * Schema in docs/schemas/ (ajv) before the test looks inside it.
 */
import { readFileSync } from "node:fs";
import Ajv, { type ValidateFunction } from "ajv";
import { ROOT } from "./helpers.js";

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

function validator(kind: string): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(`${ROOT}/docs/schemas/${kind}.schema.json`, "utf8")) as object);
    validators.set(kind, validate);
  }
  return validate;
}

/** The one JSON document on `stdout`, of schema `kind`; throws when it is not exactly that. */
export function documentOf<T = Record<string, unknown>>(kind: string, stdout: Buffer | string): T {
  const text = stdout.toString();
  const lines = text.split("\n").filter(Boolean);
  if (lines.length !== 1) throw new Error(`expected one JSON document on stdout, got ${lines.length} lines: ${text.slice(0, 300)}`);
  const document = JSON.parse(lines[0] as string) as { schema?: string };
  const validate = validator(kind);
  if (!validate(document))
    throw new Error(`not a valid oneoff/${kind} document: ${ajv.errorsText(validate.errors)}: ${text.slice(0, 300)}`);
  return document as T;
}

/** `ps --json`'s one-offs, its document checked. */
export const oneOffsOf = <T>(stdout: Buffer | string): T[] => documentOf<{ oneOffs: T[] }>("ps", stdout).oneOffs;
