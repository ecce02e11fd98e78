#!/usr/bin/env bash
# Builds Proconsul's images from the host's monorepo, with no registry: builds the workspaces
# (turbo, cached), stages each image's production tree into deploy/.stage/<target> (built dist/
# + production node_modules, see stage.mjs), then `docker build`s deploy/Dockerfile per target
# with TREE=staged. An image is rebuilt only when what goes into it changed: the content hash
# of its staged tree, the Dockerfile, .dockerignore, the lb files (lb only), acl-init.mjs
# (agent only) and the base image
# is its label org.proconsul.tree, compared before building.
# Usage: deploy/build-images.sh [tag]      (default: $PROCONSUL_TAG, else deploy/.env's PROCONSUL_TAG)
#   BASE_IMAGE=...            base image (default proconsul/base:bookworm-node20, from base-image/build.sh;
#                             node:20-bookworm-slim works too where it can be pulled)
#   PROCONSUL_SKIP_BUILD=1    use the dist/ folders as they are (no turbo build)
#   FORCE=1                   build even when the hash matches
#   PROCONSUL_TREE=source     build inside Docker from the checkout (npm ci there; needs an npm
#                             registry and a base with npm) instead of host-staged trees: for a
#                             host whose node_modules do not fit the image (macOS, another CPU)
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$deploy")
# deploy/.env is the one place the tag is set for compose, swarm and this script.
env_tag=$(sed -n 's/^PROCONSUL_TAG=//p' "$deploy/.env")
TAG=${1:-${PROCONSUL_TAG:-$env_tag}}
[ -n "$TAG" ] || { echo "no image tag: deploy/.env sets no PROCONSUL_TAG" >&2; exit 1; }
BASE_IMAGE=${BASE_IMAGE:-proconsul/base:bookworm-node20}

base_id=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE" 2>/dev/null) || {
  echo "base image $BASE_IMAGE not found: build it with deploy/base-image/build.sh (or docker pull it)" >&2
  exit 1
}

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

TREE=${PROCONSUL_TREE:-staged}
case "$TREE" in staged|source) ;; *) echo "PROCONSUL_TREE must be staged or source, not $TREE" >&2; exit 1 ;; esac

cd "$root"
if [ "$TREE" = source ]; then :
elif [ -z "${PROCONSUL_SKIP_BUILD:-}" ]; then
  filters=()
  for t in "${targets[@]}"; do filters+=("--filter=${workspace[$t]}"); done
  echo "building workspaces: ${filters[*]}"
  out=$(TURBO_TELEMETRY_DISABLED=1 npx turbo run build "${filters[@]}" --output-logs=errors-only 2>&1) \
    || { echo "$out" >&2; echo "workspace build failed" >&2; exit 1; }
fi
if [ "$TREE" = staged ]; then
  # The four trees are staged side by side (mostly file copies).
  pids=()
  for t in "${targets[@]}"; do
    node "$deploy/stage.mjs" "$deploy/.stage/$t" "${workspace[$t]}" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { echo "staging failed" >&2; exit 1; }; done
fi
# TREE=source: the sources the build reads (what .dockerignore lets through, roughly).
source_files() {
  find package.json package-lock.json turbo.json tsconfig.base.json packages apps deploy/stage.mjs \
    \( -name node_modules -o -name dist -o -name .turbo \) -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}
# What goes into the image of target $1, as one hash.
tree_hash() {
  {
    echo "$base_id"
    cat "$deploy/Dockerfile" "$root/.dockerignore"
    if [ "$1" = lb ]; then (cd "$deploy/lb" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); fi
    if [ "$1" = agent ]; then sha256sum "$deploy/acl-init.mjs"; fi
    if [ "$TREE" = source ]; then echo source; source_files
    else (cd "$deploy/.stage/$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); fi
  } | sha256sum | cut -c1-20
}
for t in "${targets[@]}"; do
  image="proconsul/$t:$TAG"
  hash=$(tree_hash "$t")
  current=$(docker image inspect -f '{{index .Config.Labels "org.proconsul.tree"}}' "$image" 2>/dev/null || true)
  if [ -z "${FORCE:-}" ] && [ "$hash" = "$current" ]; then
    echo "$image is up to date (tree $hash)"
    continue
  fi
  [ "$TREE" = source ] && echo "building $image inside Docker (npm ci and the workspace build run there)"
  # The context is the repository root (.dockerignore keeps host build output out, but lets
  # deploy/.stage in). Quiet unless it fails (the classic builder's deprecation notice is noise).
  out=$(docker build -f "$deploy/Dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "TREE=$TREE" \
    --label "org.proconsul.tree=$hash" --target "$t" -t "$image" "$root" 2>&1) \
    || { echo "$out" >&2; echo "docker build --target $t failed" >&2; exit 1; }
  echo "built $image (tree $hash, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}'))"
done
