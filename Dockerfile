# oneoff as an image, for pipelines:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/app" -w /app oneoff run migrate
# NODE_IMAGE names the usual public base; offline builds pass a locally made one.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE}
WORKDIR /opt/oneoff
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
# Talking to the engine's socket needs root or the socket's group; the group's ID differs
# from host to host, so the image runs as root unless told otherwise (docker run --user).
ENTRYPOINT ["node", "--", "/opt/oneoff/bin/oneoff.js"]
