/**
 * A pull's progress, added up from the engine's per-layer events: layers done, bytes
 * downloaded of the bytes known, for a line every few seconds in a log (a CI log then shows a
 * long pull moving), and a line per layer on a terminal, as docker pull draws them. Pure:
 * events in, text out.
 */
import type { PullProgress } from "../engine/types.js";

interface Layer {
  status: string;
  /** The engine's own bar for the layer ("[==>   ]  1.2MB/4.5MB"), while it downloads or extracts. */
  progress?: string;
  downloaded: number;
  size?: number;
  done: boolean;
}

export class PullTally {
  private readonly layers = new Map<string, Layer>();

  add(event: PullProgress): void {
    if (!event.id || !/^[0-9a-f]{12}$/.test(event.id)) return;
    const layer = this.layers.get(event.id) ?? { status: "", downloaded: 0, done: false };
    layer.status = event.status;
    if (event.progress) layer.progress = event.progress;
    else delete layer.progress;
    if (/^Downloading/i.test(event.status)) {
      if (event.current !== undefined) layer.downloaded = event.current;
      if (event.total !== undefined) layer.size = event.total;
    }
    if (/^(Download complete|Pull complete|Already exists)/i.test(event.status)) {
      if (layer.size !== undefined) layer.downloaded = layer.size;
      if (!/^Download complete/i.test(event.status)) layer.done = true;
    }
    this.layers.set(event.id, layer);
  }

  /** "3/7 layers, 12.5 MiB of 45.0 MiB" (the sizes of the layers that had to be fetched). */
  summary(): string {
    const layers = [...this.layers.values()];
    const fetched = layers.filter((layer) => layer.size !== undefined);
    const downloaded = fetched.reduce((sum, layer) => sum + layer.downloaded, 0);
    const known = fetched.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    const done = layers.filter((layer) => layer.done).length;
    return `${done}/${layers.length} layers${known ? `, ${mebibytes(downloaded)} of ${mebibytes(known)}` : ""}`;
  }

  /**
   * One line per layer in the order the engine first named them, as docker pull shows:
   * "0123456789ab: Downloading [=====>    ]  1.2MB/4.5MB", "0123456789ab: Pull complete".
   */
  layerLines(): string[] {
    return [...this.layers].map(([id, layer]) => `${id}: ${layer.status}${layer.progress ? ` ${layer.progress}` : ""}`);
  }

  /** Bytes fetched in all (for the last line). */
  bytes(): number {
    return [...this.layers.values()].reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  }
}

const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
