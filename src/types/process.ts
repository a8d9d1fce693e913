/**
 * A running process as the engine describes it, for --from to copy and diff to compare. Plain
 * data at the bottom of the house.
 */
import type { RuntimeSettings } from "./config.js";

/** What defines a running container's environment: what `--from` copies and `diff` compares. */
export interface ProcessDefinition {
  id: string;
  name: string;
  state: string;
  imageId: string;
  env: string[];
  labels: Record<string, string>;
  /** Its docker run settings (user, workdir, limits, ...), the engine's defaults left out (see requests/runtime-settings.ts). */
  runtime: RuntimeSettings;
}
