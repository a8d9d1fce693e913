/**
 * `oneoff run` as a library call: options -> plan -> release -> spec -> session (attached or
 * detached) -> audit line. The CLI is a thin layer over this; `import { run } from "oneoff"`
 * gets the same behaviour.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { loadAppConfig, readEnvFile } from "./config/load.js";
import { resolveSources } from "./config/sources.js";
import { resolveRunPlan } from "./config/resolve.js";
import type { RunOptions } from "./types/options.js";
import type { RunPlan } from "./types/plan.js";
import type { RunContext } from "./types/context.js";
import type { RunResult } from "./types/result.js";

export type { RunContext, RunResult };
import type { AppConfig, SettingsLayer } from "./config/types.js";
import { connectTo, locate, type Connection, type LocatedEngine } from "./engine/connect.js";
import type { ContainerEngine } from "./engine/types.js";
import { createHoldingLock } from "./lifecycle/lock.js";
import { preflight, type Check } from "./lifecycle/preflight.js";
import { recordInLedger, releaseDone, writeAudit, writeAuditStart } from "./lifecycle/run-records.js";
import { currentOwner, formatOwner } from "./lifecycle/owner.js";
import { noWatchdog, startWatchdog } from "./lifecycle/watchdog.js";
import { OneoffError } from "./output/errors.js";
import { streamReporter, type Reporter } from "./output/reporter.js";
import { registryLogins } from "./release/credentials.js";
import { resolveRelease } from "./release/resolve.js";
import { runAttached } from "./session/attached-run.js";
import { startDetached } from "./session/detached-run.js";
import { abortInterrupts, noInterrupts } from "./session/interrupts.js";
import { OutputCapture } from "./session/capture.js";
import { checkLocalPaths } from "./session/local-paths.js";
import { payloadFor, reportSkippedCopyOut, withSecretEnv } from "./session/payload.js";
import { readSecretValues, rememberReadableSecrets, type SecretValue } from "./config/secret-values.js";
import { buildContainerSpec, type ContainerSpec } from "./spec/create-body.js";
import { describe, type Identity } from "./run-describe.js";
import { attachedJob, detachedJob, dryRunJob, refuseContainerOnly } from "./run-swarm.js";
import { dryRun } from "./run-dry.js";
import { VERSION } from "./version.js";

/**
 * Runs a one-off and resolves with its exit code. Failures of oneoff itself (config, engine,
 * image, a held lock) and a command that cannot be started reject with a OneoffError whose
 * `exitCode` is 125, 126 or 127.
 */
