import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

/** Runs the CLI in-process, as `oneoff ARGV...`, and returns what it wrote and its exit code. */
export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const collected = { stdout: "", stderr: "" };
  const sink = (name: keyof typeof collected) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        collected[name] += chunk.toString("utf8");
        done();
      },
    });
  const code = await main(argv, { stdout: sink("stdout"), stderr: sink("stderr") });
  return { code, ...collected };
}

/** The command names `oneoff --help` lists, without `help` itself. */
export async function commandNames(): Promise<string[]> {
  const { stdout } = await runCli(["--help"]);
  const section = (stdout.split(/^Commands:$/m)[1] ?? "").split("\n\n")[0]!;
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1]!).filter((name) => name !== "help");
}
