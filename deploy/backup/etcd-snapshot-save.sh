#!/usr/bin/env bash
# Takes a snapshot of the cluster's etcd: every object the apiserver stores, at one revision, in one file
# (`etcdctl snapshot save`, as Kubernetes documents the backup of a control plane). Run on a
# control-plane machine, as root (it reads the apiserver's etcd client certificate):
#
#   sudo deploy/backup/etcd-snapshot-save.sh /root/mini-kubernetes-$(date +%F).db
#
# --data-dir DIR   the installation's state (default /var/lib/mini-kubernetes): pki/ca.crt and the
#                  client certificate pki/apiserver-etcd-client.crt etcd admits
# --endpoint URL   etcd's client URL (default https://127.0.0.1:2379)
# The file holds every Secret: keep it as you keep the CA's key. etcdctl is Debian's etcd-client.
set -euo pipefail

data_dir=/var/lib/mini-kubernetes
endpoint=https://127.0.0.1:2379
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    --endpoint) endpoint="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) file="$1"; shift ;;
  esac
done
[ -n "$file" ] || { echo "usage: $0 [--data-dir DIR] [--endpoint URL] <snapshot file>" >&2; exit 2; }
command -v etcdctl >/dev/null || { echo "etcdctl not found: apt-get install etcd-client" >&2; exit 1; }

pki="$data_dir/pki"
umask 077
ETCDCTL_API=3 etcdctl --endpoints="$endpoint" --cacert="$pki/ca.crt" \
  --cert="$pki/apiserver-etcd-client.crt" --key="$pki/apiserver-etcd-client.key" snapshot save "$file"
ETCDCTL_API=3 etcdctl snapshot status "$file" -w table
