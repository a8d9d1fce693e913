/** `oneoff check` for a Swarm job: the engine must be a swarm manager to create one. */
import type { ContainerEngine } from "../../engine/types.js";
import type { Check } from "../../lifecycle/checks.js";

export async function checkManager(client: ContainerEngine): Promise<Check[]> {
  const swarm = await client
    .swarm?.()
    .node()
    .catch(() => undefined);
  if (swarm)
    return [{ name: "swarm", ok: true, detail: `the engine is a swarm manager (${swarm.nodes} node${swarm.nodes === 1 ? "" : "s"})` }];
  return [
    {
      name: "swarm",
      ok: false,
      detail: `the engine at ${client.endpoint} is not a swarm manager`,
      hint: "point DOCKER_HOST at a manager node, or run without --engine swarm",
    },
  ];
}
