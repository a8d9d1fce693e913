/**
 * A detached one-off: created and started, then left running. Nobody waits for it, so it has
 * no watchdog; it is kept after it ends (for `oneoff logs`) and reaped once its retention
 * (label io.oneoff.keep-for) has passed.
 */
import type { ContainerEngine } from "../../engine/types.js";
import type { ContainerSpec } from "../../requests/create-body.js";

export async function startDetachedContainer(
  client: ContainerEngine,
  spec: ContainerSpec,
  create?: () => Promise<string>,
  prepare?: (containerId: string) => Promise<void>,
): Promise<string> {
  const containerId = await (create ? create() : client.createContainer(spec.name, spec.body, spec.platform));
  try {
    for (const network of spec.extraNetworks) await client.connectNetwork(containerId, network);
    await prepare?.(containerId);
    await client.start(containerId);
    return containerId;
  } catch (error) {
    // It never ran: nothing to keep.
    await client.remove(containerId).catch(() => {});
    throw error;
  }
}
