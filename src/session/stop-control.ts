/**
 * What an interrupt means at each point of a one-off's life, as `docker run` does it:
 * before start it cancels the run; while running it is forwarded to the command; a second
 * interrupt, or the grace period after SIGTERM/SIGHUP running out, kills it.
 */
import type { ContainerEngine } from "../engine/types.js";
import type { Reporter } from "../output/reporter.js";
import { formatDuration } from "../formats/units.js";
import { ExitCode } from "../output/errors.js";
import type { WriteFailed } from "../output/write-failures.js";
import { exitCodeForSignal, type InterruptSignal } from "./interrupts.js";

export class StopControl {
  private containerId: string | undefined;
  private running = false;
  private firstSignal: InterruptSignal | undefined;
  /** What the first of them sends: the interrupt as it came, or the stop signal where oneoff stops it. */
  private signalToSend: string | undefined;
  private forwarded = false;
  private killed = false;
  private timedOut = false;
  private stoppingAsTyped = false;
  private writeFailure: WriteFailed | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(
    /** What delivers signals: the engine, or for a Swarm job on another node, its removal. */
    private readonly client: Pick<ContainerEngine, "kill">,
    /** Seconds from the stop signal to SIGKILL: the stop timeout row's, from the plan (settings/stop-timeout-row.ts). */
    private readonly stopTimeout: number,
    private readonly report: Reporter,
    /** What stops it as docker stop would (--stop-signal), where no interrupt says otherwise. */
    private readonly stopSignal: string = "SIGTERM",
  ) {}

  /** The signal that cancelled the run before it started, if any. */
  get cancelledBy(): InterruptSignal | undefined {
    return this.running ? undefined : this.firstSignal;
  }

  onInterrupt(signal: InterruptSignal): void {
    if (this.firstSignal === undefined) {
      this.firstSignal = signal;
      this.signalToSend = signal;
      if (this.running) this.forward();
      else this.report.info(`${signal}: cancelling the one-off before it starts`);
      return;
    }
    if (this.running) this.killNow(`${signal} again`);
  }

  /**
   * Ctrl-C typed three times into a terminal session (TypedInterrupts): stops the one-off as
   * `docker stop` does, its stop signal then SIGKILL after the stop timeout, since its PID 1 may
   * ignore SIGINT. oneoff then exits 130, as for an interrupt.
   */
  stopAsTyped(): void {
    if (!this.running) return;
    // Already stopping (Ctrl-C's after these three, a timeout, SIGTERM): they mean now.
    if (this.stoppingAsTyped || this.graceTimer !== undefined) return this.killNow("Ctrl-C again");
    this.stoppingAsTyped = true;
    this.firstSignal ??= "SIGINT";
    this.forwarded = true;
    this.report.info(
      `Ctrl-C three times: stopping the one-off (${this.stopSignal}, then SIGKILL after ${this.stopTimeout}s; Ctrl-C again kills it now)`,
    );
    this.send(this.stopSignal);
    this.graceTimer = setTimeout(
      () => this.killNow(`still running ${this.stopTimeout}s after ${this.stopSignal}`),
      this.stopTimeout * 1000,
    );
    this.graceTimer.unref();
  }

  started(containerId: string): void {
    this.containerId = containerId;
    this.running = true;
    // An interrupt that arrived while start was in flight is delivered now.
    if (this.firstSignal !== undefined) this.forward();
  }

  /** Stops the one-off once it has run `ms`, as docker stop would (its stop signal); oneoff then exits 124. */
  startTimeout(ms: number): void {
    this.timeoutTimer = setTimeout(() => {
      if (this.firstSignal !== undefined) return;
      this.timedOut = true;
      this.firstSignal = "SIGTERM";
      this.report.warn(
        `timed out after ${formatDuration(ms)}: stopping the one-off (${this.stopSignal}, then SIGKILL after ${this.stopTimeout}s)`,
      );
      this.signalToSend = this.stopSignal;
      this.forward({ announce: false });
    }, ms);
  }

  /**
   * Its output could not be written (a reader gone, a full disk): nothing can receive what it
   * prints, so it is stopped as SIGTERM would stop it, and oneoff exits with the failure's code
   * (141 or 125). Said in one line; quietly (info) when the reader went away.
   */
  outputFailed(failure: WriteFailed): void {
    if (this.writeFailure || this.firstSignal !== undefined) return;
    this.writeFailure = failure;
    failure.reported = true;
    this.firstSignal = "SIGTERM";
    // Not yet running may mean its start is in flight (the output comes first): `started` sends it.
    (failure.readerGone ? this.report.info : this.report.warn)(
      `${failure.message}; stopping the one-off (${this.stopSignal}, then SIGKILL after ${this.stopTimeout}s)`,
    );
    this.signalToSend = this.stopSignal;
    this.forward({ announce: false });
  }

  /** The write failure that stopped the one-off, if one did. */
  get outputFailure(): WriteFailed | undefined {
    return this.writeFailure;
  }

  /** Whether the one-off was stopped because it ran out of time. */
  get hasTimedOut(): boolean {
    return this.timedOut;
  }

  /** The interrupt that ended the one-off, if one did. */
  get interruptedBy(): InterruptSignal | undefined {
    return this.timedOut || this.writeFailure ? undefined : this.firstSignal;
  }

  /** The exit code oneoff reports, given the one the container ended with. */
  exitCode(containerExitCode: number): number {
    // `timeout(1)`'s convention, whatever the command did with the SIGTERM.
    if (this.timedOut) return ExitCode.timedOut;
    // Whatever the command did with the SIGTERM: its output was lost from then on.
    if (this.writeFailure) return this.writeFailure.exitCode;
    // Killed by us after an interrupt: report the interrupt, as a shell would (130, 143).
    // Otherwise the command's own code, also when it handled the signal and exited.
    return this.killed && this.firstSignal ? exitCodeForSignal(this.firstSignal) : containerExitCode;
  }

  dispose(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
  }

  /** Sends the first interrupt as it came, as docker run's signal proxy does, or the stop signal where oneoff stops it. */
  private forward({ announce = true } = {}): void {
    const signal = this.signalToSend;
    if (this.forwarded || !signal || !this.containerId) return;
    this.forwarded = true;
    this.send(signal);
    // As with docker run: after a Ctrl-C, a second one kills; there is no timer (there is one
    // when oneoff stops it, whatever its stop signal).
    if (signal === "SIGINT" && !this.timedOut && !this.writeFailure) {
      if (announce) this.report.info("SIGINT forwarded to the one-off; press Ctrl-C again to kill it");
      return;
    }
    if (announce) this.report.info(`${signal} forwarded to the one-off; killing it in ${this.stopTimeout}s if it is still running`);
    this.graceTimer = setTimeout(() => this.killNow(`still running ${this.stopTimeout}s after ${signal}`), this.stopTimeout * 1000);
    this.graceTimer.unref();
  }

  private killNow(reason: string): void {
    if (this.killed || !this.containerId) return;
    this.killed = true;
    // Part of a timeout's story, which --quiet does not hide; otherwise the user asked for it.
    // After a write failure, its one line has said already that SIGKILL follows.
    if (!this.writeFailure) (this.timedOut ? this.report.warn : this.report.info)(`${reason}: killing the one-off`);
    this.send("SIGKILL");
  }

  private send(signal: string): void {
    const id = this.containerId;
    if (!id) return;
    this.client.kill(id, signal).catch((error: Error) => this.report.warn(`could not send ${signal} to the one-off: ${error.message}`));
  }
}
