/**
 * --copy-in LOCAL:CONTAINER_PATH and --copy-out CONTAINER_PATH:LOCAL, as plain data. Pure:
 * whether the local paths exist is checked later, before anything is created.
 */
import path from "node:path";
import { DEFAULT_COPY_OUT_LIMIT_BYTES } from "../formats/flag-values.js";
import { OneoffError } from "../output/errors.js";
import type { FileCopies, FileCopy } from "../types/plan.js";

export type { FileCopies, FileCopy };

/** Parses one flag value; `direction` says which side is local. */
export function parseFileCopy(direction: "in" | "out", value: string, cwd: string): FileCopy {
  const flag = `--copy-${direction}`;
  const shape = direction === "in" ? "LOCAL:CONTAINER_PATH" : "CONTAINER_PATH:LOCAL";
  const example = direction === "in" ? "./seed.sql:/tmp/seed.sql" : "/app/report.csv:./report.csv";
  const given = `${flag} ${value}`;
  const colons = value.split(":").length - 1;
  if (colons === 0) throw new OneoffError(`${given}: no ":" between the two paths`, { hint: `write ${shape}, e.g. ${example}` });
  if (colons > 1) {
    // Either side could hold the colon: guessing would copy the wrong thing.
    throw new OneoffError(`${given}: more than one ":", so where one path ends is unclear`, {
      hint: `a path with a colon cannot be given here: rename it, or copy its parent directory`,
    });
  }
  const [first = "", second = ""] = value.split(":");
  const [localText, containerText] = direction === "in" ? [first, second] : [second, first];
  if (localText === "") throw new OneoffError(`${given}: the local path is empty`, { hint: `write ${shape}, e.g. ${example}` });
  if (containerText === "") throw new OneoffError(`${given}: the container path is empty`, { hint: `write ${shape}, e.g. ${example}` });
  if (!containerText.startsWith("/")) {
    throw new OneoffError(`${given}: the container path "${containerText}" is not absolute`, {
      hint: "start it with /; the workdir is not assumed",
    });
  }
  // docker cp's rules read the ends of paths: a trailing slash means "a directory", a
  // trailing /. means "its contents". path.resolve drops both, so they are put back.
  const keepSlash = (resolved: string, text: string) => {
    if (/(^|\/)\.$/.test(text)) return `${resolved.replace(/\/$/, "")}/.`;
    return text.endsWith("/") && !resolved.endsWith("/") ? `${resolved}/` : resolved;
  };
  return { local: keepSlash(path.resolve(cwd, localText), localText), container: containerText, given };
}

export function parseFileCopies({
  copyIn,
  copyOut,
  cwd,
  detach,
  copyOutLimit = DEFAULT_COPY_OUT_LIMIT_BYTES,
}: {
  copyIn?: readonly string[] | undefined;
  copyOut?: readonly string[] | undefined;
  cwd: string;
  detach: boolean;
  copyOutLimit?: number | undefined;
}): FileCopies {
  const copies = {
    copyIn: (copyIn ?? []).map((value) => parseFileCopy("in", value, cwd)),
    copyOut: (copyOut ?? []).map((value) => parseFileCopy("out", value, cwd)),
    copyOutLimitBytes: copyOutLimit,
  };
  if (detach && copies.copyOut.length) {
    throw new OneoffError("--copy-out cannot be combined with --detach: nobody is there to copy when it ends", {
      hint: "drop --detach, or copy later with: docker cp CONTAINER:PATH LOCAL",
    });
  }
  return copies;
}
