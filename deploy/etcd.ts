// How this project runs etcd, wherever it runs it (npm run up, the installer, the tests): clients over TLS,
// and only clients with a certificate of the cluster CA (the apiserver's) admitted, as kubeadm sets etcd
// up. Alone, one member on loopback; on a control-plane machine of several, a member that also serves
// clients and its peers on the machine's address, peers over TLS with certificates of the same CA.
import path from 'node:path';
import type { ClusterCredentials } from './pki/credentials';

export interface EtcdLayout {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  credentials: ClusterCredentials;
  /** A member of a cluster over several machines; none: a lone member on loopback. */
  member?: EtcdMachineMember;
}

export interface EtcdMachineMember {
  /** The member's name (the machine's node name, as kubeadm names it). */
  name: string;
  /** The machine's address on the cluster network. */
  ip: string;
  /** `name=peerURL,...`: itself alone for the first member, every member for one that joins. */
  initialCluster: string;
  initialClusterState: 'new' | 'existing';
}

export const etcdURL = (clientPort: number, host = '127.0.0.1') => `https://${host}:${clientPort}`;
export const etcdPeerURL = (ip: string, peerPort: number) => `https://${ip}:${peerPort}`;

export function etcdArgs(l: EtcdLayout): string[] {
  const server = l.credentials.certificate('etcd-server');
  const tls = [
    `--cert-file=${server.cert}`,
    `--key-file=${server.key}`,
    '--client-cert-auth=true',
    `--trusted-ca-file=${l.credentials.caFile}`,
  ];
  if (!l.member) {
    const peer = `http://127.0.0.1:${l.peerPort}`;
    return [
      `--data-dir=${path.join(l.dataDir)}`,
      '--name=default',
      `--listen-client-urls=${etcdURL(l.clientPort)}`,
      `--advertise-client-urls=${etcdURL(l.clientPort)}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      ...tls,
    ];
  }
  const { name, ip, initialCluster, initialClusterState } = l.member;
  const peerCert = l.credentials.certificate('etcd-peer');
  const peer = etcdPeerURL(ip, l.peerPort);
  return [
    `--data-dir=${path.join(l.dataDir)}`,
    `--name=${name}`,
    `--listen-client-urls=${etcdURL(l.clientPort)},${etcdURL(l.clientPort, ip)}`,
    `--advertise-client-urls=${etcdURL(l.clientPort, ip)}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${initialClusterState}`,
    ...tls,
    `--peer-cert-file=${peerCert.cert}`,
    `--peer-key-file=${peerCert.key}`,
    '--peer-client-cert-auth=true',
    `--peer-trusted-ca-file=${l.credentials.caFile}`,
  ];
}

/** The apiserver's flags for reaching etcd (kube-apiserver's own names): the local member, or `servers`. */
export function apiserverEtcdArgs(clientPort: number, credentials: ClusterCredentials, servers = [etcdURL(clientPort)]): string[] {
  const client = credentials.certificate('apiserver-etcd-client');
  return [
    `--etcd-servers=${servers.join(',')}`,
    `--etcd-cafile=${credentials.caFile}`,
    `--etcd-certfile=${client.cert}`,
    `--etcd-keyfile=${client.key}`,
  ];
}
