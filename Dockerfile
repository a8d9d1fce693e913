# oneoff as an image, for pipelines:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/app" -w /app oneoff run migrate
# NODE_IMAGE names the usual public base, on Node 24, the current LTS (runs start fastest on
# it: see docs/benchmarks.md); offline builds pass a locally made one (test/setup/node-image.sh
# makes oneoff-test/node:24).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# The base images' unprivileged user; nothing here needs root.
USER node
ENV npm_config_update_notifier=false
WORKDIR /home/node
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
# No dependency's install script is needed: esbuild finds its binary without one, and the
# bundle leaves out ssh2's optional native parts.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --chown=node:node src ./src
RUN npm run build

FROM ${NODE_IMAGE}
WORKDIR /opt/oneoff
# The CLI is bundled (npm run bundle): its dependencies are inside dist/bundle, so the image
# needs no node_modules. package.json is there for the launcher's --version.
COPY --from=build /home/node/package.json ./
COPY --from=build /home/node/dist/bundle ./dist/bundle
COPY bin ./bin
# Talking to the engine's socket needs root or the socket's group; the group's ID differs
# from host to host, so the image runs as root unless told otherwise (docker run --user,
# with --group-add for the socket's group).
# The project mounted at /app belongs to the host's user, not to the container's root: its
# oneoff.yaml is trusted there (a config found by looking up is otherwise used only when
# owned by the user running oneoff, or root).
ENV ONEOFF_TRUSTED_DIRS=/app
# --no-maglev, as bin/oneoff.js's own first line: an exit that cannot deadlock (the comment there).
ENTRYPOINT ["node", "--no-maglev", "--", "/opt/oneoff/bin/oneoff.js"]
