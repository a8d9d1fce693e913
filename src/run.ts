/**
 * `oneoff run` as a library call: options -> plan -> release -> spec -> attached session.
 * The CLI is a thin layer over this; `import { run } from "oneoff"` gets the same behaviour.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { loadAppConfig, readEnvFile } from "./config/load.js";
import { resolveRunPlan, type RunOptions, type RunPlan } from "./config/resolve.js";
import { connectEngine } from "./engine/connect.js";
import type { ContainerEngine } from "./engine/types.js";
import { OneoffError } from "./output/errors.js";
import { redactEnvList } from "./output/redact.js";
import { streamReporter, type Reporter } from "./output/reporter.js";
import { currentOwner, formatOwner } from "./lifecycle/owner.js";
import { noWatchdog, startWatchdog, type Watchdog } from "./lifecycle/watchdog.js";
import type { OneOffIdentity } from "./spec/labels.js";
import { parseReleaseReference } from "./release/reference.js";
import { resolveRelease } from "./release/resolve.js";
import { runAttached } from "./session/attached-run.js";
import { abortInterrupts, noInterrupts, type InterruptSource } from "./session/interrupts.js";
import { buildContainerSpec, type ContainerSpec } from "./spec/create-body.js";
import { dockerRunLine } from "./spec/docker-run-line.js";
import { Labels } from "./spec/labels.js";
import { VERSION } from "./version.js";

export interface RunContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Where interrupts come from: the CLI passes its process signals. */
  interrupts: InterruptSource;
  /** For library callers: aborting stops the one-off as SIGTERM would. */
  signal?: AbortSignal;
  /** An engine to use instead of the one DOCKER_HOST names. */
  engine?: ContainerEngine;
  /**
   * Start the watchdog that removes the one-off if this process dies first (default true;
   * it talks to the engine DOCKER_HOST names, so callers passing their own `engine` may
   * want it off).
   */
  watchdog?: boolean;
}

export interface RunResult {
  /** The command's exit code (or 128+n when oneoff killed it after an interrupt). */
  exitCode: number;
  /** Empty for --dry-run. */
  containerId: string;
  imageId: string;
  containerName: string;
}

/**
 * Runs a one-off and resolves with its exit code. Failures of oneoff itself (config, engine,
 * image) and a command that cannot be started reject with a OneoffError whose `exitCode`
 * is 125, 126 or 127.
 */
export async function run(options: RunOptions, context: Partial<RunContext> = {}): Promise<RunResult> {
  const cwd = context.cwd ?? process.cwd();
  const env = context.env ?? process.env;
  const stdout = context.stdout ?? process.stdout;
  const stderr = context.stderr ?? process.stderr;
  const report = streamReporter(stderr, { quiet: options.quiet ?? false });

  const stdin = context.stdin ?? process.stdin;
  const plan = planRun(options, cwd, env, (stdin as { isTTY?: boolean }).isTTY === true);
  const identity = {
    startedBy: whoAmI(env),
    startedAt: new Date(),
    version: VERSION,
    owner: formatOwner(currentOwner()),
  };
  const suffix = randomBytes(3).toString("hex");

  if (options.dryRun) {
    // A dry run talks to no engine: the image stays as referenced, noted as such.
    const parsed = parseReleaseReference(plan.releaseReference);
    const imageId = parsed?.kind === "id" ? parsed.id : plan.releaseReference;
    const spec = buildContainerSpec(plan, { ...identity, imageId }, suffix);
    stdout.write(`${JSON.stringify(dryRunDocument(plan, spec, parsed?.kind === "id"), null, 2)}\n`);
    return { exitCode: 0, containerId: "", imageId, containerName: spec.name };
  }

  // Started first, so its own start-up overlaps with resolving the release.
  const watchdog = context.watchdog === false ? noWatchdog : startWatchdog(env);
  try {
    return await runWithEngine(plan, { ...identity }, suffix, context, { env, stdin, stdout, stderr, report, watchdog });
  } catch (error) {
    watchdog.release();
    throw error;
  }
}

interface Resolved {
  env: Readonly<Record<string, string | undefined>>;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  report: Reporter;
  watchdog: Watchdog;
}

async function runWithEngine(plan: RunPlan, identity: Omit<OneOffIdentity, "app" | "releaseReference" | "task" | "command" | "imageId">, suffix: string, context: Partial<RunContext>, { env, stdin, stdout, stderr, report, watchdog }: Resolved): Promise<RunResult> {
  const engine = context.engine ?? (await connectEngine(env));
  const release = await resolveRelease(engine, plan.releaseReference, plan.pull, report);
  const spec = buildContainerSpec(plan, { ...identity, imageId: release.imageId }, suffix);
  const interrupts = context.interrupts ?? (context.signal ? abortInterrupts(context.signal) : noInterrupts);
  if (plan.tty) {
    report.info(
      `${plan.app} one-off${plan.task ? ` ${plan.task}` : ""}: release ${release.imageId.replace(/^sha256:/, "").slice(0, 12)} (${plan.releaseReference}) as ${identity.startedBy}; a one-off container, removed on exit`,
    );
  }
  const { exitCode, containerId } = await runAttached({
    engine,
    spec,
    interactive: plan.interactive,
    tty: plan.tty,
    stopTimeoutSeconds: plan.stopTimeoutSeconds,
    io: { stdin, stdout, stderr },
    interrupts,
    report,
    watchdog,
  });
  return { exitCode, containerId, imageId: release.imageId, containerName: spec.name };
}

/** Options + config files -> RunPlan. Reads files; talks to no engine. */
export function planRun(options: RunOptions, cwd: string, env: Readonly<Record<string, string | undefined>>, stdinIsTTY = false): RunPlan {
  const config = loadAppConfig(options.config, cwd, env);
  const flagEnvFiles = (options.envFiles ?? []).map((file) => readEnvFile(path.resolve(cwd, file), env, `--env-file ${file}`));
  return resolveRunPlan({ config, options, hostEnv: env, flagEnvFiles, cwdName: path.basename(path.resolve(cwd)), stdinIsTTY });
}

function dryRunDocument(plan: RunPlan, spec: ContainerSpec, pinned: boolean) {
  const labels = pinned ? spec.body.Labels : { ...spec.body.Labels, [Labels.releaseImageId]: "<resolved at run time>" };
  const body = { ...spec.body, Env: redactEnvList(spec.body.Env), Labels: labels };
  return {
    name: spec.name,
    request: { method: "POST", path: `/containers/create?name=${spec.name}`, body },
    ...(spec.extraNetworks.length ? { connectNetworks: spec.extraNetworks } : {}),
    ...(pinned ? {} : { note: `Image is shown as referenced; a real run pins it to the image ID ${plan.releaseReference} resolves to.` }),
    provenance: plan.provenance,
    dockerRun: dockerRunLine({ ...spec, body }),
  };
}

function whoAmI(env: Readonly<Record<string, string | undefined>>): string {
  let user = env.USER ?? env.LOGNAME;
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = `uid${process.getuid?.() ?? "?"}`;
    }
  }
  return `${user}@${os.hostname()}`;
}

export { OneoffError };
