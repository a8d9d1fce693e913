/**
 * The one place that reads dockerode's and Node's error shapes and turns them into
 * OneoffErrors with exit codes and hints. Nothing above src/engine/ inspects raw errors.
 */
import { ExitCode, OneoffError } from "../../output/errors.js";
import { EngineUnreachable } from "../types.js";
import { DIAL_FAILED } from "./ssh-dial.js";

interface RawEngineError {
  code?: string;
  /** Set with code DIAL_FAILED (ssh-dial.ts): what to do about it. */
  hint?: string;
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
  const fromBody =
    typeof json === "object" && json?.message ? json.message : typeof json === "string" && json.trim() ? json.trim() : undefined;
  // For streamed endpoints (pull) dockerode leaves `json` null and puts the body in the message.
  const fromMessage = raw?.message ? /^\(HTTP code \d+\) [^-]*- ([\s\S]+)$/.exec(raw.message)?.[1] : undefined;
  return (fromBody ?? fromMessage ?? raw?.reason ?? raw?.message ?? String(error)).trim();
}

export function isUnreachable(error: unknown): boolean {
  const code = (error as RawEngineError | undefined)?.code;
  return code !== undefined && (code in UNREACHABLE || code === DIAL_FAILED || tlsProblem(code) !== undefined);
}

/** A TLS handshake that failed, in words: [what, hint]. */
function tlsProblem(code: string | undefined): [string, string] | undefined {
  if (!code) return undefined;
  const certificates = "check DOCKER_CERT_PATH's (or the context's) ca.pem, cert.pem and key.pem";
  if (
    /^ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED|DECRYPT_ERROR)$/.test(
      code,
    )
  ) {
    return ["the engine refused oneoff's TLS client certificate", `${certificates}: the engine accepts certificates from its own CA only`];
  }
  if (
    /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_SIGNATURE_FAILURE|ERR_TLS_CERT_ALTNAME_INVALID)$/.test(
      code,
    )
  ) {
    return [
      `the engine's TLS certificate is not trusted (${code})`,
      `${certificates}: ca.pem must be the CA that signed the engine's certificate`,
    ];
  }
  if (code.startsWith("ERR_SSL_") || code === "ERR_TLS_HANDSHAKE_TIMEOUT")
    return [`the TLS handshake failed (${code})`, `${certificates}, and that the engine speaks TLS there`];
  return undefined;
}

/** A Docker (or Podman) engine answers errors with a JSON {"message": ...} body. */
export function answersLikeDocker(error: unknown): boolean {
  const json = (error as RawEngineError | undefined)?.json;
  return typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string";
}

export function notDockerError(endpoint: string, detail: string): OneoffError {
  return new OneoffError(`the engine at ${endpoint} does not answer like a Docker Engine API (${detail})`, {
    hint: "point DOCKER_HOST at a Docker engine, or a Podman API socket",
  });
}

