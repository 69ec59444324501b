#!/usr/bin/env bash
# Builds the images the cluster and its tests use, from this machine's own files (no registry needed):
#   busybox:latest            FROM scratch + /usr/bin/busybox (Debian's busybox-static), also
#                             tagged busybox:1.36, the tag the seed examples name
#   registry.k8s.io/pause:3.9 the pod infra container: holds the pod's network and IPC namespaces
#   mini-k8s/node:20          busybox plus the host's Node.js, npm and ip: test workloads (a UDP echo
#                             server) and the base of the cluster's own image with no registry
#   mini-k8s/etcd:3.4         the host's etcd (WITH_ETCD=1; for docker compose with no registry)
#   mini-k8s/dashboard:dev    mini-k8s/node:20 plus the bundled dashboard of this checkout (dist/dashboard-image,
#                             from `npm run build`): the dashboard add-on (deploy/addons/dashboard.yaml)
# Idempotent: images that exist are kept (FORCE=1 rebuilds), except the dashboard's, made again each time
# from the current build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DOCKER_BUILDKIT=0

build() {
  local tag="$1" dockerfile="$2"
  if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$tag" >/dev/null 2>&1; then
    echo "image $tag: present"
    return
  fi
  local ctx
  ctx="$(mktemp -d)"
  cp /usr/bin/busybox "$ctx/busybox"
  cp "$here/$dockerfile" "$ctx/Dockerfile"
  case "$dockerfile" in
    node.Dockerfile) binaries_rootfs "$ctx/rootfs" node ip; npm_rootfs "$ctx/rootfs" ;;
    etcd.Dockerfile) binaries_rootfs "$ctx/rootfs" etcd ;;
    dashboard.Dockerfile) cp -r "$root/dist/dashboard-image" "$ctx/app" ;;
  esac
  docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "image $tag: built"
}

# Host binaries and the libraries they link, laid out as a root filesystem.
binaries_rootfs() {
  local root="$1" bin path
  shift
  for bin in "$@"; do
    path="$(readlink -f "$(command -v "$bin")")"
    mkdir -p "$root/usr/bin"
    cp "$path" "$root/usr/bin/$bin"
    for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# npm, so the image can also build the project (deploy/Dockerfile runs `npm ci`).
npm_rootfs() {
  local root="$1"
  mkdir -p "$root/usr/lib/node_modules"
  cp -r /usr/lib/node_modules/npm "$root/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  ln -sf /bin/busybox "$root/usr/bin/env" # for npm's `#!/usr/bin/env node`
  # The machine's CA bundle, so npm trusts what the host trusts (a proxy's CA, for one).
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
}

[[ -x /usr/bin/busybox ]] || { echo "needs /usr/bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
build busybox:latest busybox.Dockerfile
# The seed examples (deploy/examples) name busybox:1.36 as Docker Hub does: the same local image.
docker tag busybox:latest busybox:1.36 >/dev/null
build registry.k8s.io/pause:3.9 pause.Dockerfile
build mini-k8s/node:20 node.Dockerfile
if [[ "${WITH_ETCD:-0}" == 1 ]]; then build mini-k8s/etcd:3.4 etcd.Dockerfile; fi
if [[ -f "$root/dist/dashboard-image/main.js" ]]; then
  FORCE=1 build mini-k8s/dashboard:dev dashboard.Dockerfile
else
  echo "image mini-k8s/dashboard:dev: skipped (npm run build first)"
fi
