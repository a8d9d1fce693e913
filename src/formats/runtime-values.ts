/**
 * The values of docker run's runtime flags as people write them (--tmpfs /run:size=64m,
 * --ulimit nofile=1024:2048, --device /dev/fuse:/dev/fuse:rwm, --sysctl k=v), shared by the
 * flags, oneoff.yaml and compose files. Pure: a value, or a string saying what is wrong.
 */
import type { Device, Ulimit } from "../types/config.js";

/** "/run" or "/run:size=64m,mode=1777" -> [mount point, options]. */
export function parseTmpfs(entry: string): [string, string] | string {
  const colon = entry.indexOf(":");
  const [target, options] = colon < 0 ? [entry, ""] : [entry.slice(0, colon), entry.slice(colon + 1)];
  if (!target.startsWith("/")) return `"${target}" is not an absolute path`;
  return [target, options];
}

/** "nofile=1024:2048" or "nofile=1024" (soft and hard) -> an ulimit. */
export function parseUlimit(entry: string): Ulimit | string {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(entry);
  if (!match) return "not NAME=SOFT[:HARD]";
  const soft = Number(match[2]);
  const hard = match[3] === undefined ? soft : Number(match[3]);
  if (soft > hard && hard !== -1) return `the soft limit ${soft} is above the hard limit ${hard}`;
  return { name: match[1] as string, soft, hard };
}

/** "/dev/fuse", "/dev/fuse:/dev/fuse" or "/dev/fuse:/dev/fuse:rwm" -> a device. */
export function parseDevice(entry: string): Device | string {
  const [host = "", container, permissions] = entry.split(":");
  if (!host.startsWith("/")) return "not HOST_PATH[:CONTAINER_PATH[:rwm]]";
  if (container !== undefined && container !== "" && !container.startsWith("/")) return `"${container}" is not an absolute path`;
  if (permissions !== undefined && !/^[rwm]+$/.test(permissions)) return `"${permissions}" is not some of r, w and m`;
  return { pathOnHost: host, pathInContainer: container || host, permissions: permissions ?? "rwm" };
}

/** "NAME=VALUE" -> [NAME, VALUE], a bare "NAME" -> [NAME, undefined]: split at the first "=". */
export function splitEntry(entry: string): [name: string, value: string | undefined] {
  const eq = entry.indexOf("=");
  return eq < 0 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** "NAME=VALUE" -> [name, value] (the value may be empty, the name not). */
export function parsePair(entry: string): [string, string] | string {
  const eq = entry.indexOf("=");
  if (eq <= 0) return "not NAME=VALUE";
  return [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** os/arch[/variant], as docker and the registries write platforms (linux/amd64, linux/arm64/v8). */
export const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

const IPV4_PART = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_PART}(\\.${IPV4_PART}){3}$`);

/**
 * An IPv4 or IPv6 address, as docker's ParseIP takes one (no leading zeros, no zone). Without
 * node:net, which the CLI would otherwise load for every --help and --dry-run.
 */
export function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * An address as docker's ParseIP(...).String() writes it, which is how the docker CLI sends
 * --dns: trimmed, IPv6 lower-case and compressed, an IPv4-mapped IPv6 address as IPv4.
 */
export function canonicalIp(text: string): string {
  const trimmed = text.trim();
  if (!isIpAddress(trimmed) || !trimmed.includes(":")) return trimmed;
  const host = new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!mapped) return host;
  const [high, low] = [parseInt(mapped[1] as string, 16), parseInt(mapped[2] as string, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}