export async function run(options: RunOptions, context: Partial<RunContext> = {}): Promise<RunResult> {
  const cwd = context.cwd ?? process.cwd();
  const env = context.env ?? process.env;
  const stdin = context.stdin ?? process.stdin;
  const stderr = context.stderr ?? process.stderr;
  const report = streamReporter(stderr, { quiet: options.quiet ?? false });
  const { config, sourceLayers, engine: sourceEngine, service, engineChoice } = await resolveSources(options, cwd, env, context.engine);
  let engine = sourceEngine;
  const planned = planRun(options, cwd, env, (stdin as { isTTY?: boolean }).isTTY === true, { config, sourceLayers });
  const identity = { startedBy: whoAmI(), startedAt: new Date(), version: VERSION, owner: formatOwner(currentOwner()), runId: randomBytes(8).toString("hex") };
  const suffix = randomBytes(3).toString("hex");
  if (options.debug) report.warn(`config: ${planned.configPath ?? "none (no oneoff.yaml here or above)"}`);
  checkLocalPaths(planned.files);
  // A caller's own engine is used as it is; otherwise the one the flags, environment and
  // DOCKER_* choose, whose address the watchdog gets too.
  const located = context.engine ? undefined : locate(env, engineChoice);

  if (planned.engine === "swarm") refuseContainerOnly(planned);
  const secretsDir = planned.configPath ? path.dirname(planned.configPath) : cwd;
  if (options.dryRun) {
    rememberReadableSecrets(planned.secrets, env, secretsDir);
    const out = context.stdout ?? process.stdout;
    const shown = withSecretEnv(planned, undefined);
    return shown.engine === "swarm" ? dryRunJob({ plan: shown, identity, suffix, service }, out, located) : dryRun(shown, identity, suffix, out, located);
  }
  // Read now, before anything is created: a missing secret is an input error.
  const secrets = readSecretValues(planned.secrets, env, secretsDir);
  const plan = withSecretEnv(planned, secrets);
  if (context.audit !== false) writeAuditStart(env, plan, identity, report);

  // The command's stdout goes to oneoff's stderr with --json (stdout carries the document),
  // or into memory with capture.
  const capture = options.capture ? new OutputCapture() : undefined;
  const stdout = capture?.stdout ?? (options.json ? stderr : (context.stdout ?? process.stdout));
  const commandStderr = capture?.stderr ?? stderr;

  let result: RunResult | undefined;
  let failure: unknown;
  try {
    engine ??= await connectTo((located as LocatedEngine).connection);
    if (plan.engine === "swarm") {
      const job = { plan, identity, suffix, engine, report, service, env };
      if (options.detach) result = await detachedJob(job);
      else {
        const watchdog = context.watchdog === false ? noWatchdog : startWatchdog(env, { id: identity.runId, kind: "job" }, located?.connection);
        result = await attachedJob(job, context, { stdin, stdout, stderr: commandStderr }, watchdog);
        if (capture) result.output = capture.result();
      }
      return result;
    }
    if (options.detach) {
      result = await detached(plan, identity, suffix, engine, report, env, secrets);
    } else {
      result = await attached(plan, identity, suffix, engine, report, context, { env, stdin, stdout, stderr: commandStderr }, secrets, located?.connection);
      if (capture) result.output = capture.result();
    }
    return result;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (context.audit !== false) writeAudit(env, plan, identity, result, failure, report);
  }
}


async function attached(
  plan: RunPlan,
  identity: Identity,
  suffix: string,
  engine: ContainerEngine,
  report: Reporter,
  context: Partial<RunContext>,
  io: { env: Readonly<Record<string, string | undefined>>; stdin: Readable; stdout: Writable; stderr: Writable },
  secrets: readonly SecretValue[],
  connection: Connection | undefined,
): Promise<RunResult> {
  // Started before the release is resolved, so its own start-up overlaps with that.
  const watchdog = context.watchdog === false ? noWatchdog : startWatchdog(io.env, { id: identity.runId, kind: "container" }, connection);
  try {
    const release = await resolveRelease(engine, plan.releaseReference, plan.pull, report, loginsFor(plan, io.env));
    const spec = buildContainerSpec(plan, { ...identity, imageId: release.imageId }, suffix);
    // The release phase runs once per release image ID: checked before waiting for the lock
    // (the common case) and again once the lock is held (a concurrent release may just have
    // finished it).
    const alreadyDone = plan.release && !plan.release.force ? () => releaseDone(engine, plan, release.imageId, report) : undefined;
    if (alreadyDone && (await alreadyDone())) {
      watchdog.release();
      return { ...describe(plan, identity, spec, release.imageId), exitCode: 0, containerId: "", ending: "skipped", endedAt: new Date() };
    }
    if (plan.tty) {
      report.info(
        `${plan.app} one-off${plan.task ? ` ${plan.task}` : ""}: release ${release.imageId.replace(/^sha256:/, "").slice(0, 12)} (${plan.releaseReference}) as ${identity.startedBy}; a one-off container, removed on exit`,
      );
    }
    const payload = payloadFor(plan, engine, report, secrets);
    const session = await runAttached({
      engine,
      spec,
      interactive: plan.interactive,
      tty: plan.tty,
      ...(plan.detachKeys ? { detachKeys: plan.detachKeys } : {}),
      stopTimeoutSeconds: plan.stopTimeoutSeconds,
      ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
      io: { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr },
      interrupts: context.interrupts ?? (context.signal ? abortInterrupts(context.signal) : noInterrupts),
      report,
      watchdog,
      ...(plan.lock ? { create: (cancelled: () => boolean) => lockedCreate(plan, spec, engine, report, cancelled) } : {}),
      ...(alreadyDone ? { beforeStart: async () => !(await alreadyDone()) } : {}),
      // Recorded while the container, and so the lock, still exists: a concurrent release
      // that gets the lock next finds the task done.
      ...(plan.release ? { beforeRemoval: (ended: { exitCode: number }) => recordInLedger(engine, plan, identity, release.imageId, ended.exitCode, report) } : {}),
      ...payload.hooks,
    });
    reportSkippedCopyOut(plan, session.ending, report, payload.copiedOut());
    return {
      ...describe(plan, identity, spec, release.imageId),
      exitCode: session.exitCode,
      containerId: session.containerId,
      ending: session.ending,
      ...(session.signal ? { signal: session.signal } : {}),
      endedAt: new Date(),
    };
  } catch (error) {
    watchdog.release();
    throw error;
  }
}

