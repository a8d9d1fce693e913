/**
 * A Swarm job's service name. Swarm takes a service name only as a DNS label (swarmkit's
 * controlapi: `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`, at most 63 characters), so an app named
 * after its folder (`example.com`, `my.app`, every `mktemp -d`) cannot name its job as a
 * container is named. The name keeps what it can of the app's own, and the app label keeps the
 * app's name as written. Pure.
 */
// node:crypto, as wherever oneoff hashes: every run loads it anyway (its run ID, the owner's hashes).
import { createHash } from "node:crypto";
import type { RunPlan } from "../types/plan.js";

const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const SERVICE_NAME_MAX = 63;
/** A lock's share of its job's name, so that the app's part keeps room to be recognised. */
const LOCK_PART_MAX = 24;
const HASH_LENGTH = 6;

/** Whether Swarm takes `name` as a service's name (for a name the user chose, which is never rewritten). */
export function isServiceName(name: string): boolean {
  return name.length <= SERVICE_NAME_MAX && SERVICE_NAME.test(name);
}

/**
 * `shop-migrate-run-1a2b3c`, `shop-lock-release` as for containers; `my.app` becomes
 * `my-app-<hash>-run-1a2b3c`. The run's suffix and the lock's word stay whole, so the name
 * still says which run or lock it is, and a lock's name is the same for every run.
 */
export function jobServiceName(plan: Pick<RunPlan, "app" | "task" | "lock" | "name">, suffix: string): string {
  const app = plan.app || "oneoff";
  if (plan.lock !== undefined) {
    const lock = dnsLabelPart(plan.lock, LOCK_PART_MAX);
    return `${dnsLabelPart(app, SERVICE_NAME_MAX - "-lock-".length - lock.length)}-lock-${lock}`;
  }
  if (plan.name !== undefined) return plan.name;
  const tail = `-run-${suffix}`;
  const head = plan.task === undefined ? app : `${app}-${plan.task}`;
  return `${dnsLabelPart(head, SERVICE_NAME_MAX - tail.length)}${tail}`;
}

/**
 * `text` as lowercase [a-z0-9-] without a '-' at either end, in at most `room` characters.
 * Text that had to change ends in a hash of what it was, so `my.app` and `my_app` (or two long
 * names alike in their first characters) never share a name, and so never a lock.
 */
function dnsLabelPart(text: string, room: number): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === text && text.length <= room) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
  const kept = cleaned.slice(0, room - HASH_LENGTH - 1).replace(/-+$/, "");
  return kept ? `${kept}-${hash}` : hash;
}
