/**
 * oneoff run --dry-run: the create request and the docker run line it prints, and what it says
 * of the image, without creating anything.
 *
 * oneoff runs in this process (oneoffInProcess) but in the first test, which proves a secret's
 * value is absent from what oneoff prints: output/redact.ts remembers the values it masks per
 * process, so in the test's process another run's values could mask for a run that forgot to.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { docker, expectNoLeftovers, IMAGE, imageId, oneoff, oneOffContainers, REGISTRY } from "./helpers.js";
import { oneoffInProcess } from "./in-process.js";

expectNoLeftovers();

describe("oneoff run --dry-run", () => {
  it("prints the create request and the docker run line, secrets redacted, and creates nothing", async () => {
    const before = oneOffContainers();
    const result = await oneoff([
      "run",
      "--dry-run",
      "--release",
      IMAGE,
      "-e",
      "DB_PASSWORD=hunter2",
      "-e",
      "DATABASE_URL=postgres://app:hunter2@db/shop",
      "-e",
      "PLAIN=visible",
      "-u",
      "app",
      "-w",
      "/tmp",
      "-m",
      "64m",
      "--",
      "sh",
      "-c",
      "echo 'it''s'",
    ]);
    expect(result.code).toBe(0);
    const text = result.stdout.toString();
    expect(text).not.toContain("hunter2");
    const document = JSON.parse(text);
    expect(document.request.method).toBe("POST");
    expect(document.request.path).toBe(`/containers/create?name=${document.name}`);
    // The image the engine has for the tag now: the ID a real run would pin.
    expect(document.image).toEqual({ reference: IMAGE, imageId: imageId(IMAGE), how: "the engine has it: a real run pins this image ID" });
    expect(document.request.body.Labels["io.oneoff.release.image-id"]).toBe(imageId(IMAGE));
    expect(document.request.body).toMatchObject({
      Image: imageId(IMAGE),
      Cmd: ["sh", "-c", "echo 'it''s'"],
      Env: ["DB_PASSWORD=<redacted>", "DATABASE_URL=postgres://app:<redacted>@db/shop", "PLAIN=visible"],
      User: "app",
      WorkingDir: "/tmp",
      HostConfig: { Memory: 64 * 1024 * 1024, AutoRemove: false },
    });
    // The docker run line, read back by a real shell, gives the same argv and settings.
    const argv = execFileSync("sh", ["-c", `set -- ${document.dockerRun}; printf '%s\\0' "$@"`])
      .toString()
      .split("\0")
      .slice(0, -1);
    expect(argv.slice(0, 5)).toEqual(["docker", "run", "--rm", "--name", document.name]);
    expect(argv.slice(-4)).toEqual([imageId(IMAGE), "sh", "-c", "echo 'it''s'"]);
    expect(argv).toEqual(
      expect.arrayContaining([
        "DB_PASSWORD=<redacted>",
        "DATABASE_URL=postgres://app:<redacted>@db/shop",
        "PLAIN=visible",
        "64m",
        `io.oneoff.command=${JSON.stringify(["sh", "-c", "echo 'it''s'"])}`,
      ]),
    );
    expect(oneOffContainers()).toEqual(before);
  });

  it("needs no engine: a full image ID stands as it is; a tag is shown unresolved, saying why", async () => {
    const env = { DOCKER_HOST: "unix:///tmp/no-engine.sock" };
    const byId = await oneoffInProcess(["run", "--dry-run", "--release", imageId(IMAGE), "--", "true"], { env });
    expect(byId.stderr).toBe("");
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout.toString()).request.body.Image).toBe(imageId(IMAGE));
    const byTag = await oneoffInProcess(["run", "--dry-run", "--release", IMAGE, "--", "true"], { env });
    expect(byTag.code).toBe(0);
    const document = JSON.parse(byTag.stdout.toString());
    expect(document.image).toEqual({
      reference: IMAGE,
      unresolved: "the engine could not be asked: cannot reach the Docker engine at unix:///tmp/no-engine.sock: no engine socket there",
    });
    expect(document.request.body.Image).toBe(IMAGE);
    expect(document.request.body.Labels["io.oneoff.release.image-id"]).toMatch(/^<unresolved: the engine could not be asked: /);
  });

  it("shows the registry's digest a run would pull for an image the engine lacks, and why it cannot tell for one nowhere", async () => {
    const reference = `${REGISTRY}/oneoff-test/pullme:v1`;
    try {
      docker("image", "rm", reference);
    } catch {
      // not here: as wanted
    }
    const pulled = JSON.parse((await oneoffInProcess(["run", "--dry-run", "--release", reference, "--", "true"])).stdout.toString());
    expect(pulled.image).toMatchObject({ reference, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(pulled.request.body.Image).toBe(reference);
    // Nothing was pulled by the dry run.
    expect(() => docker("image", "inspect", reference)).toThrow();
    const missing = `${REGISTRY}/oneoff-test/no-such-image:v9`;
    const nowhere = JSON.parse((await oneoffInProcess(["run", "--dry-run", "--release", missing, "--", "true"])).stdout.toString());
    expect(nowhere.image).toEqual({
      reference: missing,
      unresolved: expect.stringMatching(/^not on the engine, and its registry says: .*manifest unknown/),
    });
  });
});
