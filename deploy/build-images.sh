#!/usr/bin/env bash
# Builds Proconsul's images from the host's monorepo, with no registry: builds the workspaces
# (turbo, cached), stages each image's production tree into deploy/.stage/<target> (built dist/
# + production node_modules, see stage.mjs), then `docker build`s deploy/Dockerfile per target.
# Usage: deploy/build-images.sh [tag]      (default tag: local)
#   BASE_IMAGE=...            base image (default proconsul/base:bookworm-node20, from base-image/build.sh)
#   PROCONSUL_SKIP_BUILD=1    use the dist/ folders as they are (no turbo build)
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$deploy")
TAG=${1:-local}
BASE_IMAGE=${BASE_IMAGE:-proconsul/base:bookworm-node20}

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "base image $BASE_IMAGE not found: build it with deploy/base-image/build.sh" >&2
  exit 1
fi

# target -> the workspace whose production tree it runs
declare -A workspace=(
  [agent]=@proconsul/cli
  [registrator]=@proconsul/registrator
  [lb]=@proconsul/template
  [web-demo]=@proconsul/web-demo
)
targets=(agent registrator lb web-demo)

mkdir -p "$deploy/.stage"
# One build at a time: the stage directory is shared.
exec 9>"$deploy/.stage/.lock"
flock 9

cd "$root"
if [ -z "${PROCONSUL_SKIP_BUILD:-}" ]; then
  filters=()
  for t in "${targets[@]}"; do filters+=("--filter=${workspace[$t]}"); done
  echo "building workspaces: ${filters[*]}"
  out=$(TURBO_TELEMETRY_DISABLED=1 npx turbo run build "${filters[@]}" --output-logs=errors-only 2>&1) \
    || { echo "$out" >&2; echo "workspace build failed" >&2; exit 1; }
fi
for t in "${targets[@]}"; do
  node "$deploy/stage.mjs" "$deploy/.stage/$t" "${workspace[$t]}"
done
for t in "${targets[@]}"; do
  # Quiet unless it fails (the legacy builder's deprecation notice is noise here).
  out=$(docker build -f "$deploy/Dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE" --target "$t" -t "proconsul/$t:$TAG" "$deploy" 2>&1) \
    || { echo "$out" >&2; echo "docker build --target $t failed" >&2; exit 1; }
  echo "built proconsul/$t:$TAG ($(docker image inspect -f '{{.Size}}' "proconsul/$t:$TAG" | awk '{printf "%d MB", $1/1e6}'))"
done
