import { OneoffError } from "../output/errors.js";

/** A config problem, located as precisely as we can: `file:line:column: key.path: what`. */
export function configError(location: string, keyPath: string | undefined, message: string, hint?: string): OneoffError {
  const where = keyPath ? `${location}: ${keyPath}` : location;
  return new OneoffError(`${where}: ${message}`, hint === undefined ? {} : { hint });
}
