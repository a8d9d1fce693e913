/**
 * What a mount's mode may say, in docker's words, and the one parser of them: `-v`'s mode
 * (`z,ro`, `ro,nocopy`, `rslave`), compose's short form, and a running container's Binds read
 * back for --from all go through parseMountMode; `--mount`'s options and compose's long form
 * check each value against the same lists. Pure.
 */

import type { Consistency, Mount, Propagation } from "../types/config.js";

/** Bind propagation (a bind only). */
const PROPAGATIONS: readonly Propagation[] = ["rprivate", "private", "rshared", "shared", "rslave", "slave"];

/** Consistency (macOS file sharing; the Linux engine keeps it and ignores it). "default" is --mount's only. */
const CONSISTENCIES: readonly Consistency[] = ["consistent", "cached", "delegated"];

/** SELinux relabelling: z shares the label between containers, Z makes it private. */
type SelinuxLabel = NonNullable<Mount["selinuxLabel"]>;

export interface MountMode {
  readOnly: boolean;
  selinuxLabel?: SelinuxLabel;
  propagation?: Propagation;
  /** A volume only: the image's files at the target are not copied into a new, empty volume. */
  noCopy?: boolean;
  consistency?: Consistency;
}

export const isPropagation = (word: string): word is Propagation => (PROPAGATIONS as readonly string[]).includes(word);
/** What --mount consistency= and compose's consistency: take. */
export const isConsistency = (word: string): word is Consistency =>
  word === "default" || (CONSISTENCIES as readonly string[]).includes(word);

/** Which group a mode word is of: each group at most once in a mode, as the engine checks. */
function groupOf(word: string): keyof MountMode | undefined {
  if (word === "ro" || word === "rw") return "readOnly";
  if (word === "z" || word === "Z") return "selinuxLabel";
  if (isPropagation(word)) return "propagation";
  if (word === "nocopy") return "noCopy";
  if ((CONSISTENCIES as readonly string[]).includes(word)) return "consistency";
  return undefined;
}

/**
 * `-v SOURCE:TARGET:MODE`'s MODE (comma-separated words, any order) for a mount of `type`, or
 * why the engine would refuse it. Only a mode holding `ro` is read-only: `z,ro` is as
 * read-only as `ro,z`.
 */
export function parseMountMode(text: string, type: "bind" | "volume"): MountMode | string {
  const mode: MountMode = { readOnly: false };
  if (text === "") return mode;
  const seen = new Set<keyof MountMode>();
  for (const word of text.split(",")) {
    const group = groupOf(word);
    if (group === undefined) return `unknown mode "${word}" (use ro or rw, z or Z, nocopy, a propagation such as rslave, or cached)`;
    if (seen.has(group)) return `the mode "${text}" says ${groupNames[group]} twice`;
    seen.add(group);
    if (group === "readOnly") mode.readOnly = word === "ro";
    else if (group === "selinuxLabel") mode.selinuxLabel = word as SelinuxLabel;
    else if (group === "propagation") mode.propagation = word as Propagation;
    else if (group === "noCopy") mode.noCopy = true;
    else mode.consistency = word as Consistency;
  }
  if (type === "bind" && mode.noCopy) return "nocopy is for a volume, and this is a bind of a host path";
  if (type === "volume" && mode.propagation) return `${mode.propagation} is a bind's propagation, and this is a volume`;
  return mode;
}

const groupNames: Record<keyof MountMode, string> = {
  readOnly: "ro/rw",
  selinuxLabel: "z/Z",
  propagation: "a propagation",
  noCopy: "nocopy",
  consistency: "a consistency",
};

/** The booleans `--mount` takes (Go's strconv.ParseBool, as the docker CLI reads them). */
export function parseMountBoolean(text: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  return undefined;
}
