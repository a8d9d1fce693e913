/**
 * `oneoff attach`: back into a running terminal one-off (detached with the detach keys, or
 * started with --detach -t). The container is not removed when it ends here: it is a detached
 * one-off, kept for its logs and reaped after its keep time.
 */
import type { Readable, Writable } from "node:stream";
import type { ContainerDetails, SessionEngine } from "../../engine/types.js";
import { ExitCode, OneoffError } from "../../output/errors.js";
import type { Reporter } from "../../output/reporter.js";
import { WriteFailed } from "../../output/write-failures.js";
import { forwardOutput, stillRunningAfterStreamEnd } from "../../session/output.js";
import { DetachKeys, pumpStdin } from "../../session/stdin.js";
import { enterRawMode, followWindowSize } from "../../session/terminal.js";
import { SessionHoldings } from "../../session/teardown.js";

export async function attachToOneOff(
  client: Pick<SessionEngine, "attach" | "waitForExit" | "resize" | "inspectContainer">,
  oneOff: ContainerDetails,
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
  detachKeys: string,
  report: Reporter,
): Promise<{ exitCode: number; detached: boolean }> {
  const short = oneOff.id.slice(0, 12);
  if (oneOff.state !== "running") {
    throw new OneoffError(
      `one-off ${short} is not running (${oneOff.state}${oneOff.state === "exited" ? `, exit ${oneOff.exitCode}` : ""})`,
      { hint: `see its output with oneoff logs ${short}` },
    );
  }
  if (!oneOff.tty)
    throw new OneoffError(`one-off ${short} has no terminal to attach to`, { hint: `follow its output with oneoff logs -f ${short}` });
  if (!(io.stdin as { isTTY?: boolean }).isTTY)
    throw new OneoffError("attach needs a terminal, and the input device is not a TTY", { hint: "run it from a terminal" });

  // The one-off is a kept one, not this session's to remove: ending it is only letting go.
  const holdings = new SessionHoldings();
  const stream = await client.attach(oneOff.id, { stdin: true, detachKeys });
  holdings.stream = stream;
  const waiting = new AbortController();
  const exit = client.waitForExit(oneOff.id, waiting.signal);
  exit.catch(() => {});
  holdings.restoreTerminal = enterRawMode(io.stdin);
  holdings.stopResizing = followWindowSize([io.stdout, io.stderr], (size) => client.resize(oneOff.id, size));
  const typed = new DetachKeys(detachKeys);
  holdings.stopStdin = pumpStdin(io.stdin, stream, typed);
  try {
    const outputError = await forwardOutput(stream, io, { tty: true, report });
    // The one-off is a kept one: it runs on; oneoff exits as for any output it cannot write.
    if (outputError instanceof WriteFailed) throw outputError;
    if (outputError)
      throw new OneoffError(`lost the connection to one-off ${short}: ${outputError.message}`, {
        hint: `it may still run: oneoff attach ${short} again`,
      });
    if (await stillRunningAfterStreamEnd(client, oneOff.id, exit)) {
      waiting.abort();
      if (typed.detached) {
        report.warn(
          `detached from ${oneOff.name} (${short}); it keeps running. Re-attach: oneoff attach ${short}; stop: oneoff stop ${short}`,
        );
        return { exitCode: 0, detached: true };
      }
      report.warn(`the connection to one-off ${short} ended; it may still run: oneoff attach ${short}`);
      return { exitCode: ExitCode.runnerFailed, detached: false };
    }
    return { exitCode: await exit, detached: false };
  } finally {
    holdings.letGo();
  }
}
