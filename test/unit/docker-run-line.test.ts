import { describe, expect, it } from "vitest";
import { splitWords } from "../../src/formats/words.js";
import type { ContainerSpec, CreateBody } from "../../src/requests/create-body.js";
import { dockerRunLine } from "../../src/requests/docker-run-line.js";

const IMAGE_ID = `sha256:${"0123456789abcdef".repeat(4)}`;

function spec(body: Partial<CreateBody> = {}, extraNetworks: string[] = []): ContainerSpec {
  return {
    name: "shop-migrate-run-1a2b3c",
    body: {
      Image: IMAGE_ID,
      Cmd: ["bin/rails", "db:migrate"],
      Env: [],
      Labels: {},
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: false,
      StdinOnce: false,
      Tty: false,
      HostConfig: { AutoRemove: false },
      ...body,
    },
    extraNetworks,
  };
}

const prefix = "docker run --rm --name shop-migrate-run-1a2b3c";

describe("dockerRunLine", () => {
  it.each<[string, ContainerSpec, string]>([
    ["a plain command", spec(), `${prefix} ${IMAGE_ID} bin/rails db:migrate`],
    [
      "-i for an interactive run",
      spec({ OpenStdin: true, AttachStdin: true, StdinOnce: true }),
      `${prefix} -i ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "env entries",
      spec({ Env: ["RAILS_ENV=production", "EMPTY="] }),
      `${prefix} -e RAILS_ENV=production -e EMPTY= ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "an env value with spaces quoted",
      spec({ Env: ["GREETING=hello world"] }),
      `${prefix} -e 'GREETING=hello world' ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "user and workdir",
      spec({ User: "1000:1000", WorkingDir: "/srv/app" }),
      `${prefix} --user 1000:1000 --workdir /srv/app ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "every network, the first and the extra ones",
      spec({ HostConfig: { NetworkMode: "backend", AutoRemove: false }, NetworkingConfig: { EndpointsConfig: { backend: {} } } }, [
        "cache",
        "metrics",
      ]),
      `${prefix} --network backend --network cache --network metrics ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "memory in its unit and CPUs as a decimal",
      spec({ HostConfig: { Memory: 536870912, NanoCpus: 1500000000, AutoRemove: false } }),
      `${prefix} --memory 512m --cpus 1.5 ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "a fraction of a CPU",
      spec({ HostConfig: { NanoCpus: 100000000, AutoRemove: false } }),
      `${prefix} --cpus 0.1 ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "labels, quoted when needed",
      spec({ Labels: { "io.oneoff.app": "shop", "io.oneoff.command": '["bin/rails","db:migrate"]' } }),
      `${prefix} --label io.oneoff.app=shop --label 'io.oneoff.command=["bin/rails","db:migrate"]' ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "a one-word entrypoint",
      spec({ Entrypoint: ["/docker-entrypoint.sh"] }),
      `${prefix} --entrypoint /docker-entrypoint.sh ${IMAGE_ID} bin/rails db:migrate`,
    ],
    [
      "a longer entrypoint split: the first word as --entrypoint, the rest before the command",
      spec({ Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo hi && exit 3"] }),
      `${prefix} --entrypoint /bin/sh ${IMAGE_ID} -c 'echo hi && exit 3'`,
    ],
    ["a cleared entrypoint as --entrypoint ''", spec({ Entrypoint: [""] }), `${prefix} --entrypoint '' ${IMAGE_ID} bin/rails db:migrate`],
    [
      "command arguments quoted for the shell",
      spec({ Cmd: ["sh", "-c", `echo "it's $HOME"`, ""] }),
      `${prefix} ${IMAGE_ID} sh -c 'echo "it'\\''s $HOME"' ''`,
    ],
  ])("prints %s", (_name, containerSpec, line) => {
    expect(dockerRunLine(containerSpec)).toBe(line);
  });

  it.each([
    ["whole gigabytes", 2 * 1024 ** 3, "2g"],
    ["whole megabytes", 1536 * 1024 ** 2, "1536m"],
    ["whole kilobytes", 640 * 1024, "640k"],
    ["bytes that fit no unit", 1536, "1536"],
    ["a single byte", 1, "1"],
  ])("prints a memory limit of %s as docker would take it", (_name, bytes, flag) => {
    const words = splitWords(dockerRunLine(spec({ HostConfig: { Memory: bytes, AutoRemove: false } })));
    expect(words[words.indexOf("--memory") + 1]).toBe(flag);
  });

  it("puts the flags in a fixed order before the image", () => {
    const line = dockerRunLine(
      spec(
        {
          OpenStdin: true,
          Env: ["A=1"],
          User: "app",
          WorkingDir: "/w",
          HostConfig: { NetworkMode: "n1", Memory: 1024, NanoCpus: 2e9, AutoRemove: false },
          NetworkingConfig: { EndpointsConfig: { n1: {} } },
          Labels: { l: "v" },
          Entrypoint: ["/e", "x"],
          Cmd: ["c"],
        },
        ["n2"],
      ),
    );
    expect(line).toBe(
      `${prefix} -i -e A=1 --user app --workdir /w --entrypoint /e --network n1 --network n2 --memory 1k --cpus 2 --label l=v ${IMAGE_ID} x c`,
    );
  });

  it.each([
    ["a secret name", "DB_PASSWORD=hunter2", "DB_PASSWORD=<redacted>"],
    ["a token", "GITHUB_TOKEN=ghp_abc", "GITHUB_TOKEN=<redacted>"],
    ["a URL password", "DATABASE_URL=postgres://shop:hunter2@db/shop", "DATABASE_URL=postgres://shop:<redacted>@db/shop"],
  ])("redacts %s", (_name, entry, shown) => {
    const line = dockerRunLine(spec({ Env: [entry] }));
    expect(line).not.toContain("hunter2");
    expect(line).not.toContain("ghp_abc");
    expect(splitWords(line)).toContain(shown);
  });

  it("does not change the spec's env when redacting", () => {
    const containerSpec = spec({ Env: ["API_TOKEN=t0ken"] });
    dockerRunLine(containerSpec);
    expect(containerSpec.body.Env).toEqual(["API_TOKEN=t0ken"]);
  });

  it("splits back into the same argv a shell would pass to docker", () => {
    const cmd = ["ruby", "-e", `puts "a b"; puts 'c'`, "$HOME", "*", "back\\slash", "new\nline"];
    const words = splitWords(dockerRunLine(spec({ Cmd: cmd, Env: ["MSG=it's here"], Labels: { note: "two words" } })));
    expect(words).toEqual([
      "docker",
      "run",
      "--rm",
      "--name",
      "shop-migrate-run-1a2b3c",
      "-e",
      "MSG=it's here",
      "--label",
      "note=two words",
      IMAGE_ID,
      ...cmd,
    ]);
  });
});
