/**
 * `oneoff run`: flags -> RunOptions -> the library's run().
 */
import { Command, Option } from "commander";
import type { RunOptions } from "../types/options.js";
import { RUN_KIND_NAMES, PULL_POLICIES } from "../types/config.js";
import { OneoffError } from "../output/errors.js";
import { copyOutLimitFlag, keepForFlag, timeoutFlag, waitLockFlag } from "../formats/flag-values.js";
import { collect, sameNameOptions } from "./argv.js";
import { refuseNotForOneOffs, withNotForOneOffs } from "./not-for-one-offs.js";
import { runtimeFlagsOf, withSettingOptions } from "./runtime-options.js";
import { asDockerRunSettings, inHelpGroups } from "./help-groups.js";
import type { CliContext } from "./command.js";
import { printLedger } from "./ledger.js";
import { runChecks } from "./check.js";

const EXAMPLES = `
Examples:
  oneoff run migrate                                  a task from oneoff.yaml
  oneoff run rake db:migrate                          any command (a task of that name wins), from the configured release
  oneoff run -- migrate                               always a command, never a task
  oneoff run --release shop:v42 -- ./bin/fix-records  a given release (tag, digest or image ID)
  oneoff run -e DEBUG=1 python manage.py check        extra environment (flags after the command are its own)
  cat dump.sql | oneoff run -- psql                   stdin piped in (passed as with -i)
  oneoff run -it -- rails console                     an interactive terminal session
  oneoff run --dry-run migrate                        show the create request, start nothing
  oneoff run --engine swarm --from web -- rake db:migrate   a Swarm job from service web's spec
  oneoff run --copy-in fix.sql:/tmp/fix.sql -- psql -f /tmp/fix.sql   a file in before start
  oneoff run --copy-out /tmp/report.csv:. report      a file out after it exits

Exit status: the command's own; 125 oneoff or engine failed (or its output could not be
written), 126 cannot invoke, 127 command not found, 130/143 interrupted by SIGINT/SIGTERM,
141 the reader of its output went away (it was stopped).`;

const SHELL_EXAMPLES = `
Examples:
  oneoff shell                          the release's shell, with the app's config
  oneoff shell --release shop:v41       look around an older release
  oneoff shell -u root                  as another user

The session is a terminal (like docker run -it): Ctrl-C, Ctrl-Z and Ctrl-\\ go to the
container; the shell's exit code is oneoff's; the container is removed on exit.`;

export function runCommand(context: CliContext): Command {
  return withContainerOptions(
    new Command("run")
      .description("run a task or command in a new container from the release image, then remove it")
      .argument("[task]", "a task named in oneoff.yaml, or the command to run (the words after it are its arguments)"),
  )
    .option("-i, --interactive", "pass stdin to the command (closed at EOF); piped or redirected stdin is passed without it")
    .option("--no-stdin", "keep piped or redirected stdin from the command (as docker run without -i)")
    .option("-t, --tty", "allocate a terminal (with -i: an interactive session, like docker run -it)")
    .option("--check", "run the pre-flight checks first (oneoff check) and stop if one fails")
    .option("-d, --detach", "start the one-off, print its ID and return; it is kept after it ends (see --keep-for)")
    .option("--keep-for <duration>", "with --detach: how long to keep it after it ends (default 24h)")
    .option("--dry-run", "print the container create request and the equivalent docker run line; run nothing")
    .addHelpText("after", EXAMPLES)
    .action((task: string | undefined, flags: Record<string, unknown>) =>
      context.act(() =>
        // At a terminal (stdin and stdout), `run` is a terminal session unless -i/-t/-T say
        // otherwise; piped or redirected stdin is passed unless --no-stdin says otherwise.
        runJob(
          {
            ...toRunOptions(task, flags, context),
            atTerminal: context.io.stdinIs === "terminal" && context.io.stdoutIsTTY,
            stdinPiped: context.io.stdinIs === "input",
          },
          context,
          flags.check === true,
        ),
      ),
    );
}

export function shellCommand(context: CliContext): Command {
  return withContainerOptions(
    new Command("shell").description(
      "open an interactive shell (config shell:, default /bin/sh) in a new container from the release image",
    ),
  )
    .addHelpText("after", SHELL_EXAMPLES)
    .action((flags: Record<string, unknown>) =>
      context.act(() => runJob({ ...toRunOptions(undefined, flags, context), shell: true }, context)),
    );
}

