import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commandNames, runCli } from "./cli-output.js";

async function script(shell: string): Promise<string> {
  const { code, stdout, stderr } = await runCli(["completion", shell]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return stdout;
}

describe("oneoff completion", () => {
  it.each(["bash", "zsh", "fish"])("names every command and their options for %s", async (shell) => {
    const text = await script(shell);
    const names = await commandNames();
    for (const name of names) expect(text, `${shell}: command ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    // A few options of different commands, each as the shell spells it.
    const longOption = (name: string) => (shell === "fish" ? `-l ${name}` : `--${name}`);
    for (const option of ["release", "dry-run", "env-file", "detach-keys", "follow", "all-apps", "keep-for"]) {
      expect(text, `${shell}: --${option}`).toContain(longOption(option));
    }
    expect(text, `${shell}: --pull's choices`).toContain("missing always never");
    expect(text, `${shell}: task names from oneoff tasks --json`).toContain("tasks --json");
  });

  it("refuses a shell it does not know, in one line", async () => {
    const { code, stdout, stderr } = await runCli(["completion", "tcsh"]);
    expect(code).toBe(125);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^oneoff: .*'tcsh'.*bash, zsh, fish.*\n$/);
  });

  describe("the bash script, sourced in bash", () => {
    // Each case: the words on the command line (the last is the one being completed) and
    // what COMPREPLY holds after the completion function ran. `oneoff` is a shell function
    // standing in for oneoff tasks --json; it records its arguments in a file (it runs in a
    // subshell, so a variable would not come back).
    const cases: [string[], string[]][] = [
      [["oneoff", "ru"], ["run"]],
      [["oneoff", "run", "--rel"], ["--release"]],
      [["oneoff", "--debug", "run", "--dry"], ["--dry-run"]],
      [
        ["oneoff", "ps", "--all"],
        ["--all", "--all-apps"],
      ],
      [
        ["oneoff", "run", ""],
        ["console", "migrate"],
      ],
      [["oneoff", "run", "-e", "A=1", "--release", "v42", "mi"], ["migrate"]],
      [["oneoff", "run", "migrate", ""], []],
      [
        ["oneoff", "run", "--pull", ""],
        ["always", "missing", "never"],
      ],
      [["oneoff", "run", "--pull", "=", "n"], ["never"]],
      [["oneoff", "run", "--", "r"], []],
      [["oneoff", "completion", "z"], ["zsh"]],
      [["oneoff", "help", "cl"], ["cleanup"]],
      // The engine flags: before the command (with their values skipped) and after it.
      [["oneoff", "-H", "ssh://deploy@prod", "ru"], ["run"]],
      [["oneoff", "--env-name", "=", "staging", "--debug", "p"], ["ps"]],
      [["oneoff", "--context", ""], []],
      [["oneoff", "run", "--cont"], ["--context"]],
      [["oneoff", "run", "-H", "tcp://h:2376", "mi"], ["migrate"]],
      [["oneoff", "logs", "--env"], ["--env-name"]],
      // What users type next: one-offs, process types, environment names (from oneoff completion --list).
      [
        ["oneoff", "logs", ""],
        ["3f2a9c1b7d4e", "shop-migrate-run-ab12cd"],
      ],
      [["oneoff", "logs", "-f", "sh"], ["shop-migrate-run-ab12cd"]],
      [["oneoff", "attach", "3f"], ["3f2a9c1b7d4e"]],
      [["oneoff", "wait", "sh"], ["shop-migrate-run-ab12cd"]],
      [["oneoff", "stop", "-t", "0", "3f2a9c1b7d4e", "sh"], ["shop-migrate-run-ab12cd"]],
      [
        ["oneoff", "diff", ""],
        ["web", "worker"],
      ],
      [["oneoff", "diff", "web", ""], []],
      [["oneoff", "run", "--from", "wo"], ["worker"]],
      [["oneoff", "run", "--from", "=", "we"], ["web"]],
      [["oneoff", "check", "--from", "we"], ["web"]],
      [
        ["oneoff", "--env-name", ""],
        ["production", "staging"],
      ],
      [["oneoff", "ps", "--env-name", "st"], ["staging"]],
      // compose's -f before the command: its value is skipped, and read.
      [["oneoff", "-f", "deploy/oneoff.yaml", "ru"], ["run"]],
    ];

    function complete(bashScript: string, words: string[]): { reply: string[]; tasksArgs: string } {
      const driver = `
args_file=$(mktemp)
oneoff() {
  printf '%s' "$*" >"$args_file"
  case "$*" in
    *"completion --list oneoffs"*) printf '%s\\n' 3f2a9c1b7d4e shop-migrate-run-ab12cd ;;
    *"completion --list processes"*) printf '%s\\n' web worker ;;
    *"completion --list environments"*) printf '%s\\n' production staging ;;
    *) echo '[{"name":"migrate","command":["rake","db:migrate"]},{"name":"console","command":["sh"],"description":"a \\"name\\":\\"trap\\""}]' ;;
  esac
}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")})
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
COMPREPLY=()
_oneoff
printf '%s\\n' "\${COMPREPLY[@]}" | sort
printf 'tasks-args:%s\\n' "$(cat "$args_file")"
rm -f "$args_file"`;
      const output = execFileSync("bash", ["--norc", "--noprofile", "-c", `${bashScript}\n${driver}`], { encoding: "utf8" });
      const lines = output.split("\n").filter((line) => line !== "");
      const tasksArgs = lines.pop()!.replace(/^tasks-args:/, "");
      return { reply: lines, tasksArgs };
    }

    it.each(cases)("completes %j to %j", async (words, expected) => {
      expect(complete(await script("bash"), words).reply).toEqual(expected);
    });

    it("reads task names with the --config already typed", async () => {
      const { reply, tasksArgs } = complete(await script("bash"), ["oneoff", "run", "-f", "deploy/oneoff.yaml", ""]);
      expect(reply).toEqual(["console", "migrate"]);
      expect(tasksArgs).toBe("tasks --json --config deploy/oneoff.yaml");
    });

    it("asks for one-offs on the engine the command line names", async () => {
      const { reply, tasksArgs } = complete(await script("bash"), ["oneoff", "-H", "tcp://h:2375", "logs", "--context", "=", "prod", ""]);
      expect(reply).toEqual(["3f2a9c1b7d4e", "shop-migrate-run-ab12cd"]);
      expect(tasksArgs).toBe("-H tcp://h:2375 --context prod completion --list oneoffs");
    });

    it("reads environment names with the config given before the command", async () => {
      const { reply, tasksArgs } = complete(await script("bash"), ["oneoff", "-f", "deploy/oneoff.yaml", "run", "--env-name", ""]);
      expect(reply).toEqual(["production", "staging"]);
      expect(tasksArgs).toBe("completion --list environments --config deploy/oneoff.yaml");
    });

    it("completes nothing, and prints nothing, when listing fails", async () => {
      const failing = `${await script("bash")}
oneoff() { echo "oneoff: cannot reach the engine" >&2; return 125; }
COMP_WORDS=(oneoff logs '')
COMP_CWORD=2
COMPREPLY=()
_oneoff
printf 'reply:%s\\n' "\${#COMPREPLY[@]}"`;
      const output = execFileSync("bash", ["--norc", "--noprofile", "-c", failing], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      expect(output).toBe("reply:0\n");
    });

    it("registers the function for oneoff", async () => {
      const output = execFileSync("bash", ["--norc", "--noprofile", "-c", `${await script("bash")}\ncomplete -p oneoff`], {
        encoding: "utf8",
      });
      expect(output.trim()).toBe("complete -o default -F _oneoff oneoff");
    });
  });
});
