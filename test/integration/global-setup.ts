/**
 * Integration tests need a real engine and the locally built test images. When either is
 * missing the whole suite fails here, loudly; it never skips (CI must not go green without
 * having run them). `npm test` runs test/setup/all.sh first, which provides both.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  try {
    execFileSync("docker", ["image", "inspect", "-f", "{{.Id}}", "oneoff-test/busybox:latest"], { stdio: "pipe", timeout: 15_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error).trim();
    throw new Error(`integration tests need a Docker engine with the test images (${stderr}); run: bash test/setup/all.sh`);
  }
}
