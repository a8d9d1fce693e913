/**
 * `oneoff ARGS...` run in this process: main() given its own streams, stdin, working directory
 * and environment (src/cli/command.ts, CliProcess), as a spawned oneoff (helpers.ts' oneoff())
 * would have them, without starting a Node process per call. For tests of what oneoff says and
 * does; what only a real process shows (its exit by a signal, the launcher bin/oneoff.js, a
 * reader that goes away, exec's limits on argv and the environment) stays with oneoff().
 *
 * Safe to run several at once: each call gets fresh streams (main watches their writes) and its
 * own environment object. What stays shared is the process: its signals (a run listens for
 * SIGINT, SIGTERM and SIGHUP while attached) and output/redact.ts's set of secret values.
 */
import { PassThrough, Writable, type Readable } from "node:stream";
import { main } from "../../src/cli/main.js";
import { ROOT, type CliOptions, type CliResult } from "./helpers.js";

/** A oneoff's streams while it runs, as a spawned child's are: stdin to write to or end, output as it comes. */
interface LiveStreams {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
}

export interface InProcessOptions extends Pick<CliOptions, "input" | "env" | "cwd" | "holdStdin"> {
  /** Called as oneoff starts, with its streams (a spawned child's onSpawn, for what needs no process). */
  onStart?: (live: LiveStreams) => void;
}

export async function oneoffInProcess(args: string[], options: InProcessOptions = {}): Promise<CliResult> {
  // This process's environment with the test's over it, undefined unsetting, as oneoff() does:
  // what the parent gives every spawned oneoff (ONEOFF_LABELS, DOCKER_HOST) reaches these too.
  const env = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  // What oneoff writes is kept, and with onStart also passed on as it comes, for the test to watch.
  const watched = { stdout: new PassThrough(), stderr: new PassThrough() };
  const sink = (chunks: Buffer[], watch: PassThrough) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        if (options.onStart) watch.write(chunk);
        done();
      },
    });
  // With no input, stdin holds nothing (a spawned oneoff's is /dev/null); input is piped in,
  // and a held stdin stays open until the test ends it (a pipe, as a spawned oneoff's).
  const stdin = new PassThrough();
  if (options.holdStdin) {
    if (options.input !== undefined) stdin.write(options.input);
  } else stdin.end(options.input);
  options.onStart?.({ stdin, ...watched });
  const code = await main(args, {
    stdout: sink(stdout, watched.stdout),
    stderr: sink(stderr, watched.stderr),
    stdin,
    stdinIs: options.input === undefined && !options.holdStdin ? "nothing" : "input",
    stdoutIsTTY: false,
    cwd: options.cwd ?? ROOT,
    env,
  });
  return { code, signal: null, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8") };
}
