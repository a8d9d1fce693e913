/**
 * A RunPlan as resolveRunPlan would make it for `shop`'s migrate, with every required field, for
 * the spec builders' tests (container create body and Swarm job service).
 */
import type { RunPlan } from "../../src/types/plan.js";
import type { ProcessSettings } from "../../src/types/config.js";

export function plan(overrides: Partial<Omit<RunPlan, "settings">> & { settings?: Partial<ProcessSettings> } = {}): RunPlan {
  const { settings, ...rest } = overrides;
  return {
    app: "shop",
    command: ["bin/rails", "db:migrate"],
    releaseReference: "registry.example.com/shop:v42",
    settings: { env: {}, ...settings },
    provenance: {},
    interactive: false,
    tty: false,
    pull: "missing",
    kind: "container",
    constraints: [],
    files: { copyIn: [], copyOut: [], copyOutLimitBytes: 1024 ** 3 },
    secrets: [],
    ...rest,
  };
}
