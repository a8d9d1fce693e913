/**
 * `oneoff completion bash|zsh|fish`: a completion script generated from the commander program
 * itself, so it names exactly the commands and options this version has. `run`'s task comes
 * from `oneoff tasks --json` at completion time (with the --config already typed).
 */
import { Argument, Command, type Option } from "commander";
import { collect } from "./argv.js";
import type { CliContext } from "./command.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value is completed from: file names, task names, command names, fixed choices or nothing. */
type ValueSource = { files: true } | { tasks: true } | { commands: true } | { choices: readonly string[] } | { none: true };

interface OptionModel {
  short?: string;
  long?: string;
  description: string;
  /** Takes a value (`<v>`, or `[v]`, which commander also takes from the next word). */
  value?: ValueSource;
  repeatable: boolean;
}

interface CommandModel {
  name: string;
  description: string;
  options: OptionModel[];
  positionals: { name: string; variadic: boolean; source: ValueSource }[];
}

interface ProgramModel {
  name: string;
  options: OptionModel[];
  commands: CommandModel[];
}

const EXAMPLES = `
Examples:
  source <(oneoff completion bash)                       this bash session
  oneoff completion bash > ~/.local/share/bash-completion/completions/oneoff
  oneoff completion zsh > "\${fpath[1]}/_oneoff"           zsh (a directory in $fpath)
  oneoff completion fish > ~/.config/fish/completions/oneoff.fish

Tasks for oneoff run TASK are read from oneoff tasks --json when you press Tab.`;

export function completionCommand({ io, act }: CliContext): Command {
  return new Command("completion")
    .description("print a shell completion script (commands, options, and task names for run)")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
    .addHelpText("after", EXAMPLES)
    .action((shell: Shell, _flags: unknown, command: Command) =>
      act(async () => {
        io.stdout.write(completionScript(shell, command.parent ?? command));
        return 0;
      }),
    );
}

export function completionScript(shell: Shell, program: Command): string {
  const model = describeProgram(program);
  return { bash: bashScript, zsh: zshScript, fish: fishScript }[shell](model);
}

function describeProgram(program: Command): ProgramModel {
  const help = program.createHelp();
  const commands = help.visibleCommands(program).map((command) => ({
    name: command.name(),
    description: shortDescription(command.summary() || command.description()),
    options: help.visibleOptions(command).map(describeOption),
    positionals: command.registeredArguments.map((argument) => ({ name: argument.name(), variadic: argument.variadic, source: argumentSource(argument.name(), argument.argChoices) })),
  }));
  for (const { name } of commands) {
    // Every name lands unquoted in shell code below; commander allows more than that.
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
    ...(takesValue ? { value: option.argChoices ? { choices: option.argChoices } : valueName === "file" ? { files: true } : { none: true } } : {}),
    repeatable: option.parseArg === (collect as unknown),
  };
}

function argumentSource(name: string, choices: readonly string[] | undefined): ValueSource {
  if (choices) return { choices };
  if (name === "task") return { tasks: true };
  if (name === "command") return { commands: true };
  return { none: true };
}

