# Carewatch service image. Build: docker build -t carewatch .   Run: see helm/carewatch.
# Stage 1 compiles the TypeScript with the dev dependencies; stage 2 carries only production
# dependencies and the compiled output, and runs as a non-root user.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY service ./service
COPY db ./db
COPY alerts/src ./alerts/src
COPY dashboards ./dashboards
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=8
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The `node` user of the base image, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
# Kubernetes probes /readyz and /healthz itself; this is for `docker run` and compose. Node's fetch, since the
# slim image has no curl. The image writes nothing outside /tmp, so it runs on a read-only root filesystem
# (`docker run --read-only --tmpfs /tmp`, readOnlyRootFilesystem in the chart).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --import loads the OpenTelemetry patches before the service imports http, pg and ioredis (see package.json
# "start"); without it TRACING_ENABLED has no effect. --max-semi-space-size=32 (MB, V8's default 16) halves
# the young-generation collections a busy instance runs, for up to 48 MB more heap: loadtests/reports/hot-paths.md.
CMD ["node", "--enable-source-maps", "--max-semi-space-size=32", "--import", "./dist/service/src/instrumentation.js", "dist/service/src/main.js"]
