import { Readable, Writable } from "node:stream";
import { main } from "../../src/cli/main.js";
import type { CliProcess } from "../../src/cli/command.js";

/**
 * Runs the CLI in-process, as `oneoff ARGV...`, and returns what it wrote and its exit code. It
 * runs in this process's working directory and environment, with nothing on stdin, unless
 * `where` says otherwise.
 */
export async function runCli(
  argv: string[],
  where: Partial<Omit<CliProcess, "stdout" | "stderr">> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const collected = { stdout: "", stderr: "" };
  const sink = (name: keyof typeof collected) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        collected[name] += chunk.toString("utf8");
        done();
      },
    });
  const code = await main(argv, {
    stdout: sink("stdout"),
    stderr: sink("stderr"),
    stdin: Readable.from([]),
    stdinIs: "nothing",
    stdoutIsTTY: false,
    cwd: process.cwd(),
    env: process.env,
    ...where,
  });
  return { code, ...collected };
}

/** The command names `oneoff --help` lists, without `help` itself. */
export async function commandNames(): Promise<string[]> {
  const { stdout } = await runCli(["--help"]);
  const section = (stdout.split(/^Commands:$/m)[1] ?? "").split("\n\n")[0]!;
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1]!).filter((name) => name !== "help");
}
