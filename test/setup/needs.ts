/**
 * Which setup step (test/setup/STEP.sh) each engine-tier test file needs: one row per step (what
 * it provides, the steps it needs first, and the text in a test file that shows the file uses
 * it), one row per file. Running files provides the steps their rows name and those they need
 * first (test/setup/provide.ts, from the integration tier's global setup); every step is a no-op
 * when what it provides is there and valid.
 *
 * One table rather than a line in each test file: the global setup reads it without loading
 * test files (a test file cannot be imported outside its run), the docs table is made from it,
 * and the step names are checked where they are written. What keeps it true is
 * test/unit/setup-needs.test.ts: a file whose text shows a step's markers must have that step
 * here, a step named here must show in its file, and every test file has a row.
 */

export type StepName =
  | "tools"
  | "engine"
  | "images"
  | "registry"
  | "registry-auth"
  | "swarm"
  | "remote-engines"
  | "isolated-engine"
  | "swarm-worker"
  | "node-versions";

export interface Step {
  name: StepName;
  provides: string;
  /** Steps that must have run first (the script says "run X first" without them). */
  after: readonly StepName[];
  /** Text in a test file that means it uses what the step provides. */
  markers: readonly RegExp[];
}

/** In all.sh's order, which is also the order they run in. */
export const STEPS: readonly Step[] = [
  {
    name: "tools",
    provides: "tmux, script, docker-compose (v1), zsh, fish",
    after: [],
    markers: [/\.\/tmux\.js/, /\btmux\b/, /docker-compose/, /"(zsh|fish|script)"/],
  },
  { name: "engine", provides: "a Docker engine on /var/run/docker.sock", after: [], markers: [] },
  { name: "images", provides: "oneoff-test/busybox:latest and :v1", after: ["engine"], markers: [] },
  {
    name: "registry",
    provides: "plain HTTP registry on 127.0.0.1:5055 holding oneoff-test/pullme:v1",
    after: ["images"],
    markers: [/127\.0\.0\.1:5055/, /import\s*\{[^}]*\bREGISTRY\b[^}]*\}\s*from\s*"\.\/helpers\.js"/, /pullme/, /oneoff-registry(?!-auth)/],
  },
  {
    name: "registry-auth",
    provides: "TLS + htpasswd registry on 127.0.0.1:5056 holding oneoff-test/private:v1",
    after: ["images"],
    markers: [/127\.0\.0\.1:5056/, /oneoff-registry-auth/, /oneoff-test\/private/],
  },
  {
    name: "swarm",
    provides: "the engine as a Swarm manager (10.231.7.1), network namespace oneoff-w2",
    after: ["engine"],
    markers: [/swarm/i],
  },
  {
    name: "remote-engines",
    provides: "TLS engine 127.0.0.1:23760, ssh engine 127.0.0.1:2222, Podman /tmp/oneoff-podman.sock",
    after: ["images"],
    markers: [/23760/, /:2222\b/, /oneoff-remote-engines/, /podman/i],
  },
  {
    name: "isolated-engine",
    provides: "an engine in its own namespaces and rootfs (10.231.7.2: TLS :2376, ssh oneoff-isolated)",
    after: ["swarm", "remote-engines"],
    markers: [/oneoff-isolated/, /10\.231\.7\.2\b/, /isolated-engine\.sh/],
  },
  {
    name: "swarm-worker",
    provides: "the isolated engine joined to the swarm as a drained worker (label oneoff-test=worker)",
    after: ["isolated-engine"],
    markers: [/oneoff-test==?worker/, /swarm-worker\.sh/],
  },
  {
    name: "node-versions",
    provides: "Node 20, 22 and 24 under /var/cache/oneoff-node",
    after: [],
    markers: [/\/var\/cache\/oneoff-node/, /node-versions\.sh/],
  },
];

/** What every engine-tier file gets: the global setup checks for the test image before any file runs. */
export const BASE: readonly StepName[] = ["engine", "images"];

export interface FileNeeds {
  /** Beyond BASE; the steps these need first come with them. */
  steps: readonly StepName[];
  /** What in the file uses them. */
  why?: string;
  /** A step whose markers the file shows without needing what it provides, and why not. */
  mentionsWithoutNeeding?: Partial<Record<StepName, string>>;
}

const BASE_ONLY: FileNeeds = { steps: [] };