export function translateEngineError(error: unknown, endpoint: string, action: string): OneoffError {
  if (error instanceof OneoffError) return error;
  const raw = error as RawEngineError;
  if (raw?.statusCode !== undefined && !answersLikeDocker(error)) {
    return notDockerError(
      endpoint,
      `HTTP ${raw.statusCode} to "${action}": ${
        String(raw.json ?? raw.reason ?? "")
          .trim()
          .slice(0, 60) || "no JSON body"
      }`,
    );
  }
  if (raw?.code === DIAL_FAILED) {
    return new EngineUnreachable(`cannot reach the Docker engine at ${endpoint}: ${raw.message}`, {
      hint: raw.hint || undefined,
      cause: error,
    });
  }
  const tls = tlsProblem(raw?.code);
  if (tls) return new EngineUnreachable(`cannot reach the Docker engine at ${endpoint}: ${tls[0]}`, { hint: tls[1], cause: error });
  if (raw?.code && raw.code in UNREACHABLE) {
    return new EngineUnreachable(`cannot reach the Docker engine at ${endpoint}: ${UNREACHABLE[raw.code]}`, {
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
  return new OneoffError(`${action}: ${engineMessage(error)}`, {
    hint: `the engine at ${endpoint} refused it; docker info shows its state`,
    cause: error,
  });
}

/** A container name already taken: Docker answers 409; Podman 500, saying so in `cause`. */
export function isNameConflict(error: unknown): boolean {
  const raw = error as RawEngineError | undefined;
  return raw?.statusCode === 409 || (raw?.json as { cause?: unknown } | undefined)?.cause === "that name is already in use";
}

/**
 * Podman starts the container's process when an attach prepares it, so a command that is
 * not found fails the attach, not the start: the same 126/127 as docker run.
 */
export function translateAttachError(error: unknown, endpoint: string): OneoffError {
  if (!isUnreachable(error) && /preparing container .* for attach/.test(engineMessage(error)))
    return translateStartError(error, endpoint, []);
  return translateEngineError(error, endpoint, "attach to the one-off");
}

/** Create errors that mean a setting is wrong: name the setting and the fix. */
export function translateCreateError(error: unknown, endpoint: string): OneoffError {
  if (error instanceof OneoffError || isUnreachable(error)) return translateEngineError(error, endpoint, "create the one-off container");
  const message = engineMessage(error);
  const setting = SETTING_ERRORS.find(([pattern]) => pattern.test(message));
  if (setting) {
    const [pattern, what, hint] = setting;
    const detail = pattern.exec(message)?.[1] ?? message;
    return new OneoffError(what.replace("$1", detail), { hint, cause: error });
  }
  return translateEngineError(error, endpoint, "create the one-off container");
}

const SETTING_ERRORS: Array<[RegExp, string, string]> = [
  [/Cannot mkdir: (\S+) is not a directory/, "workdir $1 is not a directory in the image", "check -w / workdir:"],
  [/(Minimum memory limit allowed is \S+)/, "memory limit too small: $1", "raise --memory / memory:"],
  [/(Range of CPUs is from [^.]+\.\d+ to [\d.]+)/, "cpus limit out of range: $1", "lower --cpus / cpus: to what the engine's host has"],
  [/invalid environment variable: (.*)/, "invalid environment variable $1", "check -e, --env-file and env: for an empty or malformed name"],
  [/network (\S+) not found/, "network $1 not found", "create it with docker network create, or fix --network / network:"],
  // The engine's machine is not always this one: a bind's source is a path there.
  [
    /bind source path does not exist: (.*)$/,
    "bind source $1 does not exist on the engine's machine",
    "a bind mounts a path of the machine the engine runs on, not of this one: check volumes: and -v, use a named volume, or --copy-in for files from here",
  ],
];

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
    return new OneoffError(
      `command "${program}" cannot be invoked: ${/is a directory/i.test(message) ? "it is a directory" : "permission denied"}`,
      {
        hint: "check that it is an executable file in the release image",
        exitCode: ExitCode.cannotInvoke,
        cause: error,
      },
    );
  }
  const user = /unable to find (user|group) ([^:]+): no matching entries/.exec(message);
  if (user) {
    return new OneoffError(`${user[1]} "${user[2]}" does not exist in the image`, {
      hint: `check -u / user:, or give a numeric ${user[1] === "user" ? "uid" : "gid"}`,
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
  return new OneoffError(`the one-off failed to start: ${shortRuntimeMessage(message)}`, {
    hint: "check the one-off's settings; oneoff run --dry-run shows them",
    cause: error,
  });
}

// "OCI runtime create failed: container_linux.go:380: starting container process caused: X: unknown"
// -> "X": the runtime's call chain means nothing to a user.
function shortRuntimeMessage(message: string): string {
  const caused = message.lastIndexOf("caused: ");
  const core = caused >= 0 ? message.slice(caused + "caused: ".length) : message;
  return core.replace(/: unknown$/, "");
}

/** The archive endpoint's refusals (a missing directory, a read-only filesystem, a file in the way), in a line. */
export function translateArchiveError(error: unknown, endpoint: string, action: string): OneoffError {
  if (error instanceof OneoffError || isUnreachable(error) || !answersLikeDocker(error))
    return translateEngineError(error, endpoint, action);
  const message = engineMessage(error);
  if (/no such container/i.test(message))
    return new OneoffError(`${action}: the one-off container is gone`, {
      hint: "it was removed while files were being copied",
      cause: error,
    });
  // "Could not find the file /x in container y"
  const missing = /could not find the file (.*) in container/i.exec(message)?.[1];
  if (missing)
    return new OneoffError(`${action}: ${missing} does not exist in the one-off`, {
      hint: "copy into a directory that exists in the image, or create it first",
      cause: error,
    });
  return new OneoffError(`${action}: ${message}`, {
    hint: "check the path and that the one-off's filesystem is writable there",
    cause: error,
  });
}
