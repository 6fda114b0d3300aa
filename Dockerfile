# One recipe for every image: each service, the Twilio simulator and the migrate command.
#   docker build --build-arg APP=ingest-gateway -t sms-survey/ingest-gateway .
#   APP: ingest-gateway | survey-orchestrator | sms-dispatcher | insights-sync | twilio-simulator | migrate
# Works with BuildKit and with the legacy builder. docs/containers.md describes the images.
#
# The build stages take no build argument, so they are built once and shared by all six images: they install
# the workspace with the ordinary `npm ci`, bundle every app with esbuild (our libraries compiled in) and put
# next to each bundle only the npm packages it loads at run time (tools/runtime-deps.mjs). The final stage is
# the Node image plus one folder, /app, run as the image's unprivileged user `node` (uid 1000).

# Only the package manifests, so that `npm ci` below is redone only when they change.
FROM node:24-bookworm-slim AS manifests
WORKDIR /repo
COPY . .
RUN mkdir /manifests && find . -name package.json -o -name package-lock.json -o -name .npmrc | xargs cp -p --parents -t /manifests

FROM node:24-bookworm-slim AS build
WORKDIR /repo
COPY --from=manifests /manifests ./
RUN npm_config_update_notifier=false npm ci --no-audit --no-fund && rm -rf /root/.npm
COPY . .
# For every app bundled by tools/build-app.mjs: apps/<app>/dist (bundle, source map, and for migrate the Prisma config,
# schema and migrations) and its run-time packages, assembled in /out/app-<app>; in /out/root-<app> what its image
# has outside /app (empty but for the gateway's). The gateway also gets the survey console (apps/console, built by
# Vite) at /console/dist: where routes/console.ts looks for it from /app/dist/main.js (../../console/dist).
RUN set -e; \
    (cd libs/db && DATABASE_URL=postgresql://build@localhost/build /repo/node_modules/.bin/prisma generate --config prisma.config.ts >/dev/null); \
    for dir in apps/*/; do \
      app=$(basename "$dir"); \
      node -e "process.exit(/build-app\.mjs/.test(require('./${dir}package.json').scripts?.build) ? 0 : 1)" || continue; \
      (cd "$dir" && npm run --silent build -- --target=node24 --metafile="/tmp/$app.meta.json"); \
      node tools/runtime-deps.mjs --app="$dir" --metafile="/tmp/$app.meta.json" --out="/out/app-$app"; \
      cp -r "${dir}dist" "/out/app-$app/dist"; \
      mkdir -p "/out/root-$app"; \
    done; \
    mkdir -p /out/app-ingest-gateway/surveys && cp examples/surveys/*.json /out/app-ingest-gateway/surveys/; \
    (cd apps/console && npm run --silent build -- --logLevel warn); \
    test -f apps/console/dist/index.html; \
    mkdir -p /out/root-ingest-gateway/console && cp -r apps/console/dist /out/root-ingest-gateway/console/dist

FROM node:24-bookworm-slim
# Everything but the COPY is the same for all six images (and built once): only /app differs.
ARG APP
# HOST, SIMULATOR_HOST: listen on every interface of the container, not only its loopback.
ENV NODE_ENV=production HOST=0.0.0.0 SIMULATOR_HOST=0.0.0.0
WORKDIR /app
USER node
# Arguments are the app's: `docker run sms-survey/migrate topics`. kafkajs 2.2.4 sets a negative timeout when
# its request queue is idle, which Node 24 (not 20) reports as a TimeoutNegativeWarning on stderr; Node then
# waits 1 ms, as before, so the warning says nothing and would only break the JSON log stream.
ENTRYPOINT ["node", "--enable-source-maps", "--disable-warning=TimeoutNegativeWarning", "/app/dist/main.js"]
# Owned by root: the app's user cannot change its own code.
COPY --from=build /out/app-${APP} /app
# Outside /app: for the gateway the console's build in /console/dist; nothing for the other images.
COPY --from=build /out/root-${APP}/ /
