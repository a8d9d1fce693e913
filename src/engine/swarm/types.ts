/**
 * What oneoff needs from a Docker Swarm manager to run a one-off as a job: a service in
 * `replicated-job` mode, its one task, and the task's output and exit code. The adapter is
 * under src/engine/swarm/; nothing above src/engine/ sees the Engine API's shapes.
 */
import type { ServiceSpec } from "../../requests/service-spec.js";

export interface SwarmNode {
  /** The node ID of the engine oneoff talks to (a manager). */
  id: string;
  managers: number;
  nodes: number;
}

/** A long-running service, as `--from` reads it: its spec, exactly as the manager holds it. */
export interface ServiceDefinition {
  id: string;
  name: string;
  spec: ServiceSpec;
}

export interface ServiceSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdAt: Date;
}

/** Swarm's task states, in the order a task moves through them. */
export const TERMINAL_TASK_STATES = new Set(["complete", "failed", "shutdown", "rejected", "orphaned", "remove"]);

export interface TaskStatus {
  id: string;
  nodeId: string;
  /** new, pending, assigned, accepted, preparing, starting, running, complete, failed, rejected, ... */
  state: string;
  desiredState: string;
  /** The task's container, once the node has created one. */
  containerId?: string;
  /** Set once the container has exited. */
  exitCode?: number;
  /** Why the task failed or was rejected ("task: non-zero exit (3)", "No such image: ..."). */
  error?: string;
  message: string;
  createdAt: Date;
  /** When the task reached its current state. */
  statusAt: Date;
}

export interface SwarmJobs {
  /** The swarm as the engine sees it; undefined when the engine is not a swarm manager. */
  node(): Promise<SwarmNode | undefined>;
  /** undefined when there is no such service (by ID or exact name). */
  inspectService(nameOrId: string): Promise<ServiceDefinition | undefined>;
  /** Services carrying the label `label` (`key` or `key=value`). */
  listServices(label: string): Promise<ServiceSummary[]>;
  /**
   * Creates a service (the job) and returns its ID. Rejects with NameInUse when a service of
   * that name exists. `registryAuth` is the X-Registry-Auth value for the nodes' pulls.
   */
  createService(spec: ServiceSpec, registryAuth?: string): Promise<string>;
  /** The service's tasks, newest first. */
  listTasks(serviceId: string): Promise<TaskStatus[]>;
  /** The service's output (multiplexed stdout/stderr frames); with follow, as it comes. */
  serviceLogs(serviceId: string, options: { follow: boolean; timestamps?: boolean }): Promise<NodeJS.ReadableStream>;
  /**
   * Stops the job's task wherever it runs (SIGTERM, then SIGKILL after its grace period) and
   * keeps the service: a job's completions set to 0, as `docker service scale JOB=0` does.
   * Engines before 24.0 do not stop a job's task when its service is removed (moby#44312).
   */
  stopJob(nameOrId: string): Promise<void>;
  /** Removes the service; already gone counts as removed. */
  removeService(nameOrId: string): Promise<void>;
  /** The hostname of a node, for messages. */
  nodeName(nodeId: string): Promise<string>;
}

/** What a Swarm-job session needs of the manager, its service's removal included (see SessionEngine). */
export type SessionJobs = Pick<
  SwarmJobs,
  "node" | "nodeName" | "createService" | "listTasks" | "serviceLogs" | "stopJob" | "inspectService" | "removeService"
>;
