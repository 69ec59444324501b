#!/usr/bin/env bash
# Builds the images the cluster and its tests use, from this machine's own files (no registry needed):
#   busybox:latest            FROM scratch + /usr/bin/busybox (Debian's busybox-static)
#   registry.k8s.io/pause:3.9 the pod infra container: holds the pod's network and IPC namespaces
#   mini-k8s/node:20          busybox plus the host's Node.js, for test workloads (a UDP echo server)
# Idempotent: images that exist are kept (FORCE=1 rebuilds).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
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
  [[ "$dockerfile" == node.Dockerfile ]] && node_rootfs "$ctx/rootfs"
  docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "image $tag: built"
}

# The host's node binary and the libraries it links, laid out as a root filesystem.
node_rootfs() {
  local root="$1" bin
  bin="$(readlink -f "$(command -v node)")"
  mkdir -p "$root/usr/bin"
  cp "$bin" "$root/usr/bin/node"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

[[ -x /usr/bin/busybox ]] || { echo "needs /usr/bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
build busybox:latest busybox.Dockerfile
build registry.k8s.io/pause:3.9 pause.Dockerfile
build mini-k8s/node:20 node.Dockerfile
