/**
 * Mounts -> what the Engine API takes, and back: the volume row's fields (settings/volume-row.ts).
 * Pure.
 *
 * docker run sends `-v` as HostConfig.Binds (`-v /path` alone as Config.Volumes) and `--mount`
 * as HostConfig.Mounts, and the engine treats them apart: a missing host folder of a Binds
 * entry is made, of a Mounts bind refused; z/Z relabel only in Binds. A mount goes the way it
 * was written, except a short-syntax bind on an engine that is not on this machine: that goes
 * as a Mounts bind, so that a path that exists only here is refused in one line rather than
 * made up empty over there (z/Z still need Binds, and take that risk).
 */
import type { Mount } from "../types/config.js";
import { parseVolume } from "../formats/mount-syntax.js";

/** HostConfig.Mounts' entry (also a Swarm service's ContainerSpec.Mounts). */
export interface ApiMount {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface CreateMounts {
  binds: string[];
  /** Anonymous volumes by target: Config.Volumes. */
  volumes: string[];
  mounts: ApiMount[];
}

export function mountsForCreate(mounts: readonly Mount[], engineOnThisMachine: boolean): CreateMounts {
  const made: CreateMounts = { binds: [], volumes: [], mounts: [] };
  for (const mount of mounts) {
    const asBind = mount.shortMode !== undefined && (mount.type === "volume" || engineOnThisMachine || mount.selinuxLabel !== undefined);
    if (asBind && mount.source === "") made.volumes.push(mount.target);
    else if (asBind) made.binds.push(bindEntry(mount));
    else made.mounts.push(apiMount(mount));
  }
  return made;
}

/** `SOURCE:TARGET[:MODE]`, the mode as written. */
export function bindEntry(mount: Mount): string {
  return `${mount.source}:${mount.target}${mount.shortMode ? `:${mount.shortMode}` : ""}`;
}

export function apiMount(mount: Mount): ApiMount {
  // A false flag or an empty text is left out, as docker leaves it out; so is an options
  // object with nothing set (the engine refuses some options for another mount type).
  const bindOptions = { Propagation: mount.propagation || undefined, NonRecursive: mount.nonRecursive || undefined };
  const driver = { Name: mount.volumeDriver || undefined, Options: mount.volumeOptions };
  const volumeOptions = { NoCopy: mount.noCopy || undefined, Labels: mount.volumeLabels, DriverConfig: anySet(driver) };
  const tmpfsOptions = { SizeBytes: mount.tmpfsSizeBytes || undefined, Mode: mount.tmpfsMode };
  return {
    Type: mount.type,
    Source: mount.source || undefined,
    Target: mount.target,
    ReadOnly: mount.readOnly || undefined,
    Consistency: mount.consistency,
    BindOptions: anySet(bindOptions),
    VolumeOptions: anySet(volumeOptions),
    TmpfsOptions: anySet(tmpfsOptions),
  };
}

/** `options` when any of its fields is set, else undefined. */
function anySet<T extends object>(options: T): T | undefined {
  return Object.values(options).some((value) => value !== undefined) ? options : undefined;
}

/** A Mounts entry as a Mount (--from a container or a service). Types other than volume, bind and tmpfs: undefined. */
export function mountFromApi(entry: ApiMount): Mount | undefined {
  if (entry.Type !== "volume" && entry.Type !== "bind" && entry.Type !== "tmpfs") return undefined;
  const { BindOptions: bind, VolumeOptions: volume, TmpfsOptions: tmpfs } = entry;
  const mount: Mount = { type: entry.Type, source: entry.Source ?? "", target: entry.Target, readOnly: entry.ReadOnly === true };
  if (entry.Consistency) mount.consistency = entry.Consistency as NonNullable<Mount["consistency"]>;
  if (bind?.Propagation) mount.propagation = bind.Propagation as NonNullable<Mount["propagation"]>;
  if (bind?.NonRecursive) mount.nonRecursive = true;
  if (volume?.NoCopy) mount.noCopy = true;
  if (volume?.Labels && Object.keys(volume.Labels).length) mount.volumeLabels = volume.Labels;
  if (volume?.DriverConfig?.Name) mount.volumeDriver = volume.DriverConfig.Name;
  if (volume?.DriverConfig?.Options && Object.keys(volume.DriverConfig.Options).length) mount.volumeOptions = volume.DriverConfig.Options;
  if (tmpfs?.SizeBytes) mount.tmpfsSizeBytes = tmpfs.SizeBytes;
  if (tmpfs?.Mode !== undefined) mount.tmpfsMode = tmpfs.Mode;
  return mount;
}

/** `--mount`'s value for an entry, as the docker CLI reads it back. */
export function mountFlagValue(entry: ApiMount): string {
  const { BindOptions: bind, VolumeOptions: volume, TmpfsOptions: tmpfs } = entry;
  return [
    `type=${entry.Type}`,
    ...(entry.Source ? [`source=${entry.Source}`] : []),
    `target=${entry.Target}`,
    ...(entry.ReadOnly ? ["readonly"] : []),
    ...(entry.Consistency ? [`consistency=${entry.Consistency}`] : []),
    ...(bind?.Propagation ? [`bind-propagation=${bind.Propagation}`] : []),
    ...(bind?.NonRecursive ? ["bind-nonrecursive"] : []),
    ...(volume?.NoCopy ? ["volume-nocopy"] : []),
    ...(volume?.DriverConfig?.Name ? [`volume-driver=${volume.DriverConfig.Name}`] : []),
    ...Object.entries(volume?.DriverConfig?.Options ?? {}).map(([key, value]) => `volume-opt=${key}=${value}`),
    ...Object.entries(volume?.Labels ?? {}).map(([key, value]) => `volume-label=${key}=${value}`),
    ...(tmpfs?.SizeBytes ? [`tmpfs-size=${tmpfs.SizeBytes}`] : []),
    ...(tmpfs?.Mode !== undefined ? [`tmpfs-mode=${tmpfs.Mode.toString(8)}`] : []),
  ].join(",");
}

/**
 * One line per mount for diff, the same however it was written (`-v` or `--mount`): source,
 * target and what it is mounted with, in one order.
 */
export function mountText(mount: Mount): string {
  const options = [
    ...(mount.readOnly ? ["ro"] : []),
    ...(mount.selinuxLabel ? [mount.selinuxLabel] : []),
    ...(mount.propagation ? [mount.propagation] : []),
    ...(mount.nonRecursive ? ["nonrecursive"] : []),
    ...(mount.noCopy ? ["nocopy"] : []),
    ...(mount.consistency ? [mount.consistency] : []),
    ...(mount.volumeDriver ? [`driver=${mount.volumeDriver}`] : []),
    ...Object.entries(mount.volumeOptions ?? {}).map(([key, value]) => `opt=${key}=${value}`),
    ...(mount.tmpfsSizeBytes ? [`size=${mount.tmpfsSizeBytes}`] : []),
    ...(mount.tmpfsMode !== undefined ? [`mode=${mount.tmpfsMode.toString(8)}`] : []),
  ];
  return `${mount.source}:${mount.target}${options.length ? `:${options.join(",")}` : ""}`;
}

/**
 * The mounts a create request asks for, in the body's order: its Binds (read with -v's parser,
 * the mode as written), anonymous Volumes, then Mounts.
 */
export function mountsOfRequest(binds: unknown, volumes: unknown, mounts: unknown): Mount[] {
  const anonymous = Object.keys(volumes && typeof volumes === "object" ? volumes : {}).map((target): Mount => ({
    type: "volume",
    source: "",
    target,
    readOnly: false,
    shortMode: "",
  }));
  return [...bindsOf(binds), ...anonymous, ...givenOf(mounts)];
}

const bindsOf = (binds: unknown): Mount[] =>
  (Array.isArray(binds) ? binds : []).map((entry) => parseVolume(String(entry), "/")).filter((mount) => typeof mount !== "string");
const givenOf = (mounts: unknown): Mount[] =>
  (Array.isArray(mounts) ? (mounts as ApiMount[]) : []).map(mountFromApi).filter((mount) => mount !== undefined);

/** A mount point of a running container (inspect's Mounts). */
interface MountPoint {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
  RW?: boolean;
}

/**
 * A running container's mounts as it was given them, in the order the engine lists what it has
 * mounted: a Binds entry read back with the same parser as -v (its mode as written), a Mounts
 * entry with its options; what neither names (an anonymous volume, or one the image declares)
 * as the volume it is, by name.
 */
export function mountsOfContainer(binds: unknown, mounts: unknown, mounted: readonly unknown[]): Mount[] {
  const fromBinds = bindsOf(binds);
  const given = givenOf(mounts);
  const found: Mount[] = [];
  for (const point of mounted as readonly MountPoint[]) {
    const target = point.Destination ?? "";
    const named = fromBinds.find((mount) => mount.target === target) ?? given.find((mount) => mount.target === target);
    if (named) found.push(named);
    else if (point.Type === "volume" || point.Type === "bind" || point.Type === "tmpfs")
      found.push({
        type: point.Type,
        source: point.Type === "volume" ? (point.Name ?? "") : point.Type === "bind" ? (point.Source ?? "") : "",
        target,
        readOnly: !point.RW,
      });
  }
  return found;
}
