/**
 * The zsh and fish completion scripts, run in the real shells (test/setup/tools.sh installs
 * them). `oneoff` on PATH is a stub that records its arguments and prints fixed lists, so
 * these tests see which candidates each shell offers and what the script asked oneoff for.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../unit/cli-output.js";

const STUB = `#!/bin/sh
printf '%s\\n' "$*" >>"$ONEOFF_ARGS"
case "$*" in
  *"completion --list oneoffs"*) printf '%s\\n' 3f2a9c1b7d4e shop-migrate-run-ab12cd ;;
  *"completion --list processes"*) printf '%s\\n' web worker ;;
  *"completion --list environments"*) printf '%s\\n' production staging ;;
  *"tasks --json"*) echo '[{"name":"migrate","command":["rake","db:migrate"]},{"name":"console","command":["sh"]}]' ;;
esac
`;

// compinit in an interactive zsh on a pseudo-terminal (zpty), the generated script sourced,
// the line typed and Tab pressed: compsys runs _oneoff as it would for a user. compadd is
// wrapped to write each match it is given to $MATCHES (not those it is only asked to filter,
// with -O, -A or -D), and a line "--end--" once completion is over.
const ZSH_SETUP = `PS1='' PROMPT_EOL_MARK=''
autoload -Uz compinit && compinit -u -D
source "$COMPLETION_SCRIPT"
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- $hits >>$MATCHES
  builtin compadd "$@"
}
completion_done() { print -r -- --end-- >>$MATCHES }
comppostfuncs=(completion_done)
`;
const ZSH_DRIVER = `zmodload zsh/zpty
: >$MATCHES
zpty shell zsh -f -i
zpty -w shell "source \${(q)ZSH_SETUP}"
zpty -w -n shell "$1"$'\\t'
for i in {1..300}; do
  [[ $(<$MATCHES) == *--end--* ]] && break
  sleep 0.01
done
zpty -d shell
cat $MATCHES
`;

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oneoff-completion-shells-"));
  writeFileSync(join(dir, "oneoff"), STUB);
  chmodSync(join(dir, "oneoff"), 0o755);
  writeFileSync(join(dir, "setup.zsh"), ZSH_SETUP);
  writeFileSync(join(dir, "driver.zsh"), ZSH_DRIVER);
  for (const shell of ["zsh", "fish"]) {
    const { code, stdout, stderr } = await runCli(["completion", shell]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    scripts[shell] = join(dir, `oneoff.${shell}`);
    writeFileSync(scripts[shell], stdout);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The candidates the shell offers for `line` (Tab pressed at its end), and the stub's calls. */
function complete(shell: "zsh" | "fish", line: string): { candidates: string[]; calls: string[] } {
  const args = join(dir, "args");
  writeFileSync(args, "");
  const env = {
    ...process.env,
    PATH: `${dir}:${process.env.PATH}`,
    ONEOFF_ARGS: args,
    COMPLETION_SCRIPT: scripts[shell]!,
    MATCHES: join(dir, "matches"),
    ZSH_SETUP: join(dir, "setup.zsh"),
  };
  const command =
    shell === "fish"
      ? ["fish", ["--no-config", "-c", 'source $COMPLETION_SCRIPT; complete -C "$argv[1]"', line]]
      : ["zsh", ["-f", join(dir, "driver.zsh"), line]];
  const output = execFileSync(command[0] as string, command[1] as string[], {
    encoding: "utf8",
    env,
    // A guard against a shell that hangs, not a speed check: under the integration tier's load
    // a completion that starts oneoff took over 5 s (two of them failed so, load average 12).
    timeout: 45_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = output.split("\n").filter((entry) => entry !== "");
  if (shell === "zsh") expect(lines.pop(), `zsh finished completing ${JSON.stringify(line)}`).toBe("--end--");
  // fish prints a candidate's description after a tab; zsh's _describe adds some matches twice.
  const candidates = [...new Set(lines.map((entry) => entry.split("\t")[0]!))].sort();
  const calls = [
    ...new Set(
      readFileSync(args, "utf8")
        .split("\n")
        .filter((entry) => entry !== ""),
    ),
  ];
  return { candidates, calls };
}

const ONEOFFS = ["3f2a9c1b7d4e", "shop-migrate-run-ab12cd"];
const PROCESSES = ["web", "worker"];
const ENVIRONMENTS = ["production", "staging"];
const TASKS = ["console", "migrate"];

// The line typed (Tab pressed at its end), the candidates offered, and how oneoff was asked (if it was).
const cases: [string, string[], string?][] = [
  // Commands, options and choices, from the script alone.
  ["oneoff ru", ["run"]],
  ["oneoff -H ssh://deploy@prod ru", ["run"]],
  ["oneoff run --rel", ["--release"]],
  ["oneoff run --pull ", ["always", "missing", "never"]],
  ["oneoff logs ", ONEOFFS, "completion --list oneoffs"],
  ["oneoff stop sh", ["shop-migrate-run-ab12cd"], "completion --list oneoffs"],
  ["oneoff attach ", ONEOFFS, "completion --list oneoffs"],
  ["oneoff wait 3f", ["3f2a9c1b7d4e"], "completion --list oneoffs"],
  ["oneoff diff ", PROCESSES, "completion --list processes"],
  ["oneoff run --from ", PROCESSES, "completion --list processes"],
  ["oneoff --env-name ", ENVIRONMENTS, "completion --list environments"],
  ["oneoff run --env-name ", ENVIRONMENTS, "completion --list environments"],
  ["oneoff run ", TASKS, "tasks --json"],
  // The engine flags and the config typed before, before the command's name or after it.
  ["oneoff -H tcp://h:2375 logs ", ONEOFFS, "-H tcp://h:2375 completion --list oneoffs"],
  ["oneoff run -H tcp://h:2375 --from ", PROCESSES, "-H tcp://h:2375 completion --list processes"],
  ["oneoff logs --context=prod ", ONEOFFS, "--context prod completion --list oneoffs"],
  [
    "oneoff --context prod -f deploy/oneoff.yaml diff ",
    PROCESSES,
    "--context prod completion --list processes --config deploy/oneoff.yaml",
  ],
  ["oneoff run -f deploy/oneoff.yaml ", TASKS, "tasks --json --config deploy/oneoff.yaml"],
  ["oneoff -f deploy/oneoff.yaml run --env-name ", ENVIRONMENTS, "completion --list environments --config deploy/oneoff.yaml"],
  // logs' -f is --follow, no config file.
  ["oneoff logs -f ", ONEOFFS, "completion --list oneoffs"],
];

describe.each(["zsh", "fish"] as const)("the %s script, in that shell", (shell) => {
  it.each(cases)("completes %j to %j, asking oneoff %j", (line, candidates, call) => {
    const { candidates: offered, calls } = complete(shell, line);
    expect(offered).toEqual(candidates);
    if (call) expect(calls).toEqual([call]);
  });
});