export function releaseCommand(context: CliContext): Command {
  return withContainerOptions(
    new Command("release").description(
      "run the release task (release_task: in oneoff.yaml, or the task named release): the release phase of a deploy",
    ),
    // release takes its lock itself, and waits for it unless --no-wait says not to.
    "wait for the release lock up to duration, then fail (default: as long as it takes)",
  )
    .addHelpText(
      "after",
      `
It runs like oneoff run TASK, holding the lock "release" (a second release waits for the
first; --no-wait fails instead) and with a 30m timeout unless the task sets its own, and
exits with the task's exit code. It runs once per release image ID: the ledger on the
engine records each run, and a release that already succeeded is skipped (exit 0).

Examples:
  oneoff release && ./deploy          the whole pattern in a pipeline
  oneoff release --force              run it again anyway (recorded as forced)
  oneoff release --status --json      the ledger: which release tasks ran for which release`,
    )
    .option("--force", "run it even if the ledger says it already succeeded for this release")
    .option("--no-check", "skip the pre-flight checks (oneoff check) it runs first")
    .option("--no-wait", "fail at once when another release holds the lock, instead of waiting for it")
    .option("--status", "show the ledger: which release tasks ran for which release, when, by whom, how")
    .action((flags: Record<string, unknown>) =>
      context.act(() =>
        flags.status
          ? releaseStatus(flags, context)
          : runJob(
              { ...toRunOptions(undefined, flags, context), releaseTask: true, force: flags.force === true, noWait: flags.wait === false },
              context,
              flags.check !== false,
            ),
      ),
    );
}

async function releaseStatus(flags: Record<string, unknown>, { io, engineFlags }: CliContext): Promise<number> {
  const { loadAppConfig } = await import("../config/load.js");
  const config = await loadAppConfig(flags.config as string | undefined, io.cwd, io.env);
  if (!config)
    throw new OneoffError("no oneoff.yaml here or in any parent directory", {
      hint: "run it in the app's directory, or pass --config FILE",
    });
  return printLedger(config.app, io, {
    json: flags.json === true,
    engine: engineFlags(),
    ...(flags.config ? { config: flags.config as string } : {}),
  });
}

async function runJob(options: RunOptions, { io }: CliContext, check = false): Promise<number> {
  // The run reuses what the checks read and planned: oneoff.yaml, the sources, the engine located and connected, the plan.
  const checks = check && !options.dryRun ? await runChecks(options, io, { json: false, beforeRun: true }) : undefined;
  if (checks && !checks.ok) return 125;
  // Imported here so --version and --help never pay for the run machinery.
  const [{ run }, { processInterrupts }, { runDocument }, { markWritesThrough }] = await Promise.all([
    import("../pipeline/run.js"),
    import("../session/interrupts.js"),
    import("../output/run-document.js"),
    import("../session/output.js"),
  ]);
  // This process's own streams: a one-off's output may be read into one reused buffer.
  if (io.stdout === process.stdout && io.stderr === process.stderr) markWritesThrough(process.stdout, process.stderr);
  const result = await run(
    options,
    {
      cwd: io.cwd,
      env: io.env,
      // Made only if the one-off reads it (processStdin, in command.ts, says why).
      get stdin() {
        return io.stdin;
      },
      stdinIsTTY: io.stdinIs === "terminal",
      stdout: io.stdout,
      stderr: io.stderr,
      messages: io.stderr,
      interrupts: processInterrupts(),
    },
    checks?.checked,
  );
  if (options.json) io.document("run", runDocument(result));
  else if (options.detach) io.stdout.write(`${result.id}\n`);
  return result.exitCode;
}

