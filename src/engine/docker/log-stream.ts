/**
 * A log (a container's or a Swarm service's) as a stream, through the modem rather than
 * dockerode's container.logs()/service.logs(): without follow, those read the whole log into
 * one Buffer, which a caller expecting a stream iterates byte by byte as numbers; a stream keeps
 * a long log's memory bounded either way.
 */
import type Docker from "dockerode";

export interface LogQuery {
  follow: boolean;
  timestamps?: boolean;
}

/** `path` is the endpoint without its query: `/containers/ID/logs` or `/services/ID/logs`. */
export function openLogStream(docker: Docker, path: string, what: string, query: LogQuery): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    docker.modem.dial(
      {
        path: `${path}?`,
        method: "GET",
        isStream: true,
        statusCodes: { 200: true, 404: `no such ${what}`, 500: "server error", 503: "node is not part of a swarm" },
        options: { follow: query.follow, stdout: true, stderr: true, timestamps: query.timestamps ?? false },
      },
      (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as NodeJS.ReadableStream)),
    ),
  );
}
