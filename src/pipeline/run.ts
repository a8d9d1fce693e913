/**
 * `oneoff run` as a library call, one way through for every backend:
 *   options -> plan -> (dry run) -> secrets -> audit start -> release -> [release done?] ->
 *   backend (attached, with the watchdog; or detached) -> ledger -> result -> audit end.
 * What differs between a container and a Swarm job is behind the Backend interface
 * (src/backends/); everything here is written once. Its IO (streams, environment, working
 * directory, interrupts) is what the caller passes: the CLI its process's, the library entry
 * (src/index.ts) the process's unless told otherwise.
 */
import { dryRunImage, type DryRunImage } from "../release/dry-run-image.js";
import os from "node:os";
import path from "node:path";
import { loadAppConfig, settingFileLayers, withSettingFiles } from "../config/load.js";
import { resolveSources, type Sources } from "../config/sources.js";
import { resolveRunPlan } from "../plan/resolve.js";
import { withDisagreement } from "./disagreement.js";
import { pickEnvironment } from "../config/environments.js";
import { readSecretValues, rememberReadableSecrets } from "../config/secret-values.js";
import type { LocatedEngine } from "../engine/connect.js";
import {
  engineRecorder,
  recordInLedger,
  releaseDone,
  reportReleaseOutcome,
  writeAudit,
  writeAuditStart,
  type EngineRecorder,
} from "../lifecycle/audit-and-ledger.js";
import { currentOwner, formatOwner } from "../lifecycle/owner.js";
import { noWatchdog, startWatchdog } from "../lifecycle/watchdog.js";
import { randomBytes } from "node:crypto";
import { redactedJson } from "../output/redact.js";
import { streamReporter } from "../output/reporter.js";
import { abortInterrupts, noInterrupts } from "../session/interrupts.js";
import { OutputCapture } from "../session/capture.js";
import { checkLocalPaths } from "../plan/local-paths.js";
import { withSecretEnv } from "../plan/secret-env.js";
import type { RunContext } from "../types/context.js";
import type { RunOptions } from "../types/options.js";
import type { RunPlan } from "../types/plan.js";
import type { RunResult } from "../types/result.js";
import { VERSION } from "../version.js";
import type { AttachedOutcome, AttachedSession, Backend, ConnectedRun, Identity, PlannedRun } from "../backends/backend.js";
import { backendFor } from "../backends/choose.js";
import type { RunRecording } from "./recording.js";

export type { RunContext, RunResult };

/**
 * Runs a one-off and resolves with its exit code. Failures of oneoff itself (config, engine,
 * image, a held lock) and a command that cannot be started reject with a OneoffError whose
 * `exitCode` is 125, 126 or 127.
 */
