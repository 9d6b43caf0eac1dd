# syntax=docker/dockerfile:1
# Desk's production image: built in one stage, run from a slim one as a non-root user on a read-only root filesystem.
#
#   docker build -t desk --build-arg COMMIT="$(git rev-parse HEAD)" --build-arg VERSION=0.1.0 .
#   docker run --rm --env-file desk.env desk migrate          # apply migrations, exit
#   docker run -p 8071:8071 --env-file desk.env --read-only --tmpfs /tmp desk
#
# Settings come from the environment at run time (`desk settings` lists them); no secret is baked in.
#
# Size: node:24-slim (Node 24, the LTS Desk supports; its node binary alone is 122 MB) plus the production
# node_modules, 182 MB (`scripts/image.sh check` prints it: `npm ci --omit=dev --ignore-scripts`, the web app's build
# tools being devDependencies), dist/ with web/dist/, about 1.5 MB, and the PGlite template (pglite-template/), 40 MB.
# It was about 430 MB on node:22-slim; CI has no Docker to measure it again.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS builder
WORKDIR /build
COPY . .
# npm ci, then the server (dist/), the web app (web/dist/) and the PGlite template (pglite-template/).
RUN --mount=type=cache,target=/root/.npm bash scripts/image.sh build

FROM ${NODE_IMAGE} AS runtime

# HOST: Desk listens on every interface of the container. DESK_DATA_DIR: only used without DATABASE_URL (a quick
# `docker run` on embedded PGlite); /tmp is the one writable place when the root filesystem is read-only.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8071 \
    DESK_DATA_DIR=/tmp/desk

WORKDIR /app

# uid/gid 10001: above every system and image-defined id, and what deploy/kubernetes sets as runAsUser.
# /usr/local/bin/desk: so `desk migrate` works in `docker run` and Kubernetes Jobs; exec keeps node as PID 1.
RUN groupadd --system --gid 10001 desk \
 && useradd --system --uid 10001 --gid desk --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin desk \
 && printf '#!/bin/sh\nexec node /app/bin/desk.js "$@"\n' > /usr/local/bin/desk \
 && chmod 0755 /usr/local/bin/desk

COPY package.json package-lock.json ./
COPY scripts/image.sh scripts/image.sh
# npm ci --omit=dev --ignore-scripts: runtime dependencies only, no build step.
RUN --mount=type=cache,target=/root/.npm bash scripts/image.sh production-deps

# The built output only: without src/, bin/desk.js runs dist/cli.js. Files stay root-owned, so Desk cannot change them.
COPY --from=builder /build/dist ./dist
COPY --from=builder /build/web/dist ./web/dist
COPY --from=builder /build/drizzle ./drizzle
# The data folder a fresh DESK_DATA_DIR starts from (embedded PGlite only; about 40 MB), made by `npm run build`.
COPY --from=builder /build/pglite-template ./pglite-template
COPY --from=builder /build/bin ./bin
COPY --from=builder /build/package.json ./package.json
# Declared this late because every RUN after an ARG misses the cache when its value changes: a new commit must not
# reinstall the dependencies.
ARG NODE_IMAGE
ARG COMMIT=""
ARG VERSION="dev"
# The config route's COMMIT (src/platform/release.ts): the image has no .git to read it from.
RUN if [ -n "$COMMIT" ]; then printf '%s\n' "$COMMIT" > COMMIT; fi
LABEL org.opencontainers.image.title="Desk" \
      org.opencontainers.image.description="People and teams for the public sector (a TypeScript re-creation of suitenumerique/people)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

USER 10001:10001
EXPOSE 8071

# Liveness only (/__lbheartbeat__): a database outage must not get a healthy container restarted.
# The slim image has no curl; Node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8071)+'/__lbheartbeat__').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["desk"]
CMD ["start"]