/** The part of a description before its first clause: what fits beside a name in a menu. */
function shortDescription(text: string): string {
  return text.split(/[;:]\s| \(/)[0]!.trim();
}

const namesOf = (options: OptionModel[]) => options.flatMap((option) => [option.short, option.long].filter((name): name is string => !!name));
const wordsOf = (source: ValueSource, model: ProgramModel) => ("choices" in source ? source.choices : "commands" in source ? model.commands.map((c) => c.name) : []);

function bashScript(model: ProgramModel): string {
  const { name } = model;
  const fn = `_${name.replace(/-/g, "_")}`;
  const specs = model.commands.map((command) => {
    const valued = namesOf(command.options.filter((option) => option.value));
    return `    ${command.name}) options="${namesOf(command.options).join(" ")}" valued=" ${valued.join(" ")} " ;;`;
  });
  const choices = model.commands.flatMap((command) =>
    command.options
      .filter((option) => option.value && "choices" in option.value)
      .map((option) => {
        const at = namesOf([option]).map((flag) => `"${command.name} ${flag}"`).join("|");
        return `    ${at}) COMPREPLY=($(compgen -W "${wordsOf(option.value!, model).join(" ")}" -- "$cur")) ;;`;
      }),
  );
  const positionals = model.commands.flatMap((command) =>
    command.positionals.flatMap((positional, index) => {
      const at = positional.variadic ? `"${command.name} "*` : `"${command.name} ${index}"`;
      if ("tasks" in positional.source) return [`    ${at}) COMPREPLY=($(compgen -W "$(${fn}_tasks "\${COMP_WORDS[0]}" "$config")" -- "$cur")) ;;`];
      const words = wordsOf(positional.source, model);
      return words.length ? [`    ${at}) COMPREPLY=($(compgen -W "${words.join(" ")}" -- "$cur")) ;;`] : [];
    }),
  );
  return `# bash completion for ${name}, generated by \`${name} completion bash\`.
# Load it with: source <(${name} completion bash)
${fn}_tasks() {
  "$1" tasks --json \${2:+--config "$2"} 2>/dev/null | grep -o '"name":"[^"]*"' | sed -e 's/^"name":"//' -e 's/"$//'
}

${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local command="" options="" valued="" config="" positionals=0 i=1 word
  # bash splits --opt=value into three words: --opt, =, value.
  [[ $prev == = && $COMP_CWORD -gt 1 ]] && prev=\${COMP_WORDS[COMP_CWORD-2]}
  [[ $cur == = ]] && cur=""
  while ((i < COMP_CWORD)) && [[ \${COMP_WORDS[i]} == -* ]]; do ((i++)); done
  if ((i == COMP_CWORD)); then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "${namesOf(model.options).join(" ")}" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${model.commands.map((c) => c.name).join(" ")}" -- "$cur"))
    fi
    return 0
  fi
  command=\${COMP_WORDS[i]}
  case $command in
${specs.join("\n")}
    *) return 0 ;;
  esac
  for ((i++; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    # After --: the one-off's own command line, left to the shell's default completion.
    [[ $word == -- ]] && return 0
    if [[ $valued == *" $word "* ]]; then
      [[ $word == -c || $word == --config ]] && config=\${COMP_WORDS[i+1]}
      [[ \${COMP_WORDS[i+1]} == = ]] && ((i++))
      ((i++))
    elif [[ $word != -* && $word != = ]]; then
      ((positionals++))
    fi
  done
  if [[ $valued == *" $prev "* ]]; then
    case "$command $prev" in
${choices.join("\n")}
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
    return 0
  fi
  case "$command $positionals" in
${positionals.join("\n")}
  esac
  return 0
}
complete -o default -F ${fn} ${name}
`;
}

/** zsh single quotes: no escapes inside, so a quote closes, is escaped, and reopens. */
const zshQuote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function zshOptionSpec(option: OptionModel): string {
  const names = namesOf([option]);
  const exclusive = names.length > 1 && !option.repeatable ? `(${names.join(" ")})` : "";
  const description = `[${option.description.replace(/[\\\]]/g, "\\$&")}]`;
  const value = !option.value ? "" : "files" in option.value ? ":file:_files" : "choices" in option.value ? `:value:(${option.value.choices.join(" ")})` : ":value: ";
  const spec = (name: string) => zshQuote(`${option.repeatable ? "*" : exclusive}${name}${description}${value}`);
  return names.map(spec).join(" ");
}

function zshScript(model: ProgramModel): string {
  const { name } = model;
  const fn = `_${name.replace(/-/g, "_")}`;
  const positionalSpec = (positional: CommandModel["positionals"][number], index: number) => {
    const position = positional.variadic ? "*" : String(index + 1);
    const action = "tasks" in positional.source ? `${fn}_tasks` : "none" in positional.source ? " " : `(${wordsOf(positional.source, model).join(" ")})`;
    return zshQuote(`${position}:${positional.name}:${action}`);
  };
  const branches = model.commands.map((command) => {
    const specs = [...command.options.map(zshOptionSpec), ...command.positionals.map(positionalSpec)];
    return `        ${command.name})\n          _arguments -s ${specs.join(" \\\n            ")} && ret=0 ;;`;
  });
  return `#compdef ${name}
# zsh completion for ${name}, generated by \`${name} completion zsh\`.
# Load it with: source <(${name} completion zsh), or save it as ${fn} in a directory of $fpath.

${fn}_tasks() {
  local -a tasks config
  local value=\${opt_args[-c]:-\${opt_args[--config]}}
  [[ -n $value ]] && config=(--config "$value")
  tasks=(\${(f)"$(_call_program tasks "$oneoff" tasks --json "\${config[@]}" 2>/dev/null | grep -o '"name":"[^"]*"' | sed -e 's/^"name":"//' -e 's/"$//')"})
  _describe -t tasks task tasks
}

${fn}() {
  local oneoff=$words[1] curcontext=$curcontext state line ret=1
  typeset -A opt_args
  _arguments -C ${model.options.map(zshOptionSpec).join(" ")} \\
    '1: :->command' '*:: :->argument' && ret=0
  case $state in
    command)
      local -a commands=(
${model.commands.map((command) => `        ${zshQuote(`${command.name}:${command.description}`)}`).join("\n")}
      )
      _describe -t commands command commands && ret=0 ;;
    argument)
      # After --: the one-off's own command line, completed as a command of its own.
      local dashdash=\${words[(I)--]}
      if (( dashdash && dashdash < CURRENT )); then
        shift $dashdash words
        (( CURRENT -= dashdash ))
        _normal && ret=0
        return ret
      fi
      curcontext=\${curcontext%:*:*}:${name}-$words[1]:
      case $words[1] in
${branches.join("\n")}
      esac ;;
  esac
  return ret
}

if [[ $funcstack[1] == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

/** fish single quotes: backslash escapes only a backslash or a quote. */
const fishQuote = (text: string) => `'${text.replace(/[\\']/g, "\\$&")}'`;

