#!/usr/bin/env bash
# Builds the images the cluster and its tests use, from this machine's own files (no registry needed):
#   busybox:latest            FROM scratch + /usr/bin/busybox (Debian's busybox-static)
#   registry.k8s.io/pause:3.9 the pod infra container: holds the pod's network and IPC namespaces
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
  docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "image $tag: built"
}

[[ -x /usr/bin/busybox ]] || { echo "needs /usr/bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
build busybox:latest busybox.Dockerfile
build registry.k8s.io/pause:3.9 pause.Dockerfile
