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
// each line typed and Tab pressed: compsys runs _oneoff as it would for a user. compadd is
// wrapped to write each match it is given to $MATCHES (not those it is only asked to filter,
// with -O, -A or -D), and a line "--end--" once completion is over (compsys clears
// comppostfuncs each time: completion_done puts itself back for the next line).
const ZSH_SETUP = `PS1='' PROMPT_EOL_MARK='' LISTMAX=10000
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
completion_done() { print -r -- --end-- >>$MATCHES; comppostfuncs+=(completion_done) }
comppostfuncs=(completion_done)
bindkey '^X^K' kill-buffer
`;
// One shell session for every line, as a user completes one line after another: the lines are
// the driver's arguments after the folder; line N's matches and the stub's calls go to
// matches.N and args.N there, and ^X^K empties the line before the next is typed (LISTMAX
// above: a long listing never stops to ask, which would take that key as its answer).
const ZSH_DRIVER = `zmodload zsh/zpty zsh/zselect
dir=$1; shift
zpty shell zsh -f -i
zpty -w shell "source \${(q)ZSH_SETUP}"
integer n=0
for line in "$@"; do
  (( n++ ))
  : >$MATCHES; : >$ONEOFF_ARGS
  zpty -w -n shell "$line"$'\\t'
  for i in {1..3000}; do
    [[ $(<$MATCHES) == *--end--* ]] && break
    zselect -t 1
  done
  print -r -- "$(<$MATCHES)" >$dir/matches.$n
  print -r -- "$(<$ONEOFF_ARGS)" >$dir/args.$n
  zpty -w -n shell $'\\x18\\x0b'
done
zpty -d shell
`;
// fish completes each line with complete -C in one fish; ONEOFF_ARGS names the line's own file.
const FISH_DRIVER = `source $COMPLETION_SCRIPT
set dir $argv[1]
for n in (seq 2 (count $argv))
  set line (math $n - 1)
  set -gx ONEOFF_ARGS $dir/args.$line
  complete -C "$argv[$n]" >$dir/matches.$line
end
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

/**
 * What the shell wrote for each of `lines` (Tab pressed at its end), in one session of that
 * shell (issue 30: a zsh started, compinit run and a pseudo-terminal opened per line were most
 * of this file's time): its matches and the stub's calls, as the lines of two files each.
 */
function completeAll(shell: "zsh" | "fish", lines: string[]): { matches: string[]; calls: string[] }[] {
  const work = mkdtempSync(join(dir, `${shell}-`));
  const env = {
    ...process.env,
    PATH: `${dir}:${process.env.PATH}`,
    ONEOFF_ARGS: join(work, "args"),
    COMPLETION_SCRIPT: scripts[shell]!,
    MATCHES: join(work, "matches"),
    ZSH_SETUP: join(dir, "setup.zsh"),
  };
  const command: [string, string[]] =
    shell === "fish"
      ? ["fish", ["--no-config", "-c", FISH_DRIVER, work, ...lines]]
      : ["zsh", ["-f", join(dir, "driver.zsh"), work, ...lines]];
  execFileSync(command[0], command[1], {
    env,
    // A guard against a shell that hangs, not a speed check: under the integration tier's load
    // a completion that starts oneoff took over 5 s (two of them failed so, load average 12).
    timeout: 100_000,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const linesOf = (file: string) => {
    try {
      return readFileSync(join(work, file), "utf8")
        .split("\n")
        .filter((entry) => entry !== "");
    } catch {
      return [];
    }
  };
  return lines.map((_line, index) => ({ matches: linesOf(`matches.${index + 1}`), calls: linesOf(`args.${index + 1}`) }));
}

const sessions = new Map<"zsh" | "fish", ReturnType<typeof completeAll>>();

/** The candidates the shell offers for cases[index]'s line, and the stub's calls. */
function complete(shell: "zsh" | "fish", index: number): { candidates: string[]; calls: string[] } {
  if (!sessions.has(shell))
    sessions.set(
      shell,
      completeAll(
        shell,
        cases.map(([line]) => line),
      ),
    );
  const { matches, calls } = sessions.get(shell)![index]!;
  if (shell === "zsh") expect(matches.at(-1), `zsh finished completing ${JSON.stringify(cases[index]![0])}`).toBe("--end--");
  // fish prints a candidate's description after a tab; zsh's _describe adds some matches twice.
  const candidates = [...new Set(matches.filter((entry) => entry !== "--end--").map((entry) => entry.split("\t")[0]!))].sort();
  return { candidates, calls: [...new Set(calls)] };
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
  // The first test of a shell waits for its session, every line's completion.
  it.each(cases)(
    "completes %j to %j, asking oneoff %j",
    (line, candidates, call) => {
      const { candidates: offered, calls } = complete(
        shell,
        cases.findIndex(([typed]) => typed === line),
      );
      expect(offered).toEqual(candidates);
      if (call) expect(calls).toEqual([call]);
    },
    120_000,
  );
});
