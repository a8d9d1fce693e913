/**
 * Node's http and https modules, taken with require rather than import. An ES import of a
 * built-in builds its namespace from every property, which runs lazy getters: on Node 22 and
 * 24, http's WebSocket getter loads undici, and with it tls and http2 (~15-20 ms of a run's
 * start on this machine kind). require returns the module object and runs none of them.
 */
import { createRequire } from "node:module";

const requireBuiltin = createRequire(import.meta.url);

export const http = requireBuiltin("node:http") as typeof import("node:http");

/** https, loaded on first use: only TLS engines need it, and with it tls (~5 ms of a start). */
export function https(): typeof import("node:https") {
  return requireBuiltin("node:https") as typeof import("node:https");
}
