/**
 * A detached one-off: created and started, then left running. Nobody waits for it, so it has
 * no watchdog; it is kept after it ends (for `oneoff logs`) and reaped once its retention
 * (label io.oneoff.keep-for) has passed.
 */
import type { ContainerEngine } from "../../engine/types.js";
import type { ContainerSpec } from "../../requests/create-body.js";

export async function startDetachedContainer(
  engine: ContainerEngine,
  spec: ContainerSpec,
  create?: () => Promise<string>,
  prepare?: (containerId: string) => Promise<void>,
): Promise<string> {
  const containerId = await (create ? create() : engine.createContainer(spec.name, spec.body, spec.platform));
  try {
    for (const network of spec.extraNetworks) await engine.connectNetwork(containerId, network);
    await prepare?.(containerId);
    await engine.start(containerId);
    return containerId;
  } catch (error) {
    // It never ran: nothing to keep.
    await engine.remove(containerId).catch(() => {});
    throw error;
  }
}
