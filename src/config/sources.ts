/**
 * Where a one-off's settings come from besides oneoff.yaml and flags: a compose service
 * (--service) or a running process (--from). Both need reading before the plan is resolved,
 * and --from (and a compose-built image) needs the engine for it.
 */
import path from "node:path";
import { swarmOf } from "../engine/swarm/of-engine.js";
import type { ContainerEngine } from "../engine/types.js";
import { connectTo, locate, type LocatedEngine } from "../engine/connect.js";
import { engineChoice, pickEnvironment } from "./environments.js";
import { chosenKind } from "./kind-choice.js";
import { OneoffError } from "../output/errors.js";
import { loadAppConfig } from "./load.js";
import type { RunOptions } from "../types/options.js";
import { findProcess, processLayer } from "./running.js";
import { findService, serviceLayer } from "./swarm-service.js";
import type { ServiceDefinition } from "../engine/swarm/types.js";
import type { AppConfig, EnvironmentDefinition, SettingsLayer } from "../types/config.js";

export interface Sources {
  config: AppConfig | undefined;
  /** The environment of oneoff.yaml --env-name or ONEOFF_ENV names, picked once, here, for the engine and the plan. */
  environment: EnvironmentDefinition | undefined;
  sourceLayers: SettingsLayer[];
  /** The engine's client, set when a source needed the engine (connected once, reused by the run). */
  client: ContainerEngine | undefined;
  /** With --engine swarm --from: the service whose spec the job copies. */
  service?: ServiceDefinition;
  /**
   * The engine the flags, the environment and DOCKER_* choose: located on the first ask (which
   * reads docker's config folder) and kept, so a run that read a source from the engine and
   * then starts the watchdog locates it once.
   */
  locate: () => LocatedEngine;
  /**
   * The run's client: the caller's, else one for the located engine, connected on the first ask
   * (or by a source) and kept, so `oneoff release`'s checks and its run share one.
   */
  connect: () => Promise<ContainerEngine>;
}

export async function resolveSources(
  options: RunOptions,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  givenClient: ContainerEngine | undefined,
): Promise<Sources> {
  const config = await loadAppConfig(options.config, cwd, env);
  const environment = pickEnvironment(config, options.envName, env);
  const choice = engineChoice(options, environment);
  let located: LocatedEngine | undefined;
  const locateOnce = () => (located ??= locate(env, choice));
  let connecting: Promise<ContainerEngine> | undefined;
  const connect = () => (connecting ??= givenClient ? Promise.resolve(givenClient) : connectTo(locateOnce().connection));
  let client = givenClient;
  const sourceLayers: SettingsLayer[] = [];
  // An explicit release wins over the image a compose file's service would build.
  const releaseChosen =
    options.release !== undefined ||
    Boolean(env.ONEOFF_RELEASE) ||
    config?.base.settings.release !== undefined ||
    environment?.overrides.settings.release !== undefined;
  const from = options.from ?? config?.from;
  const service = options.service ?? config?.service;
  if (service) {
    if (from) throw new OneoffError("--from and --service both name where the one-off comes from", { hint: "keep one of them" });
    const given = options.compose === undefined ? [] : [options.compose].flat();
    const composeFiles = given.length ? given : (config?.compose ?? []);
    // Compose files are YAML: their reader is loaded only for --service.
    const { loadComposeService } = await import("./compose-project.js");
    const composed = loadComposeService(composeFiles, service, [config?.dir ?? cwd, cwd], cwd, env);
    if (composed.builtImageNames.length && !releaseChosen) {
      client ??= await connect();
      composed.layer.settings.release = await builtImage(client, composed.builtImageNames, service);
    }
    sourceLayers.push(composed.layer);
  } else if (options.compose !== undefined && [options.compose].flat().length) {
    throw new OneoffError("--compose needs --service", { hint: "name the service: --service web" });
  }
  if (from && chosenKind(options, config, env) === "job") {
    client ??= await connect();
    const swarmService = await findService(swarmOf(client), from, config?.app, client.endpoint);
    sourceLayers.push(serviceLayer(swarmService));
    return { config, environment, sourceLayers, client, locate: locateOnce, connect, service: swarmService };
  }
  if (from) {
    client ??= await connect();
    // The app is named as the plan names it (resolve.ts): app:, else the folder's name.
    const app = config?.app ?? path.basename(path.resolve(cwd));
    // With --from only the command line picks the release (oneoff.yaml's is set aside), so
    // only it decides between replicas on different images.
    const releaseOnCommandLine = options.release !== undefined || Boolean(env.ONEOFF_RELEASE);
    sourceLayers.push(processLayer(from, await findProcess(client, from, app), releaseOnCommandLine));
  }
  return { config, environment, sourceLayers, client, locate: locateOnce, connect };
}

/** The image compose built for a service without `image:` (v2 names it project-service, v1 project_service). */
async function builtImage(client: ContainerEngine, names: readonly string[], service: string): Promise<string> {
  for (const name of names) {
    const image = await client.inspectImage(name);
    if (image) return image.id;
  }
  throw new OneoffError(`service ${service} has no image: and compose has not built one (${names.join(" or ")})`, {
    hint: `build it first: docker compose build ${service}`,
  });
}
