// The npm package as a user gets it: `npm pack` (of the dist/ that `npm test`'s pretest
// built), installed into an empty folder from the tarball, its dependencies from the
// registry. Needs `npm run build` first, and the npm registry: its own tier (test/packaging/).
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const imageId = `sha256:${"5e".repeat(32)}`;

/** What docs/library.md promises, in its section "What it exports": values, then types only. */
const PROMISED_VALUES = [
  "abortInterrupts",
  "check",
  "cleanup",
  "list",
  "logs",
  "OneoffError",
  "processInterrupts",
  "release",
  "run",
  "stop",
];
const PROMISED_TYPES = [
  "Check",
  "CleanupOptions",
  "CleanupResult",
  "Duration",
  "EngineOptions",
  "InterruptSource",
  "LibraryRunOptions",
  "ListOptions",
  "LogsOptions",
  "OneOffView",
  "ReapResult",
  "RunContext",
  "RunResult",
  "StopOptions",
];
const byName = (a: string, b: string) => a.localeCompare(b);

/** The rows of docs/library.md's table under the heading that names `name`: their keys. */
function documentedKeys(name: string): string[] {
  const doc = readFileSync(path.join(repo, "docs/library.md"), "utf8");
  const section = doc.split(/^(?=#{2,3} )/m).find((text) => text.split("\n")[0]!.includes(`\`${name}\``)) ?? "";
  return [...section.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]!);
}

// Each step runs a process or two (tsc the longest): generous, for a machine busy with the
// integration suite at the same time.
describe("the npm package", { timeout: 30_000 }, () => {
  let work: string;
  let app: string;
  let packed: { files: { path: string }[] };

  const inApp = (file: string, args: string[], options: ExecFileSyncOptions = {}) =>
    execFileSync(file, args, {
      cwd: app,
      encoding: "utf8",
      env: { ...process.env, ONEOFF_AUDIT_LOG: path.join(work, "audit.jsonl") },
      ...options,
    }) as string;

  beforeAll(() => {
    if (!existsSync(path.join(repo, "dist/bundle/cli.cjs")))
      throw new Error("dist/ is not built: run npm run build (npm test does, in pretest)");
    work = mkdtempSync(path.join(os.tmpdir(), "oneoff-package-"));
    app = path.join(work, "app");
    mkdirSync(app);
    // --ignore-scripts: prepack would rebuild dist/ under other tests' feet; it is built.
    const [result] = JSON.parse(
      execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
        cwd: repo,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as [{ filename: string; files: { path: string }[] }];
    packed = result;
    inApp("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", path.join(work, result.filename)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("holds what runs and its types, and no sources, tests or source maps", () => {
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "LICENSE",
        "bin/oneoff.js",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/bundle/cli.cjs",
        "dist/bundle/watchdog-main.cjs",
        "dist/bundle/vendor/dockerode.cjs",
        "bin/package.json",
        "dist/lifecycle/watchdog-main.js",
      ]),
    );
    expect(files.filter((file) => /^(src|test|examples|docs)\/|\.map$|\.ts$(?<!\.d\.ts)|^dist\/cli\//.test(file))).toEqual([]);
  });

  it("installs a oneoff command that prints its version", () => {
    expect(inApp(path.join(app, "node_modules/.bin/oneoff"), ["--version"]).trim()).toBe(VERSION);
  });

  it("runs a dry run (which needs no engine) from the installed command", () => {
    const document = JSON.parse(
      inApp(path.join(app, "node_modules/.bin/oneoff"), ["run", "--dry-run", "--release", imageId, "--", "true"]),
    ) as {
      request: { body: { Image: string; Cmd: string[]; Labels: Record<string, string> } };
      dockerRun: string;
    };
    expect(document.request.body.Image).toBe(imageId);
    expect(document.request.body.Cmd).toEqual(["true"]);
    expect(document.request.body.Labels["io.oneoff.version"]).toBe(VERSION);
    expect(document.dockerRun).toMatch(/^docker run --rm /);
  });

  it("is importable as a library: import('oneoff') gives run", () => {
    expect(inApp(process.execPath, ["-e", "import('oneoff').then(m => console.log(typeof m.run, typeof m.OneoffError))"]).trim()).toBe(
      "function function",
    );
  });

  it("gives TypeScript its types through exports", () => {
    writeFileSync(
      path.join(app, "check.ts"),
      'import { cleanup, run, type LibraryRunOptions } from "oneoff";\nconst options: LibraryRunOptions = { task: "migrate" };\nexport const started: Promise<{ exitCode: number }> = run(options);\nexport const pruned: Promise<number> = cleanup({ dryRun: true }).then((done) => done.records.pruned);\n',
    );
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [path.join(repo, "node_modules/@types")],
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ ...JSON.parse(readFileSync(path.join(app, "package.json"), "utf8")), type: "module" }),
    );
    inApp(process.execPath, [path.join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], { stdio: ["ignore", "pipe", "pipe"] });
  });

  it("exports at run time what docs/library.md promises, and nothing else", () => {
    const names = JSON.parse(inApp(process.execPath, ["-e", "import('oneoff').then(m => console.log(JSON.stringify(Object.keys(m))))"]));
    expect([...(names as string[])].sort(byName)).toEqual([...PROMISED_VALUES].sort(byName));
    const promised = readFileSync(path.join(repo, "docs/library.md"), "utf8").split(/^## What it exports$/m)[1] ?? "";
    for (const name of [...PROMISED_VALUES, ...PROMISED_TYPES]) expect(promised, name).toContain(`\`${name}\``);
  });

  it("gives TypeScript the promised names, and options only as docs/library.md's tables list them", () => {
    const types = path.join(app, "node_modules/oneoff/dist/index.d.ts");
    const program = ts.createProgram([types], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(types)!)!);
    expect(exported.map((symbol) => symbol.name).sort(byName)).toEqual([...PROMISED_VALUES, ...PROMISED_TYPES].sort(byName));
    // A key in the package's types that the doc's table does not list (a test's seam, say) is a promise nobody made.
    const ownKeys = (name: string) => {
      const symbol = exported.find((candidate) => candidate.name === name)!;
      const declared = checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
      return checker.getPropertiesOfType(declared).map((property) => property.name);
    };
    for (const name of [
      "RunContext",
      "LibraryRunOptions",
      "ListOptions",
      "LogsOptions",
      "StopOptions",
      "CleanupOptions",
      "EngineOptions",
    ]) {
      const documented = new Set(["EngineOptions", name].flatMap(documentedKeys));
      expect(
        ownKeys(name).filter((key) => !documented.has(key)),
        name,
      ).toEqual([]);
    }
  });
});
