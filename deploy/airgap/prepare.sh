#!/usr/bin/env bash
# Everything `docker compose up` and the examples need, on a machine with a Docker engine and Debian's
# packages but no container registry: images built from this machine's own files, and a .env that points
# compose at them. Nothing is pulled.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
for bin in busybox etcd node; do
  command -v "$bin" >/dev/null || { echo "needs $bin on this machine (apt-get install busybox-static etcd-server nodejs)" >&2; exit 1; }
done
WITH_ETCD=1 bash "$root/deploy/images/build.sh"
cat > "$root/.env" <<ENV
NODE_IMAGE=mini-k8s/node:20
ETCD_IMAGE=mini-k8s/etcd:3.4
COMPOSE_DOCKER_CLI_BUILD=0
DOCKER_BUILDKIT=0
ENV
echo "ready: docker-compose up -d (or docker compose up -d)"
