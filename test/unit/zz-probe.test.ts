import { it } from "vitest";
import { parseConfigFile } from "../../src/config/file.js";
const t = `app: shop
image: registry.example.com/shop
release: \${RELEASE:-v1}
env:
  RAILS_ENV: production
  PORT: 3000
  DEBUG: false
  FROM_HOST:
  NOT_ON_HOST:
env_file: .env
network: backend
user: app
workdir: /srv
entrypoint: ""
memory: 512m
cpus: 1.5
labels:
  team: payments
pull: always
stop_timeout: 30
tasks:
  migrate: bin/rails db:migrate
  seed: [bin/seed, "--count", 10]
  console:
    command: bin/rails console
    description: open a console
    env:
      X: y
    networks: [a, b]
    entrypoint: [/bin/sh, -c]
    memory: 1g
    cpus: 2
    user: root
    workdir: /tmp
    labels: {k: v}
    env_file: [t1.env, t2.env]
`;
it("x", () => {
  const r = parseConfigFile(t, { path: "/p/shop/oneoff.yaml", displayPath: "oneoff.yaml", env: { FROM_HOST: "h" } });
  console.log("RES", JSON.stringify(r, null, 1));
});
