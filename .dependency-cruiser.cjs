/**
 * The house's import rules (../shared/STYLE.md as the project keeps it): checked by
 * `npm run lint`, which .ci/run runs. Each rule says why it exists.
 */
/**
 * The rooms, bottom first: each may use those below it, never one above. Two arrows run back
 * up, each for a reason: types/context.ts names the engine interface a library caller may pass
 * (a type only), and the watchdog process (an entry point of its own) removes a job through the
 * swarm-job backend and reaps through the pipeline.
 */
const ROOMS = ["types", "output", "formats", "settings", "requests", "engine", "config", "release", "session", "plan", "lifecycle", "backends", "pipeline", "cli"];
const ALLOWED_UP = { types: "^src/engine/types\\.ts$", lifecycle: null };
const roomRules = ROOMS.slice(0, -1).map((room, index) => ({
  name: `${room}-uses-no-room-above-it`,
  severity: "error",
  comment: `Rooms above ${room}/: ${ROOMS.slice(index + 1).join(", ")}.`,
  from: { path: `^src/${room}/`, ...(room === "lifecycle" ? { pathNot: "^src/lifecycle/watchdog-main\\.ts$" } : {}) },
  to: { path: `^src/(${ROOMS.slice(index + 1).join("|")})/`, ...(ALLOWED_UP[room] ? { pathNot: ALLOWED_UP[room] } : {}) },
}));

module.exports = {
  forbidden: [
    ...roomRules,
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle means two modules that cannot be read, tested or moved apart.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "dockerode-only-in-the-engine-room",
      severity: "error",
      comment: "src/engine/ is the only place that talks to an engine; everything above it takes a ContainerEngine.",
      from: { path: "^src/", pathNot: "^src/engine/" },
      to: { path: "node_modules/(dockerode|docker-modem)/" },
    },
    {
      name: "commander-only-in-the-cli",
      severity: "error",
      comment: "The core takes a plain options object; flags are the CLI's business.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "node_modules/commander/" },
    },
    {
      name: "requests-are-pure",
      severity: "error",
      comment: "src/requests/ turns a plan into Engine API bodies: no I/O, so --dry-run and its tests need no engine.",
      from: { path: "^src/requests/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|net|child_process|http|https)" },
    },
    {
      name: "requests-use-no-room-that-does-io",
      severity: "error",
      comment: "The request builder reads only the plan (and types): engines, sessions, lifecycle and releases do I/O.",
      from: { path: "^src/requests/" },
      to: { path: "^src/(engine/docker/|engine/swarm/jobs\\.ts$|session/|lifecycle/|cli/|release/)" },
    },
    {
      name: "requests-use-no-package",
      severity: "error",
      comment: "Pure code needs no dependency.",
      from: { path: "^src/requests/" },
      to: { dependencyTypes: ["npm", "npm-dev", "npm-optional"] },
    },
    {
      name: "types-at-the-bottom",
      severity: "error",
      comment: "The shared types (options, plan, result, context, a one-off's view) import only other types, so every room may use them.",
      from: { path: "^src/types/" },
      to: { pathNot: "^src/types/|^src/engine/types\\.ts$|^(node:)?stream$" },
    },
    {
      name: "nothing-imports-the-cli",
      severity: "error",
      comment: "The CLI is the top floor: nothing below it may depend on it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|test)/" },
  },
};
