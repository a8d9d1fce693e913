// The raw floor's calls (raw-floor.cjs: create, attach, start, wait, remove) made through
// dockerode, as oneoff would make them if dockerode carried every call: the vendored bundle
// oneoff ships (dist/bundle/vendor/dockerode.cjs, made by npm run build), loaded the way the
// CLI loads it. Against the raw floor in the same run it is what dockerode costs a one-off
// (issue 31 item 4). Usage: node dockerode-floor.cjs [--label KEY=VALUE] IMAGE CMD...
"use strict";
const path = require("node:path");
const Docker = require(path.join(__dirname, "../../dist/bundle/vendor/dockerode.cjs"));

const socketPath = process.env.DOCKER_HOST?.startsWith("unix://")
  ? process.env.DOCKER_HOST.slice("unix://".length)
  : "/var/run/docker.sock";
const argv = process.argv.slice(2);
const labels = {};
while (argv[0] === "--label") {
  const [key, ...value] = argv[1].split("=");
  labels[key] = value.join("=");
  argv.splice(0, 2);
}
const [image, ...cmd] = argv;

async function main() {
  const docker = new Docker({ socketPath });
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Labels: labels, AttachStdout: true, AttachStderr: true });
  const output = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  const drained = new Promise((resolve) => {
    output.on("data", () => {});
    output.on("end", resolve);
    output.on("close", resolve);
  });
  await container.start();
  const { StatusCode } = await container.wait({ condition: "not-running" });
  await drained;
  await container.remove({ force: true });
  process.exitCode = StatusCode;
}

main().catch((error) => {
  process.stderr.write(`dockerode floor: ${error.message}\n`);
  process.exitCode = 125;
});
