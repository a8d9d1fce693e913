/**
 * Volumes, mounts and env files against the docker CLI (issue 32): for each row, `docker run`
 * and `oneoff run` with the same flags must show a probe the same mounts (options,
 * propagation, what a write does), the same /etc and the same env; and the two containers the
 * same settings in `docker inspect`. A row whose runs change what the next finds (a host folder
 * created, a volume filled) gives each side its own folder or volume. Rows that each mount one
 * target of their own share one container per side (`together`), each compared on its target.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { comparedByBoth, seenByBoth, type ComparedByBoth, type OracleFlags } from "./docker-oracle.js";
import { docker, expectNoLeftovers, type CliOptions } from "./helpers.js";

expectNoLeftovers();

const work = mkdtempSync(path.join(os.tmpdir(), "oneoff-mounts-"));
/** Every volume a row names starts so, and is removed after the file. */
const VOLUMES = `oneoff-mounts-${process.pid}`;

/**
 * Shared and slave binds need a source on a shared mount, which this machine's / is not: a
 * folder of the work folder, bind-mounted onto itself and made shared, undone after the file.
 */
const SHARED = path.join(work, "shared");
execFileSync("mkdir", ["-p", SHARED]);
execFileSync("mount", ["--bind", SHARED, SHARED]);
execFileSync("mount", ["--make-rshared", SHARED]);

afterAll(() => {
  execFileSync("umount", [SHARED]);
  const left = docker("volume", "ls", "-q", "--filter", `name=${VOLUMES}`).split("\n").filter(Boolean);
  if (left.length) docker("volume", "rm", "-f", ...left);
  rmSync(work, { recursive: true, force: true });
});

type Side = "docker" | "oneoff";

/** A host folder for a row (and side), made now; `fresh` ones are left for the run to make. */
function folder(name: string, options: { fresh?: boolean } = {}): string {
  const dir = path.join(work, name);
  if (!options.fresh) execFileSync("mkdir", ["-p", dir]);
  return dir;
}
const volume = (name: string, side?: Side) => `${VOLUMES}-${name}${side ? `-${side}` : ""}`;

/**
 * What the container sees of its mounts under /m (and /etc): options, propagation (peer
 * groups numbered alike), type and super options; whether a write there is taken; how many
 * entries /etc has (a volume there without nocopy gets the image's); its env; and the names of
 * its anonymous volumes, split so that normalising leaves them be.
 */
const PROBE = [
  'awk \'$5 ~ /^\\/(m\\/|etc$)/ { t = ""; for (i = 7; $i != "-"; i++) t = t " " $i; print "mount:" $5, $6, "tags:" t, $(i+1), $(i+3) }\' /proc/1/mountinfo | sed \'s/\\(shared\\|master\\):[0-9]*/\\1:N/g\' | sort',
  "for d in $(awk '$5 ~ /^\\/m\\// {print $5}' /proc/1/mountinfo | sort); do (echo written > $d/.written) 2>/dev/null && echo write:$d=ok || echo write:$d=refused; done",
  "echo etc-entries=$(ls -A /etc | wc -l)",
  "env | grep -v '^HOSTNAME=' | sort | sed 's/^/env:/'",
  'awk \'$4 ~ /^\\/var\\/lib\\/docker\\/volumes\\/[0-9a-f]{64}\\// {split($4, p, "/"); print "anonymous:" $5, substr(p[6], 1, 32), substr(p[6], 33)}\' /proc/1/mountinfo',
].join("; ");

/** A row's containers are compared in `docker inspect` as they ran the probe (comparedByBoth). */
const AS_SEEN = "as seen";

