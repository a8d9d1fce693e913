import { describe, expect, it } from "vitest";
import { commandCandidates, hasEntry, userProblem } from "../../src/lifecycle/checks.js";
import { isDirectory, tarFileText } from "../../src/engine/archive-answers.js";

/** A one-entry tar archive, as the engine's archive endpoint sends it. */
function tar(name: string, content: string, type = "0"): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, "ascii");
  header.write(content.length.toString(8).padStart(11, "0"), 124, "ascii");
  header.write(type, 156, "ascii");
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

describe("pre-flight helpers", () => {
  it("reads the file out of a one-file tar archive", () => {
    expect(tarFileText(tar("passwd", "root:x:0:0::/root:/bin/sh\n"))).toBe("root:x:0:0::/root:/bin/sh\n");
    expect(tarFileText(Buffer.concat([tar("dir", "", "5").subarray(0, 512), tar("passwd", "app:x:1000\n")]))).toBe("app:x:1000\n");
    expect(tarFileText(tar("link", "", "2"))).toBeUndefined();
    expect(tarFileText(undefined)).toBeUndefined();
  });

  it.each([
    ["sh", "/app", "/usr/bin:/bin", ["/usr/bin/sh", "/bin/sh"]],
    ["bin/migrate", "/app", "/bin", ["/app/bin/migrate"]],
    ["/opt/tool", "/app", "/bin", ["/opt/tool"]],
    ["x", "/", "/a/::/b/", ["/a/x", "/b/x"]],
  ])("looks for %s (workdir %s, PATH %s) in %j", (executable, workdir, pathVariable, candidates) => {
    expect(commandCandidates(executable, workdir, pathVariable)).toEqual(candidates);
  });

  it("finds users and groups by name, and takes numeric ids as they are", async () => {
    const files: Record<string, string> = {
      "/etc/passwd": "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
      "/etc/group": "root:x:0:\nstaff:x:50:\n",
    };
    const read = async (file: string) => files[file];
    expect(await userProblem("app", read)).toBeUndefined();
    expect(await userProblem("1234:5678", read)).toBeUndefined();
    expect(await userProblem("app:staff", read)).toBeUndefined();
    expect(await userProblem("ap", read)).toMatch(/user ap does not exist/);
    expect(await userProblem("app:wheel", read)).toMatch(/group wheel does not exist/);
    expect(await userProblem("app", async () => undefined)).toMatch(/has no \/etc\/passwd/);
    // A file over the cap is not read (readArchive says so): no lookup, and no guess.
    const tooLarge = async () => "too large" as const;
    expect(await userProblem("app", tooLarge)).toBe(
      "user app cannot be looked up: the image's /etc/passwd is over 1 MiB, more than oneoff reads",
    );
    expect(await userProblem("1000:staff", tooLarge)).toBe(
      "group staff cannot be looked up: the image's /etc/group is over 1 MiB, more than oneoff reads",
    );
    expect(await userProblem("1000:1000", tooLarge)).toBeUndefined();
    expect(hasEntry("a:x\nbb:y\n", "b")).toBe(false);
  });

  it("reads Go's file mode bits", () => {
    expect(isDirectory({ name: "d", size: 0, mode: 2 ** 31 + 0o755, linkTarget: "" })).toBe(true);
    expect(isDirectory({ name: "f", size: 1, mode: 0o755, linkTarget: "" })).toBe(false);
  });
});
