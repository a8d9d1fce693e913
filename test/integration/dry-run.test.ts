import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { expectNoLeftovers, IMAGE, imageId, oneoff, oneOffContainers } from "./helpers.js";

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
    expect(document.request.body).toMatchObject({
      Image: IMAGE,
      Cmd: ["sh", "-c", "echo 'it''s'"],
      Env: ["DB_PASSWORD=<redacted>", "DATABASE_URL=postgres://app:<redacted>@db/shop", "PLAIN=visible"],
      User: "app",
      WorkingDir: "/tmp",
      HostConfig: { Memory: 64 * 1024 * 1024, AutoRemove: false },
    });
    expect(document.note).toMatch(/pins it to the image ID/);
    // The docker run line, read back by a real shell, gives the same argv and settings.
    const argv = execFileSync("sh", ["-c", `set -- ${document.dockerRun}; printf '%s\\0' "$@"`])
      .toString()
      .split("\0")
      .slice(0, -1);
    expect(argv.slice(0, 5)).toEqual(["docker", "run", "--rm", "--name", document.name]);
    expect(argv.slice(-4)).toEqual([IMAGE, "sh", "-c", "echo 'it''s'"]);
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

  it("needs no engine", async () => {
    const result = await oneoff(["run", "--dry-run", "--release", imageId(IMAGE), "--", "true"], {
      env: { DOCKER_HOST: "unix:///tmp/no-engine.sock" },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString()).request.body.Image).toBe(imageId(IMAGE));
  });
});
