/**
 * docker run's flags for a one-off's runtime settings, with docker's names and syntax, on
 * run, shell and release (plan/runtime-flags.ts checks their values).
 */
import type { Command } from "commander";
import type { RuntimeFlags } from "../types/options.js";
import { collect } from "./argv.js";

export function withRuntimeOptions(command: Command): Command {
  return command
    .option("--init", "run an init as PID 1 that forwards signals and reaps processes (docker's --init)")
    .option("--privileged", "give the one-off extended privileges")
    .option("--read-only", "mount its root filesystem read-only")
    .option("--cap-add <cap>", "add a Linux capability (repeatable)", collect)
    .option("--cap-drop <cap>", "drop a Linux capability (repeatable)", collect)
    .option("--security-opt <opt>", "a security option, e.g. no-new-privileges (repeatable)", collect)
    .option("--tmpfs <path[:opts]>", "mount a tmpfs, e.g. /run:size=64m (repeatable)", collect)
    .option("--ulimit <name=soft[:hard]>", "a ulimit, e.g. nofile=1024:2048 (repeatable)", collect)
    .option("--shm-size <size>", "size of /dev/shm, e.g. 96m")
    .option("--group-add <group>", "an additional group to run as (repeatable)", collect)
    .option("--sysctl <name=value>", "a namespaced kernel parameter (repeatable)", collect)
    .option("--device <host[:container[:rwm]]>", "give it a host device (repeatable)", collect)
    .option("--device-cgroup-rule <rule>", "a rule for the devices cgroup, e.g. 'c 10:229 rwm' (repeatable)", collect)
    .option("--pid <mode>", "PID namespace: host, or container:NAME")
    .option("--ipc <mode>", "IPC namespace: host, private, shareable, none, or container:NAME")
    .option("--runtime <name>", "the OCI runtime, e.g. runsc")
    .option("--log-driver <driver>", "the one-off's logging driver")
    .option("--log-opt <name=value>", "a logging driver option (repeatable)", collect)
    .option("--add-host <host:ip>", "add a line to /etc/hosts (repeatable)", collect)
    .option("--dns <ip>", "a DNS server (repeatable)", collect)
    .option("--dns-option <option>", "a DNS resolver option (repeatable)", collect)
    .option("--dns-search <domain>", "a DNS search domain (repeatable)", collect)
    .option("--hostname <name>", "the one-off's hostname")
    .option("--platform <os/arch>", "the image's platform, e.g. linux/amd64: pulled and run for it");
}

const NAMES = [
  "init",
  "privileged",
  "readOnly",
  "capAdd",
  "capDrop",
  "securityOpt",
  "tmpfs",
  "ulimit",
  "shmSize",
  "groupAdd",
  "sysctl",
  "device",
  "deviceCgroupRule",
  "pid",
  "ipc",
  "runtime",
  "logDriver",
  "logOpt",
  "addHost",
  "dns",
  "dnsOption",
  "dnsSearch",
  "hostname",
  "platform",
] as const satisfies ReadonlyArray<keyof RuntimeFlags>;

/** The runtime flags given, by their RunOptions names (commander's camelCase of the flag). */
export function runtimeFlagsOf(flags: Record<string, unknown>): RuntimeFlags {
  return Object.fromEntries(NAMES.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]])) as RuntimeFlags;
}
