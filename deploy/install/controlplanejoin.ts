// Joining another control-plane machine, as `kubeadm join --control-plane --certificate-key K` does:
//   1. discovery, as a worker's (join.ts): cluster-info signed with the token, its CA matching the pin;
//   2. the CA, its key and the static tokens from kube-system/kubeadm-certs, read with the bootstrap token
//      over TLS verified with that CA and decrypted with the certificate key (uploadcerts.ts);
//   3. its own certificates from that CA (apiserver serving, etcd server and peer, the etcd client);
//   4. itself as a new etcd member (MemberAdd on the etcd of the machine it joins, with its own client
//      certificate, etcdmembers.ts); its etcd then starts with the member list etcd answered and
//      --initial-cluster-state=existing, and catches up from the others.
// Its apiserver uses every member; its components' kubeconfigs list every apiserver.
// Run again, it keeps what it has: no second download (the Secret expires), no second member.
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '../../shared/client';
import { etcdPeerURL, etcdURL } from '../etcd';
import { CredentialOptions, credentialPaths, ensureClusterCredentials } from '../pki/credentials';
import {
  addMember,
  clientURLs,
  EtcdTLS,
  initialCluster,
  listMembers,
  memberWithPeerURL,
  retryWhileReconfigurationRefused,
} from './etcdmembers';
import { caCertHash, discover, DiscoveryOptions } from './join';
import { ControlPlaneOptions, ETCD_CLIENT_PORT, ETCD_PEER_PORT } from './units';
import { downloadCerts, HANDED_OVER_FILES } from './uploadcerts';

export const APISERVER_PORT = 6443;

export interface ControlPlaneJoinOptions extends DiscoveryOptions {
  certificateKey: string;
  /** This machine's etcd member name and address. */
  name: string;
  ip: string;
}

/** The apiservers of the machines whose etcd members serve these client URLs (each runs both). */
export const apiserversOf = (etcdServers: string[]) => [
  ...new Set(etcdServers.map((u) => `https://${new URL(u).hostname}:${APISERVER_PORT}`)),
];

/** Steps 1 and 2: the cluster CA and tokens, in pki/. */
async function fetchClusterSecrets(o: ControlPlaneJoinOptions, pkiDir: string, log: (line: string) => void): Promise<void> {
  const cluster = await discover(o);
  log(`[discovery] cluster-info at ${o.server} is signed with the token and its CA is ${cluster.caHash}`);
  const client = new Client({ server: o.server, ca: cluster.caPem, token: o.token, discoverServers: false });
  const files = await downloadCerts(client, o.certificateKey);
  const missing = HANDED_OVER_FILES.filter((f) => !files[f]);
  if (missing.length) throw new Error(`the kubeadm-certs Secret lacks ${missing.join(', ')}`);
  if (caCertHash(files['ca.crt']) !== cluster.caHash) throw new Error('the downloaded CA is not the one cluster-info names');
  fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  for (const f of HANDED_OVER_FILES) fs.writeFileSync(path.join(pkiDir, f), files[f], { mode: f === 'ca.crt' ? 0o644 : 0o600 });
  log(`[download-certs] the cluster CA, its key, the static tokens and the ServiceAccount key pair are in ${pkiDir}`);
}

/** The members with this peer URL among them: added unless it is already (a run again, an answer lost). */
const addOwnMember = (endpoint: string, tls: EtcdTLS, peerURL: string) =>
  retryWhileReconfigurationRefused(async () => {
    const { members } = await listMembers(endpoint, tls);
    return memberWithPeerURL(members, peerURL) ? members : await addMember(endpoint, tls, peerURL);
  });

export async function joinControlPlane(
  o: ControlPlaneJoinOptions,
  credentials: CredentialOptions,
  log: (line: string) => void,
): Promise<ControlPlaneOptions & { otherApiservers: string[] }> {
  const paths = credentialPaths(credentials.dataDir);
  if (!fs.existsSync(paths.certificate('ca').key)) await fetchClusterSecrets(o, paths.pkiDir, log);
  ensureClusterCredentials(credentials);

  const client = paths.certificate('apiserver-etcd-client');
  const tls: EtcdTLS = { ca: fs.readFileSync(paths.caFile), cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) };
  const endpoint = etcdURL(ETCD_CLIENT_PORT, new URL(o.server).hostname);
  const self = { name: o.name, peerURL: etcdPeerURL(o.ip, ETCD_PEER_PORT) };
  const members = await addOwnMember(endpoint, tls, self.peerURL);
  log(`[etcd] ${self.name} (${self.peerURL}) is a member, through ${endpoint}: ${members.length} members`);
  const own = etcdURL(ETCD_CLIENT_PORT, o.ip);
  const etcdServers = [own, ...clientURLs(members).filter((u) => u !== own)];
  const [server, ...otherApiservers] = apiserversOf(etcdServers);
  ensureClusterCredentials({ ...credentials, server, servers: otherApiservers });
  return {
    otherApiservers,
    etcd: { name: o.name, ip: o.ip, initialCluster: initialCluster(members, self), initialClusterState: 'existing' },
    etcdServers,
  };
}
