# syntax=docker/dockerfile:1
# The image of every Node service, chosen by the build argument SERVICE (the workspace folder
# services/<SERVICE>; the MediaMTX API emulator is SERVICE=mediamtx-test SERVICE_DIR=mediamtx-test).
# Build from the repository root:
#   docker build --build-arg SERVICE=collector -t mmon-collector .
# The dashboard's nginx image is services/web/Dockerfile.
ARG NODE_IMAGE=node:20-bookworm-slim

# The sources of every workspace (.dockerignore keeps tests, builds and installs out).
FROM ${NODE_IMAGE} AS sources
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY services services
COPY mediamtx-test mediamtx-test
# npm ci checks package-lock.json against every workspace listed in the root package.json, so it
# needs all their manifests; only they are taken along, so npm ci reruns only when one changes.
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find services mediamtx-test -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# npm ci runs here (build and deps). A C/C++ toolchain for native modules whose prebuilt binary does
# not load on the build machine: node-gyp-build then compiles them (argon2's prebuilt binary crashes
# on some x86-64 CPUs), against the image's own Node headers (/usr/local/include/node), so nothing
# is downloaded. The runtime stage carries only the result.
FROM ${NODE_IMAGE} AS manifests
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY --from=sources /manifests ./

# Compiles every TypeScript project and the dashboard's chart library once, with the repository's
# tsc. Nothing here depends on SERVICE, so all images share this stage (one build, one cache).
FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY --from=sources /app ./
RUN npx tsc -b
RUN npm run build -w @mmon/web

# Production dependencies of this workspace only; node_modules/@mmon/shared is a symlink to
# services/shared, whose compiled dist comes with the service's files below.
FROM manifests AS deps
ARG SERVICE
RUN test -n "$SERVICE" \
 && npm ci --omit=dev --workspace "@mmon/$SERVICE" --include-workspace-root=false --no-audit --no-fund \
 && npm cache clean --force

# What the service runs: services/shared/dist (also the heartbeat healthcheck), its own dist, and
# for the api the dashboard it serves (services/api/dist/../../web/public, vendor/ included).
FROM build AS files
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
RUN mkdir /out \
 && cp -r --parents services/shared/dist "$SERVICE_DIR/dist" /out/ \
 && if [ "$SERVICE" = api ]; then cp -r --parents services/web/public /out/; fi

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
# The snapshotter spawns ffmpeg once per stream and capture (compose runs it with `init: true`, so
# an init process reaps ffmpeg children that outlive a killed capture).
RUN if [ "$SERVICE" = snapshotter ]; then \
      apt-get update \
   && apt-get install -y --no-install-recommends ffmpeg \
   && rm -rf /var/lib/apt/lists/*; \
    fi
ENV NODE_ENV=production SERVICE_MAIN=${SERVICE_DIR}/dist/main.js
WORKDIR /app
COPY --from=deps /app ./
COPY --from=files /out ./
USER node
# exec: node replaces the shell, so SIGTERM from `docker stop` (through the init process) reaches
# the service, which closes its connections and exits 0.
CMD ["sh", "-c", "exec node \"$SERVICE_MAIN\""]