/** Every test file of the engine tier (test/integration, test/faults), by its path from the repository. */
export const NEEDS: Readonly<Record<string, FileNeeds>> = {
  "test/integration/archive-tmpfs.test.ts": BASE_ONLY,
  "test/integration/broken-output.test.ts": { steps: ["swarm"], why: "a write error on a Swarm job's output" },
  "test/integration/check.test.ts": { steps: ["registry"], why: "checks an image the registry at 127.0.0.1:5055 lacks" },
  "test/integration/cli-errors.test.ts": BASE_ONLY,
  "test/integration/cleanup.test.ts": BASE_ONLY,
  "test/integration/completion-shells.test.ts": { steps: ["tools"], why: "the completion scripts run in real zsh and fish" },
  "test/integration/compose-oracle.test.ts": { steps: ["tools"], why: "docker-compose v1 is the oracle" },
  "test/integration/config-applied.test.ts": BASE_ONLY,
  "test/integration/docker-flags.test.ts": BASE_ONLY,
  "test/integration/docker-oracle-mounts.test.ts": BASE_ONLY,
  "test/integration/docker-oracle.test.ts": BASE_ONLY,
  "test/integration/dry-run.test.ts": { steps: ["registry"], why: "the digest of 127.0.0.1:5055/oneoff-test/pullme:v1, and one it lacks" },
  "test/integration/engine-edges.test.ts": { steps: ["swarm"], why: "asks a Swarm manager for its node" },
  "test/integration/escapes.test.ts": BASE_ONLY,
  "test/integration/exit-codes.test.ts": BASE_ONLY,
  "test/integration/files.test.ts": BASE_ONLY,
  "test/integration/from-app.test.ts": BASE_ONLY,
  "test/integration/isolated-engine.test.ts": { steps: ["isolated-engine"], why: "the engine that does not share this machine" },
  "test/integration/launcher.test.ts": BASE_ONLY,
  "test/integration/library-messages.test.ts": BASE_ONLY,
  "test/integration/library-package.test.ts": BASE_ONLY,
  "test/integration/library.test.ts": BASE_ONLY,
  "test/integration/node-versions.test.ts": { steps: ["node-versions"], why: "the packed package on Node 20, 22 and 24" },
  "test/integration/operations.test.ts": BASE_ONLY,
  "test/integration/parity.test.ts": BASE_ONLY,
  "test/integration/podman.test.ts": { steps: ["remote-engines"], why: "Podman's Docker API on /tmp/oneoff-podman.sock" },
  "test/integration/recordings.test.ts": {
    steps: ["remote-engines", "tools"],
    why: "a recorded session and its replay on tmux terminals; recorded over ssh on 127.0.0.1:2222, replayed over TLS on 127.0.0.1:23760",
  },
  "test/integration/registry-auth.test.ts": { steps: ["registry-auth"], why: "authenticated pulls from 127.0.0.1:5056" },
  "test/integration/release-pull.test.ts": { steps: ["registry", "tools"], why: "pulls from 127.0.0.1:5055; progress on a tmux terminal" },
  "test/integration/remote-engines.test.ts": {
    steps: ["remote-engines", "swarm"],
    why: "TLS on 127.0.0.1:23760, ssh on 127.0.0.1:2222; a Swarm job over ssh",
  },
  "test/integration/secrets.test.ts": BASE_ONLY,
  "test/integration/signals.test.ts": BASE_ONLY,
  "test/integration/streams.test.ts": BASE_ONLY,
  "test/integration/swarm-worker.test.ts": { steps: ["swarm-worker", "tools"], why: "jobs placed on the worker; a tmux terminal" },
  "test/integration/swarm.test.ts": { steps: ["swarm", "tools"], why: "Swarm jobs; a tmux terminal" },
  "test/integration/team-history.test.ts": {
    steps: ["remote-engines"],
    why: "history read over TLS on 127.0.0.1:23760, written and read over ssh on 127.0.0.1:2222",
  },
  "test/integration/tty.test.ts": { steps: ["tools"], why: "tmux terminals" },
  "test/faults/bad-input.test.ts": {
    steps: ["registry", "swarm"],
    why: "a tag 127.0.0.1:5055 lacks; --from a service the swarm lacks",
    mentionsWithoutNeeding: {
      "remote-engines": "its ssh://…:2222 rows are refused before any connection; Podman is named in a message",
    },
  },
  "test/faults/chaos.test.ts": BASE_ONLY,
  "test/faults/command-faults.test.ts": BASE_ONLY,
  "test/faults/engine-faults.test.ts": BASE_ONLY,
  "test/faults/owner-killed.test.ts": BASE_ONLY,
  "test/faults/planted-config.test.ts": BASE_ONLY,
  "test/faults/planted-state.test.ts": BASE_ONLY,
  "test/faults/secrets.test.ts": BASE_ONLY,
  "test/faults/watchdog.test.ts": BASE_ONLY,
};

function step(name: StepName): Step {
  const found = STEPS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no setup step ${name}`);
  return found;
}

/** `names` with every step they need first, in the order they run. */
export function withPrerequisites(names: readonly StepName[]): StepName[] {
  const wanted = new Set<StepName>();
  const add = (name: StepName): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    step(name).after.forEach(add);
  };
  names.forEach(add);
  return STEPS.map((candidate) => candidate.name).filter((name) => wanted.has(name));
}

/** The steps that running `files` (paths from the repository) takes, in order; throws for a file with no row. */
export function stepsFor(files: readonly string[]): StepName[] {
  return withPrerequisites([
    ...BASE,
    ...files.flatMap((file) => {
      const needs = Object.hasOwn(NEEDS, file) ? NEEDS[file] : undefined;
      if (!needs) throw new Error(`${file} has no row in test/setup/needs.ts: add one naming the setup steps it needs`);
      return needs.steps;
    }),
  ]);
}
