/**
 * `oneoff completion bash|zsh|fish`: a completion script generated from the commander program
 * itself, so it names exactly the commands and options this version has. `run`'s task comes
 * from `oneoff tasks --json` at completion time (with the --config already typed).
 */
import { Argument, Command, Option } from "commander";
import { OneoffError } from "../output/errors.js";
import { collect } from "./argv.js";
import type { CliContext } from "./command.js";
import { LISTS, listWords, type ListKind } from "./completion-lists.js";
import { bashScript, type OptionModel, type ProgramModel, type ValueSource } from "./completion-scripts.js";
import { fishScript } from "./completion-fish.js";
import { zshScript } from "./completion-zsh.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

const EXAMPLES = `
Examples:
  source <(oneoff completion bash)        in this bash session; or, for good:
  oneoff completion bash > ~/.local/share/bash-completion/completions/oneoff
  oneoff completion zsh > "\${fpath[1]}/_oneoff"
  oneoff completion fish > ~/.config/fish/completions/oneoff.fish

When you press Tab, tasks for oneoff run TASK are read from oneoff tasks --json; one-offs
(logs, stop, attach, wait), process types (diff, --from) and environments (--env-name) from
oneoff completion --list, which lists nothing when the engine cannot be reached in 1.5 s.`;

export function completionCommand({ io, act, engineFlags }: CliContext): Command {
  return (
    new Command("completion")
      .description("print a shell completion script (commands, options, task names, one-offs, process types, environments)")
      .addArgument(new Argument("[shell]", "bash, zsh or fish").choices(SHELLS))
      // What the scripts list when Tab is pressed, one word a line: not for people, so not in help.
      .addOption(new Option("--list <kind>").choices(LISTS).hideHelp())
      .addOption(new Option("-f, --file <file>").hideHelp())
      .addOption(new Option("--config <file>").hideHelp())
      .addHelpText("after", EXAMPLES)
      .action((shell: Shell | undefined, flags: { list?: ListKind; config?: string }, command: Command) =>
        act(async () => {
          if (flags.list) {
            for (const word of await listWords(io, flags.list, flags.config, engineFlags())) io.stdout.write(`${word}\n`);
            return 0;
          }
          if (!shell) throw new OneoffError("completion: which shell?", { hint: `give one: ${SHELLS.join(", ")}` });
          io.stdout.write(completionScript(shell, command.parent ?? command));
          return 0;
        }),
      )
  );
}

function completionScript(shell: Shell, program: Command): string {
  const model = describeProgram(program);
  return { bash: bashScript, zsh: zshScript, fish: fishScript }[shell](model);
}

function describeProgram(program: Command): ProgramModel {
  const help = program.createHelp();
  // The program's own options but --version and --help (--host, --context, ...) are taken after a command's name too.
  const global = help.visibleOptions(program).filter((option) => option.long !== "--version" && option.long !== "--help");
  const commands = help.visibleCommands(program).map((command) => ({
    name: command.name(),
    description: shortDescription(command.summary() || command.description()),
    options: [...help.visibleOptions(command), ...(command.name() === "help" ? [] : global)].map(describeOption),
    positionals: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      variadic: argument.variadic,
      source: argumentSource(argument.name(), argument.argChoices),
    })),
  }));
  for (const { name } of commands) {
    // Every name lands unquoted in the scripts' shell code; commander allows more than that.
    if (!/^[\w-]+$/.test(name)) throw new Error(`completion: command name "${name}" is not a plain word`);
  }
  return { name: program.name(), options: help.visibleOptions(program).map(describeOption), commands };
}

function describeOption(option: Option): OptionModel {
  const valueName = /[<[]([^>\]]*)[>\]]/.exec(option.flags)?.[1];
  const takesValue = option.required || option.optional;
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: shortDescription(option.description),
    ...(takesValue ? { value: optionSource(option, valueName) } : {}),
    repeatable: option.parseArg === (collect as unknown) || /\brepeatable\b/.test(option.description),
  };
}

function optionSource(option: Option, valueName: string | undefined): ValueSource {
  if (option.argChoices) return { choices: option.argChoices };
  if (valueName === "file") return { files: true };
  if (valueName === "process") return { list: "processes" };
  if (option.long === "--env-name") return { list: "environments" };
  return { none: true };
}

function argumentSource(name: string, choices: readonly string[] | undefined): ValueSource {
  if (choices) return { choices };
  if (name === "task") return { tasks: true };
  if (name === "command") return { commands: true };
  if (name === "id" || name === "ids") return { list: "oneoffs" };
  if (name === "process") return { list: "processes" };
  return { none: true };
}

/** The part of a description before its first clause: what fits beside a name in a menu. */
function shortDescription(text: string): string {
  return text.split(/[;:]\s| \(/)[0]!.trim();
}