interface Row {
  /**
   * Run the probe under both; it must see each of `sees` (not two empty outputs alike).
   * `attached`: by `docker run --rm` and an attached `oneoff run`, for a row that checks what
   * their own removal takes with it (comparedByBoth removes both containers itself).
   */
  seen?: { flags: OracleFlags; sees: RegExp[]; cli?: CliOptions; exitCode?: number; attached?: true };
  /** Compare `docker inspect` of both: of the containers that ran the probe (AS_SEEN), or of these flags'. */
  created?: OracleFlags | typeof AS_SEEN;
  /** What must hold afterwards on this machine or the engine, for each side. */
  after?: (side: Side) => void;
  /**
   * Runs `seen.flags` in one container per side with the other rows of `group` (TOGETHER) and
   * compares what concerns `target`, the one place the row's flags mount something: the probe's
   * lines about it and the container's Binds and Mounts entries for it, as its own container's
   * would have been compared. Such a row has no `cli`, `exitCode`, `attached` or `created`.
   */
  together?: { group: Group; target: string };
}

/**
 * Rows whose flags mount one target of their own and need no working folder, environment or
 * exit of their own run together: one container per side for a group instead of one per row
 * (the engine's start is most of a row's time, docs/development.md). The group's own tests
 * compare what no row claims (the rest of the probe's output and of the settings). Rows that
 * set shared or slave propagation are a group of their own: docker makes the container's root
 * shared or slave for them, which a mount with no propagation of its own (a tmpfs) would take.
 */
type Group = "private" | "propagation";

const perSide = (make: (side: Side) => string[]): OracleFlags => make;
const written = (dir: string) => readFileSync(path.join(dir, ".written"), "utf8");
/** A file in a volume of the local engine, read from its folder here rather than by a container of its own. */
const inVolume = (name: string, file: string) =>
  readFileSync(path.join(docker("volume", "inspect", "-f", "{{.Mountpoint}}", name), file), "utf8");

const ENV_FILE = path.join(work, "docker.env");
writeFileSync(
  ENV_FILE,
  [
    "# a comment line",
    "",
    'QUOTED="a b"',
    "SINGLE='x'",
    "HASH=a # not a comment",
    "   INDENTED=kept",
    "TRAILING=space   ",
    "EMPTY=",
    "PASSED",
    "NOT_SET_HERE",
    "",
  ].join("\n"),
);

