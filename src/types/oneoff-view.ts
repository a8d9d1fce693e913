/** A one-off already on the engine, as `ps` and the library's `list` show it, whichever backend ran it. */
export interface OneOffView {
  id: string;
  name: string;
  app: string;
  task?: string;
  command: string[];
  imageId: string;
  releaseReference: string;
  startedBy: string;
  startedAt?: string;
  state: string;
  detached: boolean;
  lock?: string;
  exitCode?: number;
  durationMs?: number;
}
