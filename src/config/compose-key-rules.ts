/**
 * Compose keys oneoff does not copy: those a one-off leaves aside on purpose, each with the
 * reason (what `docker compose run` itself does with them, or where oneoff's own setting
 * decides), and why some others are refused. docs/parity.md lists the ignored keys and their
 * reasons (test/unit/compose-parity.test.ts holds the two together).
 */
export const IGNORED_FOR_ONE_OFF: ReadonlyMap<string, string> = new Map([
  ["command", "the one-off runs the command given to oneoff run, as docker compose run SERVICE CMD does"],
  ["ports", "docker compose run publishes none without --service-ports; a one-off serves nothing"],
  ["expose", "it only documents ports; nothing is published"],
  ["restart", "docker compose run clears it: a one-off runs once"],
  ["healthcheck", "a one-off is not a server that others wait on"],
  ["depends_on", "the one-off joins the services already running, as docker compose run --no-deps does; start them first"],
  ["container_name", "docker compose run names its containers itself; oneoff names each one-off"],
  ["build", "the image compose built is run (project-service or project_service); oneoff builds nothing"],
  ["profiles", "a named service runs whatever its profiles, as with docker compose run"],
  ["scale", "there is one one-off"],
  ["pull_policy", "oneoff's --pull (pull: in oneoff.yaml) decides"],
  ["tty", "a terminal is chosen by -t, -i and interactive:, as docker compose run chooses it by -T"],
  ["stdin_open", "stdin is attached by -i, as docker compose run decides it"],
  ["links", "the one-off reaches a linked service by its name on the project network; a link under another name is refused"],
]);

/**
 * Why a key that shapes what the one-off sees is refused, where there is more to say than
 * that oneoff does not reproduce it.
 */
export const REFUSED_BECAUSE: ReadonlyMap<string, string> = new Map([
  ["domainname", "oneoff has no --domainname to give a one-off a domain name"],
  ["configs", "oneoff does not deliver compose configs; a file secret (secrets:) is delivered"],
  ["external_links", "oneoff makes no links to containers outside the project"],
]);

/** Compose's extension fields (`x-anything:`), which compose itself ignores. */
export const isExtensionKey = (key: string): boolean => key.startsWith("x-");

/**
 * What is wrong with a `links:` entry for a one-off: `db` and `db:db` name the service, which
 * the one-off reaches by name anyway; `db:database` would make an alias oneoff does not make.
 */
export function linkProblem(entry: string): string | undefined {
  const [service, alias = service] = entry.split(":");
  return alias === service ? undefined : `the alias ${alias} for ${service} is not made for a one-off`;
}
