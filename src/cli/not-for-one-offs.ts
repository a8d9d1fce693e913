/**
 * docker run's flags that have no meaning for a one-off, refused in one line that says why
 * (docs/cli.md lists them from the same words). They are hidden options of run, shell and
 * release, so commander reads their values and the refusal names the flag, not "unknown".
 */
import { Option, type Command } from "commander";
import { OneoffError } from "../output/errors.js";

/** Flag (as commander defines it), and why a one-off has no use for it. */
export const NOT_FOR_ONE_OFFS: ReadonlyArray<[string, string]> = [
  ["-p, --publish <ports>", "a one-off serves no traffic: it runs a command and ends"],
  ["-P, --publish-all", "a one-off serves no traffic: it runs a command and ends"],
  ["--expose <port>", "a one-off serves no traffic: it runs a command and ends"],
  ["--restart <policy>", "a one-off runs once; oneoff removes it when it ends"],
  ["--health-cmd <command>", "a one-off is watched by its exit code, not a health check"],
  ["--health-interval <duration>", "a one-off is watched by its exit code, not a health check"],
  ["--health-retries <count>", "a one-off is watched by its exit code, not a health check"],
  ["--health-timeout <duration>", "a one-off is watched by its exit code, not a health check"],
  ["--health-start-period <duration>", "a one-off is watched by its exit code, not a health check"],
  ["--health-start-interval <duration>", "a one-off is watched by its exit code, not a health check"],
  ["--no-healthcheck", "a one-off is watched by its exit code, not a health check"],
  ["--network-alias <alias>", "nothing connects to a one-off by name"],
  ["--ip <address>", "nothing connects to a one-off: the network gives it an address"],
  ["--ip6 <address>", "nothing connects to a one-off: the network gives it an address"],
  ["--mac-address <address>", "nothing connects to a one-off: the network gives it an address"],
  ["--link <container>", "links are legacy: put the one-off on the app's network with --network"],
  ["--cidfile <file>", "oneoff prints the container's ID with -d and --json"],
  ["--sig-proxy [bool]", "oneoff always forwards signals to an attached one-off, as docker's default"],
  ["-a, --attach <stream>", "oneoff attaches stdout and stderr, and stdin with -i, always"],
];

export function withNotForOneOffs(command: Command): Command {
  for (const [flags] of NOT_FOR_ONE_OFFS) command.addOption(new Option(flags).hideHelp());
  return command;
}

/** The first of these flags given, refused. */
export function refuseNotForOneOffs(flags: Record<string, unknown>): void {
  for (const [definition, why] of NOT_FOR_ONE_OFFS) {
    const option = new Option(definition);
    // --no-healthcheck is commander's negation: given, it reads as healthcheck: false.
    const given = option.negate ? flags[option.attributeName()] === false : flags[option.attributeName()] !== undefined;
    if (given)
      throw new OneoffError(`${option.long}: not for a one-off: ${why}`, {
        hint: "leave it out; docs/cli.md lists docker run's flags oneoff leaves out",
      });
  }
}