export async function run(options: RunOptions, context: RunContext, prior?: { sources?: Sources; plan?: RunPlan }): Promise<RunResult> {
  const { cwd, env, stderr } = context;
  const stdinIsTTY = context.stdinIsTTY ?? (context.stdin as { isTTY?: boolean }).isTTY === true;
  // oneoff's own lines go where the caller said; a library caller that said nowhere hears only
  // the warnings (docs/library.md, "What it prints"), with the command's stderr.
  const report = context.messages
    ? streamReporter(context.messages, { quiet: options.quiet ?? false })
    : streamReporter(stderr, { quiet: true });
  // What the checks before it already read and planned (release, run --check), else now.
  const sources = prior?.sources ?? (await resolveSources(options, cwd, env, context.client));
  const planned = await withDisagreement(prior?.plan ?? (await planRun(options, cwd, env, stdinIsTTY, sources)), sources.client);
  const { service } = sources;
  const identity: Identity = {
    startedBy: whoAmI(),
    startedAt: new Date(),
    version: VERSION,
    owner: formatOwner(currentOwner()),
    runId: randomBytes(8).toString("hex"),
  };
  const suffix = randomBytes(3).toString("hex");
  if (options.debug) report.warn(`config: ${planned.configPath ?? "none (no oneoff.yaml here or above)"}`);
  for (const notice of planned.notices ?? []) report.info(notice);
  for (const warning of planned.warnings ?? []) report.warn(warning);
  if (planned.recordingRefused) report.warn(planned.recordingRefused);
  checkLocalPaths(planned.files);
  // A caller's own client is used as it is; otherwise one for the engine the flags,
  // environment and DOCKER_* choose, whose address the watchdog gets too.
  const located = context.client ? undefined : sources.locate();
  const backend = backendFor(planned);
  backend.refuse(planned);

  const secretsDir = planned.configPath ? path.dirname(planned.configPath) : cwd;
  if (options.dryRun) {
    rememberReadableSecrets(planned.secrets, env, secretsDir);
    // Read-only: which image the run would pin, as the engine resolves the reference now.
    // Asked without credentials: a dry run runs no credential helper (one may prompt, or log
    // an access) and reads no password.
    const image = await dryRunImage(planned.releaseReference, sources.connect, planned.pull);
    return printDryRun(backend, { plan: withSecretEnv(planned, undefined), identity, suffix, service }, located, context.stdout, image);
  }
  // Read now, before anything is created: a missing secret is an input error.
  const secrets = readSecretValues(planned.secrets, env, secretsDir);
  const plan = withSecretEnv(planned, secrets);
  if (context.audit !== false) writeAuditStart(env, plan, identity, report);

  // The command's stdout goes to oneoff's stderr with --json (stdout carries the document),
  // or into memory with capture.
  const capture = options.capture ? new OutputCapture() : undefined;
  const stdout = capture?.stdout ?? (options.json ? stderr : context.stdout);
  const commandStderr = capture?.stderr ?? stderr;

  let result: RunResult | undefined;
  let failure: unknown;
  let recorder: EngineRecorder | undefined;
  let recording: RunRecording | undefined;
  try {
    const client = await sources.connect();
    if (context.audit !== false) recorder = engineRecorder(client, plan, identity, report);
    const connectedRun: ConnectedRun = { plan, identity, suffix, service, client, report, env, secrets };
    // Asked first: the engine resolves the release (an image inspect, or a pull) while this
    // process starts the watchdog. Awaited below; the catch only keeps an early rejection
    // from counting as unhandled meanwhile.
    const resolving = backend.resolve(connectedRun);
    resolving.catch(() => {});
    if (options.detach) {
      const release = await resolving;
      const recording = recorder?.start(release.imageId, { detached: true });
      const oneOff = await backend.prepare(connectedRun, release);
      await recording;
      const started = await oneOff.startDetached();
      result = {
        ...resultBasics(plan, identity, oneOff.name, release.imageId),
        exitCode: 0,
        id: started.id,
        ending: "detached",
        ...(started.job ? { job: started.job } : {}),
        endedAt: new Date(),
      };
      return result;
    }
    // Two turns of the event loop (connect, then write) send the request before the spawn
    // holds this thread for a few milliseconds.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    const watchdog =
      context.watchdog === false ? noWatchdog : startWatchdog(env, { id: identity.runId, kind: backend.kind }, located?.connection);
    const io = {
      get stdin() {
        return context.stdin;
      },
      stdout,
      stderr: commandStderr,
    };
    // Loaded for a recorded run only: its zlib and decoder cost a plain run memory (node-versions' budget).
    recording = plan.recording ? (await import("./recording.js")).startRecording(plan, io, env, client) : undefined;
    try {
      result = await attached(backend, connectedRun, resolving, recorder, {
        io: recording?.io ?? io,
        interrupts: context.interrupts ?? (context.signal ? abortInterrupts(context.signal) : noInterrupts),
        watchdog,
      });
    } catch (error) {
      watchdog.release();
      throw error;
    }
    if (capture) result.output = capture.result();
    return result;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (context.audit !== false) writeAudit(env, plan, identity, result, failure, report);
    const recorded = await recording?.store({ plan, runId: identity.runId, result }, report);
    await recorder?.end(result, failure, recorded);
  }
}

