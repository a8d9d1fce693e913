/**
 * The library's table from flag to option (src/pipeline/library-errors.ts) against what the
 * CLI's flags really set: each flag of run and release, and each global flag, is given to the
 * CLI in-process, and the options it hands to the pipeline's run() are compared with those of
 * the same command line without it.
 */
import { Writable } from "node:stream";
import type { Option } from "commander";
import { describe, expect, it, vi } from "vitest";
import { releaseCommand, runCommand } from "../../src/cli/run.js";
import type { CliContext } from "../../src/cli/command.js";
import { OPTION_OF_FLAG } from "../../src/pipeline/library-errors.js";
import type { RunOptions } from "../../src/types/options.js";
import type { RunResult } from "../../src/types/result.js";
import { runCli } from "./cli-output.js";

// Each in-process run adds its listeners for a broken stdout and stderr (cli/command.ts); some 130 here.
process.stdout.setMaxListeners(0);
process.stderr.setMaxListeners(0);

const given = vi.hoisted(() => [] as unknown[]);

vi.mock("../../src/pipeline/run.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/pipeline/run.js")>()),
  run: (options: RunOptions): Promise<RunResult> => {
    given.push(options);
    const now = new Date();
    return Promise.resolve({
      exitCode: 0,
      id: "",
      kind: "container",
      name: "x",
      imageId: "",
      releaseReference: "",
      app: "x",
      command: [],
      ending: "exited",
      startedAt: now,
      endedAt: now,
    });
  },
}));

/** Flags that set no option of run(): what the CLI does around the run. */
const CLI_ONLY = new Set(["--check", "--no-check", "--status", "--rm", "--help", "--version"]);
/** Flags that take another with them. */
const COMPANIONS: Record<string, string[]> = { "--capture": ["--json"] };

async function optionsOf(argv: string[]): Promise<Record<string, unknown>> {
  given.length = 0;
  const { code, stderr } = await runCli(argv);
  expect({ argv, code, stderr }).toEqual({ argv, code: 0, stderr: "" });
  expect(given).toHaveLength(1);
  return given[0] as Record<string, unknown>;
}

/** The keys whose values differ between the two option objects. */
function changed(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
const context: CliContext = {
  io: { stdout: sink, stderr: sink, document() {} },
  afterDashDash: undefined,
  act() {},
  engineFlags: () => ({}),
};

/** The command's options, and the global ones as its help lists them. */
async function flagsOf(command: "run" | "release"): Promise<{ long: string; short?: string; value: string[] }[]> {
  // Hidden options are docker run's flags oneoff refuses (cli/not-for-one-offs.ts): they set nothing.
  const own = ((command === "run" ? runCommand(context) : releaseCommand(context)).options as Option[]).filter((option) => !option.hidden);
  const ownShorts = new Set(own.map((option) => option.short));
  const { stdout } = await runCli([command, "--help"]);
  const global = [...(stdout.split(/^Global Options:$/m)[1] ?? "").matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)( <[^>]+>)?/gm)];
  expect(global.length).toBeGreaterThan(2);
  return [
    ...own.map((option) => ({
      long: option.long as string,
      ...(option.short ? { short: option.short } : {}),
      value: option.required ? [option.argChoices?.[0] ?? "1"] : [],
    })),
    // After the command's name a short flag it shares with the program is the command's (-c: --cpu-shares).
    ...global.map(([, short, long, value]) => ({
      long: long as string,
      ...(short && !ownShorts.has(short) ? { short } : {}),
      value: value ? ["1"] : [],
    })),
  ].filter((flag) => !CLI_ONLY.has(flag.long));
}

describe("the library's flag table", () => {
  it.each(["run", "release"] as const)("names the option each flag of %s sets", async (command) => {
    // release runs the pre-flight checks first, unless told not to.
    const base = command === "release" ? [command, "--no-check"] : [command];
    const flags = await flagsOf(command);
    expect(flags.length).toBeGreaterThan(50);
    for (const { long, short, value } of flags) {
      const companions = COMPANIONS[long] ?? [];
      const before = await optionsOf([...base, ...companions]);
      const after = await optionsOf([...base, ...companions, long, ...value]);
      const set = changed(before, after);
      expect({ flag: long, sets: set }).toEqual({ flag: long, sets: [OPTION_OF_FLAG.get(long)] });
      if (short) expect({ flag: short, option: OPTION_OF_FLAG.get(short) }).toEqual({ flag: short, option: set[0] });
    }
  });

  it("holds no flag the CLI does not have", async () => {
    const known = new Set<string>();
    for (const command of ["run", "release"] as const)
      for (const { long, short } of await flagsOf(command)) for (const flag of [long, short]) if (flag) known.add(flag);
    expect([...OPTION_OF_FLAG.keys()].filter((flag) => !known.has(flag))).toEqual([]);
  });
});
