/**
 * What the rest of oneoff needs from a container engine. Implementations live under
 * src/engine/<name>/ and are the only code that knows the Engine API's wire shapes.
 */
import type { Duplex } from "node:stream";
import type { CreateBody } from "../spec/create-body.js";

export interface ImageSummary {
  /** The immutable image ID, `sha256:...`. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
}

export interface PullProgress {
  /** Layer ID, when the event is about one layer. */
  id?: string;
  status: string;
  progress?: string;
}

export interface AttachOptions {
  stdin: boolean;
  /** TTY sessions only: the sequence the engine treats as "detach" (docker notation). */
  detachKeys?: string;
}

export interface TerminalSize {
  rows: number;
  columns: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** created, running, exited, ... */
  state: string;
}

export interface ContainerEngine {
  /** A human name for the engine, for messages: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** undefined when no such image is present locally. */
  inspectImage(reference: string): Promise<ImageSummary | undefined>;
  pullImage(repository: string, tag: string, onProgress: (event: PullProgress) => void): Promise<void>;
  createContainer(name: string, body: CreateBody): Promise<string>;
  connectNetwork(containerId: string, network: string): Promise<void>;
  /**
   * The container's attached streams: a raw duplex carrying the multiplexed stdout/stderr
   * frames, and the command's stdin when `stdin` is set. End the write side to send EOF.
   */
  attach(containerId: string, options: AttachOptions): Promise<Duplex>;
  /** Sets the container TTY's size; call after start. */
  resize(containerId: string, size: TerminalSize): Promise<void>;
  /** Rejects with exit code 126/127 when the command cannot be invoked or is not found. */
  start(containerId: string): Promise<void>;
  /** Waits until the container is not running and returns its exit code. Call after start. */
  waitForExit(containerId: string, signal?: AbortSignal): Promise<number>;
  /** Sends a signal; resolves quietly when the container is already gone or stopped. */
  kill(containerId: string, signal: NodeJS.Signals): Promise<void>;
  /** Force-removes the container (by ID or name) and its anonymous volumes; already gone counts as removed. */
  remove(containerId: string): Promise<void>;
  /** Containers in any state carrying the label `label` (`key` or `key=value`). */
  listContainers(label: string): Promise<ContainerSummary[]>;
}
