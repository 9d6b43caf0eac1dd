#!/usr/bin/env bash
# What Desk's container image does, in one place: the Dockerfile runs these steps, and CI runs them without
# Docker (which cannot pull images there), so a broken production build or start is caught before any image.
#
#   build             full install, then the server (dist/), the web app (web/dist/) and the PGlite template
#   production-deps   production dependencies only, no install scripts (the runtime stage)
#   assemble DIR      what the runtime stage holds, in DIR: built output, migrations, bin/, production deps
#   check             build, assemble in a temporary folder, start it with production settings on PostgreSQL
#                     and Redis; /__heartbeat__ must answer 200, `desk migrate` must succeed, SIGTERM must exit 0
set -euo pipefail
cd "$(dirname "$0")/.."

# What the runtime stage copies from the build stage; the Dockerfile's COPY lines name the same.
RUNTIME_FILES=(package.json package-lock.json bin dist web/dist drizzle pglite-template)

build() {
  npm ci --no-audit --no-fund
  npm run build
}

production_deps() {
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund
}

assemble() {
  local dir=$1
  mkdir -p "$dir/web"
  for f in "${RUNTIME_FILES[@]}"; do cp -R "$f" "$dir/$f"; done
  (cd "$dir" && production_deps)
}

check() {
  local database_url=${CHECK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/desk_image_check}
  local redis_url=${CHECK_REDIS_URL:-redis://127.0.0.1:6379/9}
  local port=${CHECK_PORT:-8079}
  local dir
  dir=$(mktemp -d /tmp/desk-image.XXXXXX)
  npm run build
  assemble "$dir"
  echo "runtime folder: $(du -sh "$dir" | cut -f1) (node_modules $(du -sh "$dir/node_modules" | cut -f1))"
  test ! -e "$dir/src" || { echo "src/ must not be in the image" >&2; exit 1; }

  # A database of its own, dropped and made again: the check never touches data it did not create.
  local admin_url=${database_url%/*}/postgres
  node -e '
    const postgres = require(process.argv[1]);
    const name = new URL(process.argv[3]).pathname.slice(1);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error("bad database name " + name);
    const sql = postgres(process.argv[2], { max: 1, onnotice: () => {} });
    (async () => {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.unsafe(`CREATE DATABASE ${name}`);
      await sql.end();
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "$dir/node_modules/postgres/cjs/src/index.js" "$admin_url" "$database_url"

  # The settings production refuses to start without (DESIGN.md §1); the provider is only contacted at login.
  local -a settings=(
    NODE_ENV=production
    HOST=127.0.0.1
    PORT="$port"
    PUBLIC_URL="http://127.0.0.1:$port"
    SECRET_KEY=image-check-secret-key-0123456789abcdefghij
    DATABASE_URL="$database_url"
    REDIS_URL="$redis_url"
    OIDC_OP_URL=https://provider.invalid/realms/desk
    OIDC_RP_CLIENT_ID=desk
    OIDC_RP_CLIENT_SECRET=image-check
    EMAIL_HOST=127.0.0.1
  )
  (cd "$dir" && env "${settings[@]}" node bin/desk.js migrate)
  (cd "$dir" && exec env "${settings[@]}" node bin/desk.js start) >"$dir/desk.log" 2>&1 &
  local pid=$! status=000
  for _ in $(seq 1 100); do
    status=$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log("000"))' \
      "http://127.0.0.1:$port/__heartbeat__")
    [ "$status" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -TERM "$pid" 2>/dev/null || true
  local code=0
  wait "$pid" || code=$?
  if [ "$status" != 200 ] || [ "$code" != 0 ]; then
    echo "production start failed: /__heartbeat__ answered $status, exit code $code" >&2
    cat "$dir/desk.log" >&2
    exit 1
  fi
  echo "production start: /__heartbeat__ 200, migrate ok, SIGTERM exit 0 (built output in $dir)"
  rm -rf "$dir"
}

case "${1:-}" in
  build) build ;;
  production-deps) production_deps ;;
  assemble) assemble "${2:?usage: scripts/image.sh assemble DIR}" ;;
  check) check ;;
  *)
    echo "usage: scripts/image.sh build|production-deps|assemble DIR|check" >&2
    exit 2
    ;;
esac
