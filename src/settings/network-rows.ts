/**
 * The rows of settings/table.ts that shape what the one-off calls itself and how it finds
 * others (--network, --hostname, --add-host, --dns), after --user, --workdir and --entrypoint on
 * the docker run line. Pure.
 */
import { canonicalIp, isIpAddress } from "../formats/runtime-values.js";
import { list, word } from "./kinds.js";
import { problem, Problem, type AnyRow, type SettingRow } from "./row.js";

/**
 * docker's --add-host: NAME=IP or NAME:IP (the first = or else the first :, an IPv6 address
 * in brackets or not), the IP an address or host-gateway; sent as NAME:IP, as the docker CLI
 * does. What is wrong with it is a Problem naming the entry.
 */
function parseAddHost(entry: string, index: number): string | Problem {
  const wrong = (text: string) => new Problem(text, undefined, { entry, index });
  const equals = entry.indexOf("=");
  const at = equals < 0 ? entry.indexOf(":") : equals;
  if (at <= 0) return wrong("not HOST:IP");
  let ip = entry.slice(at + 1);
  if (ip.length > 2 && ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (ip !== "host-gateway" && !isIpAddress(ip)) return wrong(`"${ip}" is not an IP address or host-gateway`);
  return `${entry.slice(0, at)}:${ip}`;
}

/** --add-host: kept as the docker CLI sends it (NAME:IP), which is also how it reads back and is written again. */
function addHostRow(): SettingRow<"addHost"> {
  return {
    name: "addHost",
    shape: "list",
    flag: "--add-host",
    argument: "<host:ip>",
    repeatable: true,
    help: "add a line to /etc/hosts, HOST:IP (repeatable)",
    example: "db:10.0.0.5",
    compose: "extra_hosts",
    composeMapping: true,
    parse: (given) => {
      const hosts: string[] = [];
      for (const [index, entry] of given.entries()) {
        const host = parseAddHost(entry, index);
        if (host instanceof Problem) return host;
        hosts.push(host);
      }
      return hosts;
    },
    api: {
      part: "HostConfig",
      field: "ExtraHosts",
      write: (hosts) => hosts,
      read: (value) => (Array.isArray(value) && value.length ? value.map(String) : undefined),
    },
    words: (hosts) => hosts,
    jobField: "Hosts",
    // A service's Hosts are /etc/hosts lines, "IP HOST" (aliases after the host are dropped).
    jobForm: {
      toJob: (hosts) => hosts.map((entry) => `${entry.slice(entry.indexOf(":") + 1)} ${entry.slice(0, entry.indexOf(":"))}`),
      fromJob: (lines) =>
        Array.isArray(lines) && lines.length
          ? lines.map((line) => {
              const [ip, host] = String(line).trim().split(/\s+/);
              return host && ip ? `${host}:${ip}` : String(line);
            })
          : undefined,
    },
  };
}

/** The engine's default network: a container on it names none (--from reads it back as none, and a job leaves it out). */
const isDefaultNetwork = (name: string) => name === "bridge" || name === "default";

/**
 * --network: the networks it is on, in order. The first is the create request's, as the docker
 * CLI sends it (HostConfig.NetworkMode and its endpoint); the rest are connected between create
 * and start, which every Engine API takes (one network at create before 1.44). Read back from
 * the endpoints a container is on (an inspected one's NetworkSettings.Networks), the default
 * bridge as none. compose writes it as networks: (a list, or a mapping by name, named by the
 * project: config/compose.ts) or network_mode:. A job's are its task's Networks.
 */
function networkRow(): SettingRow<"network"> {
  return {
    name: "network",
    shape: "list",
    flag: "--network",
    argument: "<name>",
    repeatable: true,
    help: "network to connect to (repeatable: the first at create, the rest before start)",
    // On every engine, so the docker oracle's row runs it as it is.
    example: "none",
    compose: "networks",
    parse: (given) => [...given],
    api: {
      part: "NetworkingConfig",
      field: "EndpointsConfig",
      write: (networks) => (networks[0] ? { [networks[0]]: {} } : undefined),
      read: (endpoints) => {
        const names = Object.keys(endpoints && typeof endpoints === "object" ? endpoints : {}).filter((name) => !isDefaultNetwork(name));
        return names.length ? names : undefined;
      },
      also: { part: "HostConfig", field: "NetworkMode", write: (networks) => networks[0] || undefined },
    },
    afterCreate: (networks) => networks.slice(1),
    words: (networks) => networks,
    jobField: "TaskTemplate.Networks",
    jobForm: {
      toJob: (networks) => networks.filter((name) => name && !isDefaultNetwork(name)).map((name) => ({ Target: name })),
      fromJob: (attachments) =>
        Array.isArray(attachments) && attachments.length ? attachments.map((attachment) => String(attachment?.Target)) : undefined,
    },
  };
}

/** Linux's HOST_NAME_MAX: runc's sethostname fails past it, after the engine has created the container. */
const HOST_NAME_MAX = 64;

export const NETWORK_ROWS: readonly AnyRow[] = [
  networkRow(),
  // As written, as compose v2 and docker run --hostname give it (compose v1 would split a.b.c
  // into hostname a and domainname b.c). Neither the docker CLI nor the engine checks it ("a b",
  // x_y and -a run); only the kernel does, when the container starts: at most 64 bytes. "" is
  // the engine's default (the container ID's first 12 characters), as docker run reads it.
  word(
    {
      name: "hostname",
      flag: "--hostname",
      help: "the one-off's hostname",
      example: "one-off-host",
      compose: "hostname",
      field: "Hostname",
      part: "Config",
      jobField: "Hostname",
      emptyIsDefault: true,
    },
    "<name>",
    (text) =>
      Buffer.byteLength(text) <= HOST_NAME_MAX
        ? undefined
        : problem(
            `longer than ${HOST_NAME_MAX} bytes, the most Linux takes`,
            `shorten it to ${HOST_NAME_MAX} bytes or fewer, such as shop-console`,
          ),
    (value, defaults) => value === defaults.hostname,
  ),
  addHostRow(),
  list(
    {
      name: "dns",
      flag: "--dns",
      help: "a DNS server (repeatable)",
      example: "127.0.0.53",
      compose: "dns",
      field: "Dns",
      jobField: "DNSConfig.Nameservers",
    },
    "<ip>",
    (entry) => (isIpAddress(entry.trim()) ? undefined : "is not an IP address"),
    // Sent as the docker CLI sends it: 2001:0DB8::0:1 as 2001:db8::1.
    { toApi: canonicalIp, fromApi: (entry) => entry },
  ),
];
