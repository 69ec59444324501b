#!/usr/bin/env bash
# Installs mini-kubernetes on a Debian/Ubuntu machine as systemd units. Running it again is harmless: the
# credentials are kept, the units rewritten and restarted.
#
#   control plane (etcd, apiserver, scheduler, controller-manager, kube-proxy):
#     sudo deploy/install.sh --role control-plane --advertise-address 192.168.56.10
#   it prints the join command, with a bootstrap token valid 24 h (--token-ttl), also kept for root only in
#   /var/lib/mini-kubernetes/join/join.sh; on each worker:
#     sudo deploy/install.sh --role worker --server https://192.168.56.10:6443 --token <id.secret> \
#          --discovery-token-ca-cert-hash sha256:<H> --advertise-address 192.168.56.11
#   bootstrap tokens, on the control plane (as kubeadm token):
#     sudo deploy/install.sh token create [--ttl 2h] [--print-join-command] | token list | token delete <id>
#   the cluster CA and keys for a control-plane machine that joins later, encrypted for two hours under a
#   printed certificate key (kubeadm init phase upload-certs --upload-certs):
#     sudo deploy/install.sh upload-certs [--certificate-key <64 hex>]
#   on each further control-plane machine (kubeadm join --control-plane; --control-plane is --role control-plane):
#     sudo deploy/install.sh --role control-plane --join https://192.168.56.10:6443 --token <id.secret> \
#          --discovery-token-ca-cert-hash sha256:<H> --certificate-key <K> --advertise-address 192.168.56.12
#   and to take one out again: sudo deploy/install.sh --role control-plane --leave
#
# Options after --role go to the installer (node dist/deploy/install/main.js <role> --help lists them).
# --join-dir DIR (control plane) also copies the join commands to DIR (the Vagrantfile's shared folder),
# readable by root only. Nothing that holds a token is written to a log.
# etcd serves clients on 127.0.0.1 and the advertise address (2379) and its peers there (2380), TLS with
# certificates of the cluster CA only; the apiserver on 6443 of the advertise address, kubelets on 10250
# and NodePorts on the node address, cluster DNS on its ClusterIP for pods and the machine only.
set -euo pipefail

install_dir=/opt/mini-kubernetes
data_dir=/var/lib/mini-kubernetes
if [ "${1:-}" = token ] || [ "${1:-}" = upload-certs ]; then
  [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
  exec node "$install_dir/dist/deploy/install/main.js" "$1" "${@:2}" --data-dir="$data_dir"
fi

role=""
join_dir=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role="$2"; shift 2 ;;
    # kubeadm join's --control-plane: this machine joins as another control plane (with --join).
    --control-plane) role=control-plane; shift ;;
    --join-dir) join_dir="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$role" in control-plane|worker) ;; *) echo "usage: $0 --role control-plane|worker [options]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

if [ "$role" = control-plane ] && [[ " ${args[*]} " == *" --leave "* ]]; then
  # The apiserver stops first (it takes itself out of the kubernetes endpoints); etcd runs until its
  # member is removed, asking itself; then the units and the data go.
  for c in kube-proxy controller-manager scheduler apiserver; do systemctl stop "mini-kubernetes-$c.service" 2>/dev/null || true; done
  out=$(node "$install_dir/dist/deploy/install/main.js" control-plane --data-dir="$data_dir" "${args[@]}")
  echo "$out"
  for u in $(sed -n 's/^units: //p' <<<"$out"); do
    systemctl disable --now "$u.service" >/dev/null 2>&1 || true
    rm -f "/etc/systemd/system/$u.service"
  done
  systemctl daemon-reload
  rm -rf "$data_dir"
  exit 0
fi

src="$(cd "$(dirname "$0")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

packages=(ca-certificates iproute2 iptables curl)
command -v node >/dev/null || packages+=(nodejs npm)
if [ "$role" = control-plane ]; then
  command -v etcd >/dev/null || packages+=(etcd-server)
else
  command -v docker >/dev/null || packages+=(docker.io)
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -q && apt-get install -y -q "${missing[@]}"; fi
# Debian's etcd package starts its own etcd on 2379: ours replaces it.
if [ "$role" = control-plane ] && systemctl list-unit-files etcd.service >/dev/null 2>&1; then systemctl disable --now etcd.service >/dev/null 2>&1 || true; fi
if [ "$role" = worker ]; then systemctl enable --now docker.service; fi

# The project, built once in the checkout, then copied where the units run it from.
if [ ! -f "$src/dist/deploy/install/main.js" ]; then (cd "$src" && npm ci --no-audit --no-fund && npm run build); fi
mkdir -p "$install_dir"
cp -a "$src/package.json" "$src/dist" "$src/node_modules" "$install_dir/"

out=$(node "$install_dir/dist/deploy/install/main.js" "$role" --install-dir="$install_dir" --data-dir="$data_dir" "${args[@]}")
echo "$out"
units=$(sed -n 's/^units: //p' <<<"$out")
systemctl daemon-reload
for u in $units; do systemctl enable "$u.service" >/dev/null 2>&1; systemctl restart "$u.service"; done

if [ "$role" = control-plane ]; then
  node "$install_dir/dist/deploy/install/main.js" bootstrap-token --data-dir="$data_dir" "${args[@]}"
  if [ -n "$join_dir" ]; then
    install -d -m 0700 "$join_dir"
    for f in join.sh control-plane-join.sh; do [ ! -f "$data_dir/join/$f" ] || install -m 0600 "$data_dir/join/$f" "$join_dir/$f"; done
  fi
  echo "admin kubeconfig: $data_dir/kubeconfig (read-only: $data_dir/kubeconfig-viewer)"
fi
