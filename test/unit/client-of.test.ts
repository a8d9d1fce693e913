/**
 * The one function that gives a call its engine's client (pipeline/client-of.ts): the library's
 * list, logs, stop and cleanup, and every CLI command through cli/client.ts. A test's own client
 * (RunContext's `client`) is taken as it is, before oneoff.yaml is read or an engine located.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clientOf } from "../../src/pipeline/client-of.js";
import type { ContainerEngine } from "../../src/engine/types.js";

describe("clientOf", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "oneoff-client-of-"));

  it("returns a test's own client as it is: no oneoff.yaml read, no engine located", async () => {
    const given = { endpoint: "unix:///a-test's-own.sock" } as ContainerEngine;
    // Without the client, an environment named where there is no oneoff.yaml is an error.
    await expect(clientOf({ envName: "production" }, { cwd, env: {} })).rejects.toThrow(/production/);
    await expect(clientOf({ envName: "production" }, { cwd, env: {}, client: given })).resolves.toBe(given);
  });
});
