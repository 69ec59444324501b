// How this project runs etcd, wherever it runs it (npm run up, the installer, the tests): one member on
// loopback, clients over TLS, and only clients with a certificate of the cluster CA (the apiserver's)
// admitted, as kubeadm sets etcd up.
import path from 'node:path';
import type { ClusterCredentials } from './pki/credentials';

export interface EtcdLayout {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  credentials: ClusterCredentials;
}

export const etcdURL = (clientPort: number) => `https://127.0.0.1:${clientPort}`;

export function etcdArgs(l: EtcdLayout): string[] {
  const server = l.credentials.certificate('etcd-server');
  const peer = `http://127.0.0.1:${l.peerPort}`;
  return [
    `--data-dir=${path.join(l.dataDir)}`,
    '--name=default',
    `--listen-client-urls=${etcdURL(l.clientPort)}`,
    `--advertise-client-urls=${etcdURL(l.clientPort)}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    `--cert-file=${server.cert}`,
    `--key-file=${server.key}`,
    '--client-cert-auth=true',
    `--trusted-ca-file=${l.credentials.caFile}`,
  ];
}

/** The apiserver's flags for reaching that etcd (kube-apiserver's own names). */
export function apiserverEtcdArgs(clientPort: number, credentials: ClusterCredentials): string[] {
  const client = credentials.certificate('apiserver-etcd-client');
  return [
    `--etcd-servers=${etcdURL(clientPort)}`,
    `--etcd-cafile=${credentials.caFile}`,
    `--etcd-certfile=${client.cert}`,
    `--etcd-keyfile=${client.key}`,
  ];
}
