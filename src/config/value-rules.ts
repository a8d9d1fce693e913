/**
 * What a lock name, detach keys and a placement constraint may be, the same wherever they are
 * written (oneoff.yaml, flags). Pure.
 */

/** docker's default: Ctrl-P Ctrl-Q leaves a terminal session running, detached. */
export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** Lock names become part of a container or service name. */
export const LOCK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** docker's notation: comma-separated `ctrl-<letter or @[\\]^_>` or single letters and digits. */
export function isDetachKeys(text: string): boolean {
  return text.split(",").every((key) => /^(ctrl-[a-z@[\\\]^_]|[a-zA-Z0-9])$/.test(key.trim()));
}

/** Swarm's placement syntax: KEY==VALUE or KEY!=VALUE (node.hostname, node.labels.X, ...). */
export function isConstraint(text: string): boolean {
  return /^\s*[\w.-]+\s*(==|!=)\s*\S.*$/.test(text);
}
export const CONSTRAINT_PROBLEM = "not a placement constraint (KEY==VALUE or KEY!=VALUE)";
export const CONSTRAINT_FIX = "e.g. node.hostname==db1 or node.role==manager";