async function detached(
  plan: RunPlan,
  identity: Identity,
  suffix: string,
  engine: ContainerEngine,
  report: Reporter,
  env: Readonly<Record<string, string | undefined>>,
  secrets: readonly SecretValue[],
): Promise<RunResult> {
  const release = await resolveRelease(engine, plan.releaseReference, plan.pull, report, loginsFor(plan, env));
  const spec = buildContainerSpec(plan, { ...identity, imageId: release.imageId }, suffix);
  const containerId = await startDetached(engine, spec, plan.lock ? () => lockedCreate(plan, spec, engine, report, () => false) : undefined, payloadFor(plan, engine, report, secrets).hooks.prepare);
  report.info(`started detached one-off ${spec.name}; follow it with: oneoff logs -f ${containerId.slice(0, 12)}`);
  return { ...describe(plan, identity, spec, release.imageId), exitCode: 0, containerId, ending: "detached", endedAt: new Date() };
}

function loginsFor(plan: RunPlan, env: Readonly<Record<string, string | undefined>>) {
  return registryLogins({ env, ...(plan.registryAuth ? { registryAuth: plan.registryAuth } : {}) });
}

function lockedCreate(plan: RunPlan, spec: ContainerSpec, engine: ContainerEngine, report: Reporter, cancelled: () => boolean): Promise<string> {
  return createHoldingLock({
    engine,
    lock: plan.lock as string,
    name: spec.name,
    body: spec.body,
    report,
    cancelled,
    ...(plan.waitLockMs === undefined ? {} : { waitMs: plan.waitLockMs }),
  });
}

/**
 * The pre-flight checks for a one-off, as `run` would resolve it. Config problems (which
 * stop resolution) come back as a failed "config" check rather than an exception.
 */
export async function checkRun(options: RunOptions, context: Partial<RunContext> = {}): Promise<Check[]> {
  const cwd = context.cwd ?? process.cwd();
  const env = context.env ?? process.env;
  let plan: RunPlan;
  let engine = context.engine;
  let located: LocatedEngine | undefined;
  try {
    const sources = await resolveSources(options, cwd, env, engine);
    engine = sources.engine;
    located = engine ? undefined : locate(env, sources.engineChoice);
    plan = planRun({ ...options, ...(options.command || options.task || options.releaseTask ? {} : { command: ["true"] }) }, cwd, env, false, sources);
  } catch (error) {
    if (!(error instanceof OneoffError)) throw error;
    return [{ name: "config", ok: false, detail: error.message, ...(error.hint ? { hint: error.hint } : {}) }];
  }
  engine ??= await connectTo((located as LocatedEngine).connection);
  return preflight(engine, plan, formatOwner(currentOwner()), loginsFor(plan, env));
}

/** Options + config files -> RunPlan. Reads files; talks to no engine. */
export function planRun(
  options: RunOptions,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  stdinIsTTY = false,
  sources: { config?: AppConfig | undefined; sourceLayers?: SettingsLayer[] } = {},
): RunPlan {
  const config = "config" in sources ? sources.config : loadAppConfig(options.config, cwd, env);
  const flagEnvFiles = (options.envFiles ?? []).map((file) => readEnvFile(path.resolve(cwd, file), env, `--env-file ${file}`));
  return resolveRunPlan({ config, options, hostEnv: env, flagEnvFiles, cwdName: path.basename(path.resolve(cwd)), cwd, stdinIsTTY, sourceLayers: sources.sourceLayers ?? [] });
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

export { OneoffError };
