/**
 * -v/--volume and --mount: one row of settings/table.ts, whose setting is the one-off's mounts
 * in the order given. One row for both flags, because they are one setting everywhere else:
 * compose writes both syntaxes under one key (volumes:, short and long form), a layer's mounts
 * (the flags', a compose service's, --from's) replace a lower layer's whole, and the engine gives
 * a container's back as one list (inspect's Mounts). Each mount keeps how it was written: one in
 * -v's syntax goes to the engine as docker run -v sends it, one in --mount's as --mount's
 * (settings/mount-api.ts). Every mode is read by formats/mount-mode.ts's one parser. Pure.
 */
import { parseMount, parseVolume } from "../formats/mount-syntax.js";
import type { Mount } from "../types/config.js";
import {
  apiMount,
  bindEntry,
  mountFlagValue,
  mountFromApi,
  mountsForCreate,
  mountsOfContainer,
  mountsOfRequest,
  mountText,
} from "./mount-api.js";
import type { ApiMount } from "./mount-api.js";
import { Problem, type ParseContext, type SettingRow } from "./row.js";

const V_FIX = "write [SOURCE:]TARGET[:MODE], such as shop-data:/data, ./conf:/etc/app:z,ro or /scratch";
const MOUNT_FIX = "such as --mount type=volume,source=shop-data,target=/data,readonly (docs/cli.md lists the options)";

/** Each entry read by `read` (-v's or --mount's parser), relative paths from the context's folder, or the first entry at fault. */
function mountsOf(
  entries: readonly string[],
  context: ParseContext | undefined,
  read: (text: string, dir: string) => Mount | string,
  hint: string,
): Mount[] | Problem {
  const mounts: Mount[] = [];
  for (const [index, entry] of entries.entries()) {
    const mount = read(entry, context?.dir ?? process.cwd());
    if (typeof mount === "string") return new Problem(mount, hint, { entry, index });
    mounts.push(mount);
  }
  return mounts;
}

/** A --mount value always starts so as oneoff writes it (mountFlagValue); no -v entry can (a volume name has no =). */
const isMountSyntax = (word: string) => word.startsWith("type=");

/** A word of the row's as diff compares it: the mount it names, however written (mountText). */
function comparedMount(word: string): string {
  const mount = isMountSyntax(word) ? parseMount(word, "/") : parseVolume(word, "/");
  return typeof mount === "string" ? word : mountText(mount);
}

/**
 * The create request's HostConfig.Binds, HostConfig.Mounts and Config.Volumes (mountsForCreate
 * decides which a mount goes as); read back from a request in that order, and from a running
 * container in the order it lists its mounts. A Swarm job's Mounts carry them all, in --mount's
 * form (a service has no other), in the order given.
 */
export function volumeRow(): SettingRow<"volume"> {
  const created = (mounts: readonly Mount[], engineOnThisMachine = true) => mountsForCreate(mounts, engineOnThisMachine);
  const orNone = <T>(list: T[]) => (list.length ? list : undefined);
  return {
    name: "volume",
    shape: "list",
    flag: "--volume",
    short: "-v",
    shownFlag: "-v",
    argument: "<[source:]target[:mode]>",
    repeatable: true,
    help: "mount a named volume or a host path (repeatable)",
    // An anonymous volume: removed with the one-off, so the docker oracle's row leaves nothing.
    example: "/scratch",
    compose: "volumes",
    parse: (given, context) => mountsOf(given, context, parseVolume, V_FIX),
    second: {
      flag: "--mount",
      option: "mount",
      argument: "<type=...,source=...,target=...>",
      help: "mount as docker --mount: type=volume|bind|tmpfs, source, target, readonly (repeatable)",
      parse: (entries, context) => mountsOf(entries, context, parseMount, MOUNT_FIX),
      writes: isMountSyntax,
    },
    api: {
      part: "HostConfig",
      field: "Binds",
      write: (mounts, context) => orNone(created(mounts, context?.engineOnThisMachine).binds),
      read: (binds, _defaults, request) => {
        const host = request?.parts.HostConfig ?? {};
        const mounts = request?.mounted
          ? mountsOfContainer(binds, host.Mounts, request.mounted)
          : mountsOfRequest(binds, request?.parts.Config.Volumes, host.Mounts);
        return orNone(mounts);
      },
      also: [
        { part: "HostConfig", field: "Mounts", write: (mounts, context) => orNone(created(mounts, context?.engineOnThisMachine).mounts) },
        {
          part: "Config",
          field: "Volumes",
          write: (mounts, context) => {
            const { volumes } = created(mounts, context?.engineOnThisMachine);
            return volumes.length ? Object.fromEntries(volumes.map((target) => [target, {}])) : undefined;
          },
        },
      ],
    },
    // -v's entry for a mount written in its syntax (the target alone for an anonymous volume), else --mount's value.
    words: (mounts) =>
      mounts.map((mount) =>
        mount.shortMode === undefined ? mountFlagValue(apiMount(mount)) : mount.source === "" ? mount.target : bindEntry(mount),
      ),
    compared: comparedMount,
    jobField: "Mounts",
    jobForm: {
      toJob: (mounts) => mounts.map(apiMount),
      fromJob: (entries) =>
        orNone((Array.isArray(entries) ? (entries as ApiMount[]) : []).map(mountFromApi).filter((mount) => mount !== undefined)),
    },
  };
}
