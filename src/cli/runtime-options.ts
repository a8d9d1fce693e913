/**
 * docker run's flags for a one-off's runtime settings, with docker's names and syntax, on
 * run, shell and release (plan/runtime-flags.ts checks their values). One table: each row is
 * the RunOptions key commander gives the flag, the flag, its help, and whether it repeats.
 */
import type { Command } from "commander";
import type { RuntimeFlags } from "../types/options.js";
import { SETTINGS } from "../settings/table.js";
import { collect } from "./argv.js";

const RUNTIME_OPTIONS: ReadonlyArray<[keyof RuntimeFlags, string, string, "repeatable"?]> = [
  ["init", "--init", "run an init as PID 1 that forwards signals and reaps processes (docker's --init)"],
  ["privileged", "--privileged", "give the one-off extended privileges"],
  ["readOnly", "--read-only", "mount its root filesystem read-only"],
  ["capAdd", "--cap-add <cap>", "add a Linux capability (repeatable)", "repeatable"],
  ["capDrop", "--cap-drop <cap>", "drop a Linux capability (repeatable)", "repeatable"],
  ["securityOpt", "--security-opt <opt>", "a security option, e.g. no-new-privileges (repeatable)", "repeatable"],
  ["tmpfs", "--tmpfs <path[:opts]>", "mount a tmpfs, e.g. /run:size=64m (repeatable)", "repeatable"],
  ["ulimit", "--ulimit <name=soft[:hard]>", "a ulimit, e.g. nofile=1024:2048 (repeatable)", "repeatable"],
  ["shmSize", "--shm-size <size>", "size of /dev/shm, e.g. 96m"],
  ["groupAdd", "--group-add <group>", "an additional group to run as (repeatable)", "repeatable"],
  ["sysctl", "--sysctl <name=value>", "a namespaced kernel parameter (repeatable)", "repeatable"],
  ["device", "--device <host[:container[:rwm]]>", "give it a host device (repeatable)", "repeatable"],
  ["deviceCgroupRule", "--device-cgroup-rule <rule>", "a rule for the devices cgroup, e.g. 'c 10:229 rwm' (repeatable)", "repeatable"],
  ["pid", "--pid <mode>", "PID namespace: host, or container:NAME"],
  ["ipc", "--ipc <mode>", "IPC namespace: host, private, shareable, none, or container:NAME"],
  ["runtime", "--runtime <name>", "the OCI runtime, e.g. runsc"],
  ["logDriver", "--log-driver <driver>", "the one-off's logging driver"],
  ["logOpt", "--log-opt <name=value>", "a logging driver option (repeatable)", "repeatable"],
  ["addHost", "--add-host <host:ip>", "add a line to /etc/hosts (repeatable)", "repeatable"],
  ["dns", "--dns <ip>", "a DNS server (repeatable)", "repeatable"],
  ["dnsOption", "--dns-option <option>", "a DNS resolver option (repeatable)", "repeatable"],
  ["dnsSearch", "--dns-search <domain>", "a DNS search domain (repeatable)", "repeatable"],
  ["hostname", "--hostname <name>", "the one-off's hostname"],
  ["platform", "--platform <os/arch>", "the image's platform, e.g. linux/amd64: pulled and run for it"],
];

export function withRuntimeOptions(command: Command): Command {
  for (const [, flag, description, repeatable] of RUNTIME_OPTIONS) {
    if (repeatable) command.option(flag, description, collect);
    else command.option(flag, description);
  }
  for (const row of SETTINGS) {
    const flag = `${row.short ? `${row.short}, ` : ""}${row.flag}${row.argument ? ` ${row.argument}` : ""}`;
    if (row.repeatable) command.option(flag, row.help, collect);
    else command.option(flag, row.help);
  }
  return command;
}

/** The runtime flags given, by their RunOptions names. */
export function runtimeFlagsOf(flags: Record<string, unknown>): RuntimeFlags {
  const names = [...RUNTIME_OPTIONS.map(([name]) => name), ...SETTINGS.map((row) => row.name)];
  return Object.fromEntries(names.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]])) as RuntimeFlags;
}
