/**
 * The one place that reads dockerode's and Node's error shapes and turns them into
 * OneoffErrors with exit codes and hints. Nothing above src/engine/ inspects raw errors.
 */
import { ExitCode, OneoffError } from "../../output/errors.js";

interface RawEngineError {
  code?: string;
  statusCode?: number;
  reason?: string;
  json?: unknown;
  message?: string;
}

const UNREACHABLE: Record<string, string> = {
  ENOENT: "no engine socket there",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
};

export function statusCodeOf(error: unknown): number | undefined {
  return (error as RawEngineError | undefined)?.statusCode;
}

/** The engine's own message, without dockerode's "(HTTP code 404) no such container - " prefix. */
export function engineMessage(error: unknown): string {
  const raw = error as RawEngineError;
  const json = raw?.json as { message?: string } | string | undefined;
  const fromBody = typeof json === "object" && json?.message ? json.message : typeof json === "string" && json.trim() ? json.trim() : undefined;
  // For streamed endpoints (pull) dockerode leaves `json` null and puts the body in the message.
  const fromMessage = raw?.message ? /^\(HTTP code \d+\) [^-]*- ([\s\S]+)$/.exec(raw.message)?.[1] : undefined;
  return (fromBody ?? fromMessage ?? raw?.reason ?? raw?.message ?? String(error)).trim();
}

export function isUnreachable(error: unknown): boolean {
  const code = (error as RawEngineError | undefined)?.code;
  return code !== undefined && code in UNREACHABLE;
}

export function translateEngineError(error: unknown, endpoint: string, action: string): OneoffError {
  if (error instanceof OneoffError) return error;
  const raw = error as RawEngineError;
  if (raw?.code && raw.code in UNREACHABLE) {
    return new OneoffError(`cannot reach the Docker engine at ${endpoint}: ${UNREACHABLE[raw.code]}`, {
      hint: "start the engine (dockerd), or point DOCKER_HOST at one",
      cause: error,
    });
  }
  if (raw?.code === "EACCES") {
    return new OneoffError(`cannot reach the Docker engine at ${endpoint}: permission denied`, {
      hint: "run as a member of the docker group, or as root",
      cause: error,
    });
  }
  return new OneoffError(`${action}: ${engineMessage(error)}`, { cause: error });
}

/**
 * The `docker run` contract for a command that fails to start: 127 when it is not found,
 * 126 when it cannot be invoked, 125 for anything else (bad user, mount, ...). The runtime's
 * message is the same text docker matches on.
 */
export function translateStartError(error: unknown, endpoint: string, command: readonly string[]): OneoffError {
  if (isUnreachable(error)) return translateEngineError(error, endpoint, "start the one-off");
  const message = engineMessage(error);
  const program = /exec: "([^"]*)"/.exec(message)?.[1] ?? /exec ([^:]+): /.exec(message)?.[1] ?? command[0] ?? "";
  if (/executable file not found|no such file or directory|system cannot find the file/i.test(message)) {
    return new OneoffError(`command "${program}" not found in the image`, {
      hint: "check the command, and that the release image has it on its PATH",
      exitCode: ExitCode.commandNotFound,
      cause: error,
    });
  }
  if (/permission denied|is a directory/i.test(message)) {
    return new OneoffError(`command "${program}" cannot be invoked: ${/is a directory/i.test(message) ? "it is a directory" : "permission denied"}`, {
      hint: "check that it is an executable file in the release image",
      exitCode: ExitCode.cannotInvoke,
      cause: error,
    });
  }
  const network = /network (\S+) not found/.exec(message)?.[1];
  if (network) {
    return new OneoffError(`the one-off failed to start: network ${network} not found`, {
      hint: `create it with: docker network create ${network}; or fix --network / network: in the config`,
      cause: error,
    });
  }
  return new OneoffError(`the one-off failed to start: ${shortRuntimeMessage(message)}`, { cause: error });
}

// "OCI runtime create failed: container_linux.go:380: starting container process caused: X: unknown"
// -> "X": the runtime's call chain means nothing to a user.
function shortRuntimeMessage(message: string): string {
  const caused = message.lastIndexOf("caused: ");
  const core = caused >= 0 ? message.slice(caused + "caused: ".length) : message;
  return core.replace(/: unknown$/, "");
}