async function attached(
  backend: Backend,
  run: ConnectedRun,
  resolving: ReturnType<Backend["resolve"]>,
  recorder: EngineRecorder | undefined,
  session: Pick<AttachedSession, "io" | "interrupts" | "watchdog">,
): Promise<RunResult> {
  const { plan, client, report, identity } = run;
  const release = await resolving;
  // Written while the one-off is created, and awaited before it starts: no round trip of its own.
  const recording = recorder?.start(release.imageId);
  const oneOff = await backend.prepare(run, release);
  // The release phase runs once per release image ID: checked before waiting for the lock
  // (the common case) and again once the lock is held (a concurrent release may just have
  // finished it).
  const alreadyDone = plan.release && !plan.release.force ? () => releaseDone(client, plan, release.imageId, report) : undefined;
  if (alreadyDone && (await alreadyDone())) {
    session.watchdog.release();
    return {
      ...resultBasics(plan, identity, oneOff.name, release.imageId),
      exitCode: 0,
      id: "",
      ending: "skipped",
      endedAt: new Date(),
    };
  }
  const ended: AttachedOutcome = await oneOff.runAttached({
    ...session,
    banner: () =>
      report.info(
        `${plan.app} one-off${plan.task ? ` ${plan.task}` : ""}: release ${release.imageId.replace(/^sha256:/, "").slice(0, 12)} (${plan.releaseReference}) as ${identity.startedBy}; ${oneOff.bannerNoun}`,
      ),
    beforeStart: async () => {
      await recording;
      return alreadyDone ? !(await alreadyDone()) : true;
    },
    // Recorded while the one-off, and so the lock, still exists: a concurrent release that
    // gets the lock next finds the task done.
    beforeRemoval: plan.release
      ? (end: { exitCode: number }) => recordInLedger(client, plan, identity, release.imageId, end.exitCode, report)
      : undefined,
  });
  if (plan.release && ended.ending !== "skipped") reportReleaseOutcome(plan, identity, release.imageId, ended, report);
  return {
    ...resultBasics(plan, identity, oneOff.name, release.imageId),
    exitCode: ended.exitCode,
    id: ended.id,
    ending: ended.ending,
    ...(ended.signal ? { signal: ended.signal } : {}),
    ...(ended.outputFailure ? { outputFailure: ended.outputFailure } : {}),
    ...(ended.job ? { job: ended.job } : {}),
    endedAt: new Date(),
  };
}

/** --dry-run: the backend's create request as a document, secrets masked; talks to no engine. */
function printDryRun(
  backend: Backend,
  run: PlannedRun,
  located: LocatedEngine | undefined,
  stdout: RunContext["stdout"],
  image: DryRunImage,
): RunResult {
  const described = backend.dryRun(run, located, image);
  const warnings = run.plan.warnings?.length ? { warnings: run.plan.warnings } : {};
  stdout.write(`${redactedJson({ config: run.plan.configPath ?? null, ...warnings, ...described.document }, 2)}\n`);
  return {
    ...resultBasics(run.plan, run.identity, described.name, described.imageShown),
    exitCode: 0,
    id: "",
    ending: "dry-run",
    endedAt: new Date(),
  };
}

/** What every result says of what ran. */
function resultBasics(plan: RunPlan, identity: Identity, name: string, imageId: string) {
  return {
    ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
    kind: plan.kind,
    name,
    imageId,
    releaseReference: plan.releaseReference,
    app: plan.app,
    ...(plan.task ? { task: plan.task } : {}),
    command: plan.command,
    startedAt: identity.startedAt,
  };
}

/**
 * Options + config files -> RunPlan. Reads files (oneoff.yaml only when no sources were read
 * with it); talks to no engine.
 */
export async function planRun(
  options: RunOptions,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  stdinIsTTY = false,
  sources?: Pick<Sources, "config" | "environment" | "sourceLayers">,
): Promise<RunPlan> {
  const config = sources ? sources.config : await loadAppConfig(options.config, cwd, env);
  const environment = sources ? sources.environment : pickEnvironment(config, options.envName, env);
  const settingFiles = settingFileLayers(options, cwd, env);
  return resolveRunPlan({
    config,
    options: withSettingFiles(options, cwd, env),
    hostEnv: env,
    settingFiles,
    cwdName: path.basename(path.resolve(cwd)),
    cwd,
    stdinIsTTY,
    sourceLayers: sources?.sourceLayers ?? [],
    environment,
  });
}

/**
 * Who started it, as the audit log and labels record it: the OS user this process runs as
 * (not $USER, which anyone can set), at this host.
 */
function whoAmI(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = `uid${process.getuid?.() ?? "?"}`;
  }
  return `${user}@${os.hostname()}`;
}
