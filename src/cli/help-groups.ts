/**
 * run, shell and release take some ninety flags: their --help lists them under headings, most
 * used first, with commander's help groups. The groups are assigned here and nowhere else:
 * docker run's settings are every flag withSettingOptions defines (the settings table's rows,
 * and whatever is still listed by hand beside it), and OTHER_FLAGS names the group of each
 * other flag. A flag in neither is left under commander's "Options:", which a unit test refuses.
 */
import { Help, type Command, type Option } from "commander";

/** The headings, in the order --help shows them. */
export const HELP_GROUPS = [
  "Release and config:",
  "Environment:",
  "Files and secrets:",
  "docker run settings:",
  "Pipelines:",
  "Terminal:",
] as const;
export type HelpGroup = (typeof HELP_GROUPS)[number];

export const DOCKER_RUN_SETTINGS: HelpGroup = "docker run settings:";

/** The group of each flag of run, shell and release that is not one of withSettingOptions' (by its long name). */
const OTHER_FLAGS: ReadonlyMap<string, HelpGroup> = new Map<string, HelpGroup>([
  ...inGroup("Release and config:", [
    "--release",
    "--file",
    "--config",
    "--from",
    "--service",
    "--compose",
    "--pull",
    "--engine",
    "--constraint",
    "--check",
    "--no-check",
    "--force",
    "--status",
    "--dry-run",
  ]),
  // The env row's flags (withSettingOptions defines them): under their own heading, before docker run's other settings.
  ...inGroup("Environment:", ["--env", "--env-file"]),
  ...inGroup("Files and secrets:", ["--copy-in", "--copy-out", "--copy-out-limit", "--registry-auth"]),
  // docker run's own flags that run.ts still defines itself, beside withSettingOptions' ones.
  ...inGroup(DOCKER_RUN_SETTINGS, ["--name", "--rm"]),
  ...inGroup("Pipelines:", [
    "--detach",
    "--keep-for",
    "--timeout",
    "--lock",
    "--wait-lock",
    "--no-wait",
    "--json",
    "--capture",
    "--quiet",
    "--record",
  ]),
  ...inGroup("Terminal:", ["--interactive", "--no-stdin", "--tty", "--no-TTY", "--detach-keys"]),
]);

function inGroup(group: HelpGroup, flags: readonly string[]): Array<[string, HelpGroup]> {
  return flags.map((flag) => [flag, group]);
}

/** Defines docker run's settings on `command` with `define`, each under their heading. */
export function asDockerRunSettings(command: Command, define: (command: Command) => Command): Command {
  // commander gives every option added while a default group is set that group; "" sets none.
  return define(command.optionsGroup(DOCKER_RUN_SETTINGS)).optionsGroup("");
}

/**
 * `command` (run, shell or release) with its --help in HELP_GROUPS, in that order. The groups
 * are given when help is shown, once every flag is defined: a run pays nothing for them.
 */
export function inHelpGroups(command: Command): Command {
  return command.configureHelp({
    ...command.configureHelp(),
    formatHelp(shown, helper) {
      assignHelpGroups(shown);
      return Help.prototype.formatHelp.call(this, shown, helper);
    },
    groupItems: inGroupOrder,
  });
}

/** Gives each shown flag of `command` its group: docker run's settings already have theirs (asDockerRunSettings). */
export function assignHelpGroups(command: Command): void {
  for (const option of command.options) {
    // A row's flag named in OTHER_FLAGS (-e, --env-file) goes under that group instead.
    const group = OTHER_FLAGS.get(option.long ?? "") ?? option.helpGroupHeading;
    if (group !== undefined && !option.hidden) option.helpGroup(group);
  }
}

/** commander lists groups in the order their first flags were defined: here, HELP_GROUPS' order (any other after). */
function inGroupOrder<T extends Command | Option>(this: Help, unsorted: T[], visible: T[], groupOf: (item: T) => string): Map<string, T[]> {
  const rank = (group: string) => {
    const index = (HELP_GROUPS as readonly string[]).indexOf(group);
    return index < 0 ? HELP_GROUPS.length : index;
  };
  const groups = Help.prototype.groupItems.call(this, unsorted, visible, groupOf as (item: Command | Option) => string) as Map<string, T[]>;
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b)));
}