const ROWS: Record<string, Row> = {
  "-v DIR:/m/z:z": {
    seen: { flags: ["-v", `${folder("z")}:/m/z:z`], sees: [/^write:\/m\/z=ok$/m] },
    together: { group: "private", target: "/m/z" },
  },
  "-v DIR:/m/Z:Z": {
    seen: { flags: ["-v", `${folder("Z")}:/m/Z:Z`], sees: [/^write:\/m\/Z=ok$/m] },
    together: { group: "private", target: "/m/Z" },
  },
  "-v DIR:/m/roz:ro,z is read-only": {
    seen: { flags: ["-v", `${folder("roz")}:/m/roz:ro,z`], sees: [/^write:\/m\/roz=refused$/m, /^mount:\/m\/roz ro,/m] },
    together: { group: "private", target: "/m/roz" },
  },
  "-v DIR:/m/zro:z,ro is read-only": {
    seen: { flags: ["-v", `${folder("zro")}:/m/zro:z,ro`], sees: [/^write:\/m\/zro=refused$/m, /^mount:\/m\/zro ro,/m] },
    together: { group: "private", target: "/m/zro" },
  },
  "-v DIR:/m/private:private,ro": {
    seen: { flags: ["-v", `${folder("private")}:/m/private:private,ro`], sees: [/^write:\/m\/private=refused$/m] },
    together: { group: "private", target: "/m/private" },
  },
  "-v DIR:/m/rprivate:rprivate": {
    seen: { flags: ["-v", `${folder("rprivate")}:/m/rprivate:rprivate`], sees: [/^mount:\/m\/rprivate rw,/m] },
    together: { group: "private", target: "/m/rprivate" },
  },
  "-v DIR:/m/rshared:rshared": {
    seen: { flags: ["-v", `${folder("shared/rshared")}:/m/rshared:rshared`], sees: [/^mount:\/m\/rshared rw,\S* tags: shared:N /m] },
    together: { group: "propagation", target: "/m/rshared" },
  },
  "-v DIR:/m/rslave:rslave,Z": {
    seen: { flags: ["-v", `${folder("shared/rslave")}:/m/rslave:rslave,Z`], sees: [/^mount:\/m\/rslave rw,\S* tags: master:N /m] },
    together: { group: "propagation", target: "/m/rslave" },
  },
  "-v DIR:/m/shared:shared,ro": {
    seen: { flags: ["-v", `${folder("shared/shared")}:/m/shared:shared,ro`], sees: [/^write:\/m\/shared=refused$/m] },
    together: { group: "propagation", target: "/m/shared" },
  },
  "-v DIR:/m/a:slave": { created: ["-v", `${folder("shared/slave")}:/m/a:slave`] },
  "-v DIR:/m/cached:cached": {
    seen: { flags: ["-v", `${folder("cached")}:/m/cached:cached`], sees: [/^write:\/m\/cached=ok$/m] },
    together: { group: "private", target: "/m/cached" },
  },
  "-v VOLUME:/etc:nocopy leaves the volume empty": {
    seen: { flags: perSide((side) => ["-v", `${volume("nocopy", side)}:/etc:nocopy`]), sees: [/^etc-entries=3$/m] },
    created: AS_SEEN,
  },
  "-v VOLUME:/m/ronocopy:ro,nocopy,z": {
    seen: {
      flags: perSide((side) => ["-v", `${volume("ronocopy", side)}:/m/ronocopy:ro,nocopy,z`]),
      sees: [/^write:\/m\/ronocopy=refused$/m],
    },
    together: { group: "private", target: "/m/ronocopy" },
  },
  "-v VOLUME:/m/content keeps what is written in the volume": {
    seen: { flags: perSide((side) => ["-v", `${volume("content", side)}:/m/content`]), sees: [/^write:\/m\/content=ok$/m] },
    together: { group: "private", target: "/m/content" },
    after: (side) => expect(inVolume(volume("content", side), ".written")).toBe("written\n"),
  },
  "-v ./DIR:/m/a from the working folder, written through to this machine": {
    seen: {
      flags: perSide((side) => ["-v", `./${path.basename(folder(`relative-${side}`))}:/m/a`]),
      sees: [/^write:\/m\/a=ok$/m],
      cli: { cwd: work },
    },
    after: (side) => expect(written(path.join(work, `relative-${side}`))).toBe("written\n"),
  },
  "-v /m/anon: an anonymous volume, removed with the one-off": {
    seen: { flags: ["-v", "/m/anon"], sees: [/^write:\/m\/anon=ok$/m, /^anonymous:\/m\/anon$/m], attached: true },
    created: AS_SEEN,
  },
  "--mount type=volume,target=/m/anon: an anonymous volume, removed with the one-off": {
    seen: { flags: ["--mount", "type=volume,target=/m/anon"], sees: [/^anonymous:\/m\/anon$/m], attached: true },
    created: AS_SEEN,
  },
  "-v DIR/new/sub:/m/a makes the missing host folder, as docker does on a local engine": {
    seen: { flags: perSide((side) => ["-v", `${folder(`fresh-${side}`, { fresh: true })}/new/sub:/m/a`]), sees: [/^write:\/m\/a=ok$/m] },
    after: (side) => expect(written(path.join(work, `fresh-${side}/new/sub`))).toBe("written\n"),
  },
  "--mount volume-nocopy": {
    seen: {
      flags: perSide((side) => ["--mount", `type=volume,source=${volume("mnocopy", side)},target=/etc,volume-nocopy`]),
      sees: [/^etc-entries=3$/m],
    },
    created: AS_SEEN,
  },
  "--mount volume-driver and volume-opt (a tmpfs volume)": {
    seen: {
      flags: perSide((side) => [
        "--mount",
        `type=volume,source=${volume("opts", side)},target=/m/opts,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m`,
      ]),
      sees: [/^mount:\/m\/opts rw,\S* tags:.* tmpfs rw,size=1024k$/m],
    },
    together: { group: "private", target: "/m/opts" },
  },
  "--mount tmpfs-size and tmpfs-mode": {
    seen: {
      flags: ["--mount", "type=tmpfs,target=/m/t,tmpfs-size=1m,tmpfs-mode=1770"],
      sees: [/^mount:\/m\/t .* tmpfs rw,size=1024k,mode=1770$/m],
    },
    together: { group: "private", target: "/m/t" },
  },
  "--mount bind-propagation=rprivate": {
    seen: {
      flags: ["--mount", `type=bind,source=${folder("mprivate")},target=/m/mprivate,bind-propagation=rprivate`],
      sees: [/^write:\/m\/mprivate=ok$/m],
    },
    together: { group: "private", target: "/m/mprivate" },
  },
  "--mount bind-propagation=rslave": {
    seen: {
      flags: ["--mount", `type=bind,source=${folder("shared/mslave")},target=/m/mslave,bind-propagation=rslave`],
      sees: [/^mount:\/m\/mslave rw,\S* tags: master:N /m],
    },
    together: { group: "propagation", target: "/m/mslave" },
  },
  "--mount bind-nonrecursive": { created: ["--mount", `type=bind,source=${folder("mnonrec")},target=/m/a,bind-nonrecursive`] },
  "--mount consistency=cached": {
    seen: {
      flags: ["--mount", `type=bind,source=${folder("mcached")},target=/m/mcached,consistency=cached`],
      sees: [/^write:\/m\/mcached=ok$/m],
    },
    together: { group: "private", target: "/m/mcached" },
  },
  "--mount readonly=false": {
    seen: { flags: ["--mount", `type=bind,source=${folder("mrw")},target=/m/mrw,readonly=false`], sees: [/^write:\/m\/mrw=ok$/m] },
    together: { group: "private", target: "/m/mrw" },
  },
  "--mount ro is read-only": {
    seen: { flags: ["--mount", `type=bind,source=${folder("mro")},target=/m/mro,ro`], sees: [/^write:\/m\/mro=refused$/m] },
    together: { group: "private", target: "/m/mro" },
  },
  "--mount readonly=true is read-only": {
    seen: {
      flags: ["--mount", `type=volume,source=${volume("mrotrue")},target=/m/mrotrue,readonly=true`],
      sees: [/^write:\/m\/mrotrue=refused$/m],
    },
    together: { group: "private", target: "/m/mrotrue" },
  },
  "--env-file takes each line as written": {
    seen: {
      flags: ["--env-file", ENV_FILE],
      sees: [/^env:QUOTED="a b"$/m, /^env:HASH=a # not a comment$/m, /^env:TRAILING=space {3}$/m, /^env:PASSED=from here$/m],
      cli: { env: { PASSED: "from here", NOT_SET_HERE: undefined } },
    },
    created: AS_SEEN,
  },
  // With no PATH, sh is not found: 127 from both, where the image's PATH would have found it.
  "-e PATH, unset here, unsets the image's PATH": {
    seen: { flags: ["-e", "PATH"], sees: [], exitCode: 127, cli: { env: { PATH: undefined } } },
    created: ["-e", "ONEOFF_ORACLE_UNSET_HERE"],
  },
};

/** The anonymous volumes a probe saw, and its output with their names left out. */
function anonymousVolumes(output: string): { names: string[]; rest: string } {
  const names: string[] = [];
  const rest = output.replace(/^anonymous:(\S+) (\S+) (\S+)$/gm, (_line, target: string, head: string, tail: string) => {
    names.push(head + tail);
    return `anonymous:${target}`;
  });
  return { names, rest };
}

const volumeExists = (name: string) => {
  try {
    docker("volume", "inspect", name);
    return true;
  } catch {
    return false;
  }
};

/** Each side's own volume (volume(NAME, side)) under one name: what else its container carries is compared. */
const withOwnVolumes = (settings: Record<string, unknown>, side: Side) =>
  JSON.parse(JSON.stringify(settings).replace(new RegExp(`(${VOLUMES}-[\\w.-]+?)-${side}\\b`, "g"), "$1-SIDE")) as Record<string, unknown>;

const sideFlags = (flags: OracleFlags, side: Side) => (typeof flags === "function" ? flags(side) : flags);

const TOGETHER = new Map<Group, { target: string; flags: OracleFlags }[]>();
for (const [name, row] of Object.entries(ROWS)) {
  const together = row.together;
  if (!together) continue;
  if (!row.seen || row.seen.cli || row.seen.exitCode !== undefined || row.seen.attached || row.created) {
    throw new Error(`${name}: a row run together has only seen.flags and sees`);
  }
  const members = TOGETHER.get(together.group) ?? [];
  if (members.some((member) => member.target === together.target)) throw new Error(`${name}: ${together.target} is another row's`);
  for (const side of ["docker", "oneoff"] as const) {
    const mountsTarget = (flag: string) => flag.split(":")[1] === together.target || flag.split(",").includes(`target=${together.target}`);
    if (!sideFlags(row.seen.flags, side).some(mountsTarget)) {
      throw new Error(`${name}: its flags do not mount ${together.target}`);
    }
  }
  TOGETHER.set(together.group, [...members, { target: together.target, flags: row.seen.flags }]);
}

const groupRuns = new Map<Group, Promise<ComparedByBoth>>();
/** The group's one run per side, with every member's flags, in the rows' order. */
function groupRun(group: Group): Promise<ComparedByBoth> {
  let run = groupRuns.get(group);
  if (!run) {
    const members = TOGETHER.get(group) ?? [];
    run = comparedByBoth((side) => members.flatMap((member) => sideFlags(member.flags, side)), { probe: PROBE });
    groupRuns.set(group, run);
  }
  return run;
}

/** The probe's lines about `target` (its mount and the write there). */
const linesAbout = (output: string, target: string) =>
  output
    .split("\n")
    .filter((line) => line.startsWith(`mount:${target} `) || line.startsWith(`write:${target}=`))
    .join("\n");

/** The probe's lines about none of `targets`. */
const linesAboutNone = (output: string, targets: readonly string[]) =>
  output
    .split("\n")
    .filter((line) => !targets.some((target) => linesAbout(line, target) !== ""))
    .join("\n");

const bindTarget = (bind: unknown) => String(bind).split(":")[1];
const mountTarget = (mount: unknown) => (mount as { Target?: unknown }).Target;

/** What a container carries for `targets`: its Binds and Mounts entries for them, and the rest. */
function settingsFor(
  settings: Record<string, unknown>,
  targets: readonly string[],
): { about: { Binds: unknown[]; Mounts: unknown[] }; rest: Record<string, unknown> } {
  const { Config, HostConfig } = settings as { Config?: Record<string, unknown>; HostConfig?: Record<string, unknown> };
  const binds = (HostConfig?.Binds as unknown[] | undefined) ?? [];
  const mounts = (HostConfig?.Mounts as unknown[] | undefined) ?? [];
  const claimed = (target: unknown) => targets.includes(target as string);
  return {
    about: { Binds: binds.filter((bind) => claimed(bindTarget(bind))), Mounts: mounts.filter((mount) => claimed(mountTarget(mount))) },
    rest: {
      Config,
      HostConfig: {
        ...HostConfig,
        Binds: binds.filter((bind) => !claimed(bindTarget(bind))),
        Mounts: mounts.filter((mount) => !claimed(mountTarget(mount))),
      },
    },
  };
}

describe.each(Object.entries(ROWS))("%s", (_name, row) => {
  const seen = row.seen;
  const together = row.together;
  if (seen && together) {
    it("shows the probe what docker run shows it", async () => {
      const both = (await groupRun(together.group)).seen;
      expect(both.oneoffStderr).toBe("");
      expect(both.oneoffExit).toBe(0);
      const byDocker = linesAbout(both.docker, together.target);
      expect(linesAbout(both.oneoff, together.target)).toBe(byDocker);
      for (const line of seen.sees) expect(byDocker).toMatch(line);
      for (const side of ["docker", "oneoff"] as const) row.after?.(side);
    });
    it("creates the container docker create creates", async () => {
      const both = (await groupRun(together.group)).created;
      const bySide = (side: Side) => settingsFor(withOwnVolumes(both[side], side), [together.target]).about;
      const byDocker = bySide("docker");
      expect([...byDocker.Binds, ...byDocker.Mounts], `docker's entry for ${together.target}`).toHaveLength(1);
      expect(bySide("oneoff")).toEqual(byDocker);
    });
    return;
  }
  // One run per side serves both checks of a row whose containers are inspected as they ran the probe.
  let compared: Promise<ComparedByBoth> | undefined;
  const comparedOnce = () => (compared ??= comparedByBoth(seen!.flags, { probe: PROBE, ...(seen!.cli ? { cli: seen!.cli } : {}) }));
  if (seen) {
    it("shows the probe what docker run shows it", async () => {
      const both = seen.attached
        ? await seenByBoth(seen.flags, { probe: PROBE, ...(seen.cli ? { cli: seen.cli } : {}) })
        : (await comparedOnce()).seen;
      if (seen.exitCode !== undefined) {
        // Refused by both with the same code (oneoff says it in its own one line).
        expect(both.docker).toMatch(new RegExp(`^refused \\(exit ${seen.exitCode}\\): `));
        expect(both.oneoffExit).toBe(seen.exitCode);
        return;
      }
      expect(both.oneoffStderr).toBe("");
      expect(both.oneoffExit).toBe(0);
      const byDocker = anonymousVolumes(both.docker);
      const byOneoff = anonymousVolumes(both.oneoff);
      expect(byOneoff.rest).toBe(byDocker.rest);
      for (const line of seen.sees) expect(byDocker.rest).toMatch(line);
      // An anonymous volume goes with its one-off, as with docker run --rm.
      for (const name of [...byDocker.names, ...byOneoff.names]) expect(volumeExists(name), `volume ${name}`).toBe(false);
      for (const side of ["docker", "oneoff"] as const) row.after?.(side);
    });
  }
  const created = row.created;
  if (created) {
    it("creates the container docker create creates", async () => {
      const both = (created === AS_SEEN ? await comparedOnce() : await comparedByBoth(created)).created;
      expect(withOwnVolumes(both.oneoff, "oneoff")).toEqual(withOwnVolumes(both.docker, "docker"));
    });
  }
});

describe.each([...TOGETHER.entries()])("the rows run together in one container (%s)", (group, members) => {
  const targets = members.map((member) => member.target);
  it("shows the probe the rest of what docker run shows it", async () => {
    const both = (await groupRun(group)).seen;
    expect(both.oneoffStderr).toBe("");
    expect(both.oneoffExit).toBe(0);
    const byDocker = anonymousVolumes(linesAboutNone(both.docker, targets));
    const byOneoff = anonymousVolumes(linesAboutNone(both.oneoff, targets));
    expect(byOneoff.rest).toBe(byDocker.rest);
    expect(byDocker.rest).toMatch(/^etc-entries=\d+$/m);
    for (const name of [...byDocker.names, ...byOneoff.names]) expect(volumeExists(name), `volume ${name}`).toBe(false);
  });
  it("creates the rest of the container docker create creates", async () => {
    const both = (await groupRun(group)).created;
    const rest = (side: Side) => settingsFor(withOwnVolumes(both[side], side), targets).rest;
    expect(rest("oneoff")).toEqual(rest("docker"));
  });
});