function fishOption(option: OptionModel, condition: string, name: string): string {
  const parts = [`complete -c ${name} -n ${fishQuote(condition)}`];
  if (option.short) parts.push(`-s ${option.short.slice(1)}`);
  if (option.long) parts.push(`-l ${option.long.slice(2)}`);
  if (option.value) parts.push("files" in option.value ? "-r -F" : "choices" in option.value ? `-x -a ${fishQuote(option.value.choices.join(" "))}` : "-x");
  parts.push(`-d ${fishQuote(option.description)}`);
  return parts.join(" ");
}

function fishScript(model: ProgramModel): string {
  const { name } = model;
  const fn = `__${name.replace(/-/g, "_")}`;
  const lines = [
    `# fish completion for ${name}, generated by \`${name} completion fish\`.`,
    `# Load it with: ${name} completion fish | source`,
    "",
    "# How many positionals the command line has after the subcommand (its options and",
    "# their values, given as arguments, skipped), or dashdash once it has a --.",
    `function ${fn}_positionals`,
    "    set -l count -2",
    "    set -l skip 0",
    "    for word in (commandline -opc)",
    "        if test $skip = 1",
    "            set skip 0",
    "        else if test $count -ge 0; and test $word = --",
    "            echo dashdash",
    "            return",
    "        else if contains -- $word $argv",
    "            set skip 1",
    "        else if not string match -q -- '-*' $word",
    "            set count (math $count + 1)",
    "        end",
    "    end",
    "    echo $count",
    "end",
    "",
    `function ${fn}_tasks`,
    "    set -l words (commandline -opc)",
    "    set -l config",
    "    set -l at (contains -i -- --config $words; or contains -i -- -c $words)",
    "    test -n \"$at\"; and set config --config $words[(math $at + 1)]",
    `    $words[1] tasks --json $config 2>/dev/null | string match -ar '"name":"[^"]*"' | string replace -r '^"name":"(.*)"$' '$1'`,
    "end",
    "",
    `complete -c ${name} -f`,
    ...model.options.map((option) => fishOption(option, "__fish_use_subcommand", name)),
    ...model.commands.map((command) => `complete -c ${name} -n __fish_use_subcommand -a ${command.name} -d ${fishQuote(command.description)}`),
  ];
  for (const command of model.commands) {
    const positionals = `${fn}_positionals ${namesOf(command.options.filter((option) => option.value)).join(" ")}`.trim();
    const when = (test: string) => `__fish_seen_subcommand_from ${command.name}; and test (${positionals}) ${test}`;
    lines.push("", ...command.options.map((option) => fishOption(option, when("!= dashdash"), name)));
    command.positionals.forEach((positional, index) => {
      const at = when(positional.variadic ? "!= dashdash" : `= ${index}`);
      if ("tasks" in positional.source) lines.push(`complete -c ${name} -n ${fishQuote(at)} -a '(${fn}_tasks)'`);
      const words = wordsOf(positional.source, model);
      if (words.length) lines.push(`complete -c ${name} -n ${fishQuote(at)} -a ${fishQuote(words.join(" "))}`);
    });
    // After --: the one-off's own command line, where file names make sense.
    lines.push(`complete -c ${name} -n ${fishQuote(when("= dashdash"))} -F`);
  }
  return `${lines.join("\n")}\n`;
}