/** The flags `run`, `shell` and `release` share: where the one-off comes from and what it gets. */
function withContainerOptions(command: Command, waitLock = "with --lock: wait for the lock (up to duration) instead of failing"): Command {
  return withNotForOneOffs(asDockerRunSettings(inHelpGroups(command), withSettingOptions))
    .option("--rm", "accepted as docker run takes it: a one-off is always removed when it ends (-d keeps it for --keep-for)")
    .option("--name <name>", "name the container (default APP[-TASK]-run-XXXXXX; a lock's one-off is named after the lock)")
    .option("-T, --no-TTY", "never allocate a terminal, as docker compose run -T (stdin still passes with -i)")
    .option("-f, --file <file>", "config file (default: oneoff.yaml here or in a parent directory)")
    .option("--config <file>", "the same as -f, --file")
    .option("--from <process>", "copy image and settings from a running process: web (by label or compose service), or container:NAME")
    .option(
      "--compose <file>",
      "with --service: a compose file; repeat to merge several in order, as docker compose -f (default: COMPOSE_FILE, else compose.yaml / docker-compose.yml and its override here)",
      collect,
    )
    .option("--service <name>", "take image and settings from this compose service")
    .option("--release <ref>", "image to run: tag (with image: in config), repo:tag, repo@sha256:digest or image ID")
    .option("--copy-in <local:path>", "copy a local file or directory into the one-off before it starts (repeatable)", collect)
    .option("--copy-out <path:local>", "copy a file or directory out after the command exits, before removal (repeatable)", collect)
    .option("--copy-out-limit <size>", "the most one --copy-out may write, e.g. 4g (default 1g; past it nothing of that copy is kept)")
    .addOption(new Option("--pull <policy>", "when to pull the release image").choices(PULL_POLICIES as string[]))
    .addOption(
      new Option(
        "--engine <kind>",
        "run as a container (docker) or as a job on the engine's Swarm (swarm); default $ONEOFF_ENGINE, engine: or docker",
      ).choices(RUN_KIND_NAMES as string[]),
    )
    .option("--constraint <expr>", "with --engine swarm: a placement constraint, e.g. node.hostname==db1 (repeatable)", collect)
    .option(
      "--registry-auth <user:env:VAR|user:file:PATH>",
      "registry credentials for the pull: a user, and the variable or file holding the password (default: docker's config.json)",
    )
    .option(
      "--timeout <duration>",
      "stop the one-off after this long (10m, 1h30m; exit 124); none: no timeout, whatever timeout: in oneoff.yaml says",
    )
    .option("--lock <name>", "hold this lock while running: a second one-off of the app with it is refused")
    .option("--wait-lock [duration]", waitLock)
    .option("--json", "print one JSON document on stdout (the command's output goes to stderr)")
    .option("--capture", "with --json: include the command's output in the document (up to 64 MiB)")
    .option("--detach-keys <keys>", "keys that detach a terminal session, leaving it running (default ctrl-p,ctrl-q)")
    .option("--record", "record the session on the engine, for oneoff replay (a record: false in oneoff.yaml wins)")
    .option("-q, --quiet", "say nothing on stderr but errors");
}

/**
 * run's flags that are RunOptions of the same name and type, as commander reads them: a
 * repeatable flag collects a list (--network: network), a switch is true.
 */
const SAME_NAME_FLAGS = [
  "config",
  "from",
  "compose",
  "service",
  "release",
  "interactive",
  "tty",
  "name",
  "pull",
  "engine",
  "constraint",
  "registryAuth",
  "lock",
  "dryRun",
  "quiet",
  "record",
  "detach",
  "json",
  "detachKeys",
  "capture",
  "copyIn",
  "copyOut",
] as const satisfies ReadonlyArray<keyof RunOptions>;

function toRunOptions(task: string | undefined, flags: Record<string, unknown>, context: CliContext): RunOptions {
  refuseNotForOneOffs(flags);
  const options = sameNameOptions(flags, SAME_NAME_FLAGS);
  if (task !== undefined) {
    options.task = task;
    // The first word after run's own flags: a task when oneoff.yaml names one, else the command.
    options.taskOrCommand = true;
  }
  // commander reads -T, --no-TTY as TTY: false, and --no-stdin as stdin: false (true when not given).
  if (flags.TTY === false) options.noTty = true;
  if (flags.stdin === false) options.noStdin = true;
  Object.assign(options, runtimeFlagsOf(flags));
  // Durations and sizes are read here, once, into milliseconds and bytes.
  if (flags.timeout !== undefined) options.timeout = timeoutFlag(flags.timeout as string);
  if (flags.waitLock !== undefined) options.waitLock = waitLockFlag(flags.waitLock as string | true);
  if (flags.keepFor !== undefined) options.keepFor = keepForFlag(flags.keepFor as string);
  if (flags.copyOutLimit !== undefined) options.copyOutLimit = copyOutLimitFlag(flags.copyOutLimit as string);
  if (context.debug) options.debug = true;
  Object.assign(options, context.engineFlags());
  if (options.capture && !options.json)
    throw new OneoffError("--capture needs --json", { hint: "add --json: the captured output goes into its document" });
  if (context.afterDashDash !== undefined) options.command = context.afterDashDash;
  return options;
}
