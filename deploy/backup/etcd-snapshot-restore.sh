#!/usr/bin/env bash
# Restores a control plane from an etcd snapshot (etcd-snapshot-save.sh): `etcdctl snapshot restore`
# writes a fresh etcd data directory holding the snapshot's keys, as a new one-member cluster, and the
# apiserver then serves exactly the objects of the snapshot (their uids and resourceVersions too). On an
# installed control plane, as root:
#
#   sudo deploy/backup/etcd-snapshot-restore.sh /root/mini-kubernetes-2026-12-02.db
#
# stops the control plane's units, keeps the current data directory as <dir>.before-restore-<time>,
# restores, and starts etcd and the other units again. On a machine that is not installed (or with
# --no-systemd) it only writes the data directory, for an etcd started by hand:
#
# --etcd-data-dir DIR     where etcd's data goes (default /var/lib/mini-kubernetes/etcd); must not exist
#                         with --no-systemd
# --name NAME             the member's name (default: default, as the installer names it)
# --initial-advertise-peer-urls URL   its peer URL (default http://127.0.0.1:2380)
# --no-systemd            do not stop or start any unit
# A cluster of several etcd members is restored by running this on each with its own --name and
# --initial-advertise-peer-urls and the same --initial-cluster (passed on to etcdctl).
set -euo pipefail

etcd_data_dir=/var/lib/mini-kubernetes/etcd
name=default
peer_url=http://127.0.0.1:2380
initial_cluster=""
systemd=auto
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --etcd-data-dir) etcd_data_dir="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --initial-advertise-peer-urls) peer_url="$2"; shift 2 ;;
    --initial-cluster) initial_cluster="$2"; shift 2 ;;
    --no-systemd) systemd=no; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) file="$1"; shift ;;
  esac
done
[ -n "$file" ] || { echo "usage: $0 [--etcd-data-dir DIR] [--name NAME] [--initial-advertise-peer-urls URL] [--no-systemd] <snapshot file>" >&2; exit 2; }
[ -f "$file" ] || { echo "$file: no such snapshot" >&2; exit 1; }
command -v etcdctl >/dev/null || { echo "etcdctl not found: apt-get install etcd-client" >&2; exit 1; }
: "${initial_cluster:=$name=$peer_url}"

# The control plane's units, etcd last to stop and first to start.
units=(mini-kubernetes-kube-proxy mini-kubernetes-controller-manager mini-kubernetes-scheduler mini-kubernetes-apiserver mini-kubernetes-etcd)
if [ "$systemd" = auto ]; then
  if command -v systemctl >/dev/null && systemctl cat mini-kubernetes-etcd.service >/dev/null 2>&1; then systemd=yes; else systemd=no; fi
fi

ETCDCTL_API=3 etcdctl snapshot status "$file" -w table
if [ "$systemd" = yes ]; then
  systemctl stop "${units[@]}"
  if [ -e "$etcd_data_dir" ]; then
    kept="$etcd_data_dir.before-restore-$(date +%Y%m%d%H%M%S)"
    mv "$etcd_data_dir" "$kept"
    echo "kept the previous data directory as $kept"
  fi
fi
[ ! -e "$etcd_data_dir" ] || { echo "$etcd_data_dir exists: restore writes a fresh data directory" >&2; exit 1; }
umask 077
ETCDCTL_API=3 etcdctl snapshot restore "$file" --data-dir="$etcd_data_dir" --name="$name" \
  --initial-cluster="$initial_cluster" --initial-advertise-peer-urls="$peer_url"
if [ "$systemd" = yes ]; then
  for ((i = ${#units[@]} - 1; i >= 0; i--)); do systemctl start "${units[i]}"; done
  echo "restored; the control plane is starting"
fi
