# One image recipe for every service: docker build --build-arg APP=ingest-gateway -t sms-survey/ingest-gateway .
# The app is bundled with esbuild (our libraries compiled in); node_modules holds only production packages.
FROM node:20-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json .npmrc ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY tsconfig.base.json nx.json ./
RUN npm ci --no-audit --no-fund
ARG APP
RUN cd libs/db && DATABASE_URL=postgresql://build@localhost/build npx prisma generate --config prisma.config.ts \
 && cd /repo/apps/${APP} && node ../../tools/build-app.mjs

FROM node:20-bookworm-slim AS deps
WORKDIR /repo
COPY package.json package-lock.json .npmrc ./
COPY apps apps
COPY libs libs
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /repo/node_modules ./node_modules
COPY --from=build /repo/apps/${APP}/dist ./dist
USER node
CMD ["node", "--enable-source-maps", "dist/main.js"]
