// The floor for any Node runner: the same Engine API calls oneoff makes (create, attach,
// start, wait, remove) over the unix socket, with no dependencies and no checks.
// Usage: node raw-floor.cjs [--label KEY=VALUE] [--variant V] IMAGE CMD... (the label: so that
// tests running beside a benchmark can tell its containers from theirs). The variants, to
// compare the orders a runner can choose (oneoff uses the default):
//   wait-after   wait?condition=not-running once start returns, then DELETE (default)
//   wait-before  wait?condition=next-exit registered (its headers back) before start, then DELETE
//   autoremove   HostConfig.AutoRemove and wait?condition=removed before start, as docker run --rm
"use strict";
// CommonJS, as bin/oneoff.js is: on Node 22 and 24 an ES module entry pays for the ES module
// loader (and loads undici with its import of http), which would flatter any runner measured
// against it.
const http = require("node:http");

// The engine DOCKER_HOST names when it is a unix socket, as for the docker CLI beside it.
const socketPath = process.env.DOCKER_HOST?.startsWith("unix://")
  ? process.env.DOCKER_HOST.slice("unix://".length)
  : "/var/run/docker.sock";
const argv = process.argv.slice(2);
const labels = {};
let variant = "wait-after";
while (argv[0] === "--label" || argv[0] === "--variant") {
  if (argv[0] === "--label") {
    const [key, ...value] = argv[1].split("=");
    labels[key] = value.join("=");
  } else variant = argv[1];
  argv.splice(0, 2);
}
if (!["wait-after", "wait-before", "autoremove"].includes(variant)) throw new Error(`unknown variant ${variant}`);
const [image, ...cmd] = argv;

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      { socketPath, method, path, headers: data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {} },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve(text ? JSON.parse(text) : {}));
      },
    );
    request.on("error", reject);
    request.end(data);
  });
}

/** A wait whose headers came back (the engine registered it); resolves with its answer's promise. */
function registeredWait(id, condition) {
  return new Promise((registered, reject) => {
    const request = http.request(
      { socketPath, method: "POST", path: `/containers/${id}/wait?condition=${condition}`, agent: false },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        registered({ answer: new Promise((resolve) => response.on("end", () => resolve(JSON.parse(text)))) });
      },
    );
    request.on("error", reject);
    request.end();
  });
}

async function main() {
  const { Id: id } = await call("POST", "/containers/create", {
    Image: image,
    Cmd: cmd,
    Labels: labels,
    AttachStdout: true,
    AttachStderr: true,
    ...(variant === "autoremove" ? { HostConfig: { AutoRemove: true } } : {}),
  });
  const output = await new Promise((resolve, reject) => {
    const request = http.request({
      socketPath,
      method: "POST",
      path: `/containers/${id}/attach?stream=1&stdout=1&stderr=1`,
      headers: { Connection: "Upgrade", Upgrade: "tcp" },
      agent: false,
    });
    request.on("upgrade", (_response, socket) => resolve(socket));
    request.on("error", reject);
    request.end();
  });
  const drained = new Promise((resolve) => {
    output.on("data", () => {});
    output.on("end", resolve);
    output.on("close", resolve);
  });
  const early = variant === "wait-after" ? undefined : await registeredWait(id, variant === "autoremove" ? "removed" : "next-exit");
  await call("POST", `/containers/${id}/start`);
  const { StatusCode } = early ? await early.answer : await call("POST", `/containers/${id}/wait?condition=not-running`);
  await drained;
  if (variant !== "autoremove") await call("DELETE", `/containers/${id}?force=1`);
  process.exitCode = StatusCode;
}

main().catch((error) => {
  process.stderr.write(`raw floor: ${error.message}\n`);
  process.exitCode = 125;
});
