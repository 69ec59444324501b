// The cluster's credentials, made once and kept (like `kubeadm init phase certs` and `phase kubeconfig`):
//   <data>/pki/ca.crt, ca.key                      the cluster CA every kubeconfig trusts
//   <data>/pki/apiserver.crt, apiserver.key        the apiserver's serving certificate
//   <data>/pki/apiserver-kubelet-client.crt, .key  what the apiserver presents to kubelets
//   <data>/pki/etcd-server.crt, .key               etcd's serving certificate (127.0.0.1, the machine's
//                                                  addresses), also a client one for etcd's gateway
//   <data>/pki/etcd-peer.crt, .key                 what etcd members present to each other (several machines)
//   <data>/pki/apiserver-etcd-client.crt, .key     the one client etcd admits
//   <data>/pki/tokens.csv                          --token-auth-file: one token per identity
//   <data>/pki/sa.key, sa.pub                      the key pair that signs and verifies ServiceAccount tokens
//   <data>/kubeconfig, <data>/kubeconfig-viewer    for people: cluster-admin and read-only
//   <data>/components/<name>/                      what component <name> holds, and nothing else:
//       kubeconfig, ca.crt                         each component and each kubelet: its own identity
//       apiserver: its certificates and keys above and tokens.csv; etcd: etcd-server and etcd-peer
// The CA's key stays in pki/: docker compose mounts only components/<name>/ into each container.
// Running it again keeps what exists and adds what is missing (a new node, a new address).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { UserInfo } from '../../shared/api/authentication';
import { writeKubeconfig } from '../../shared/kubeconfig';
import {
  issueClientCertificate,
  issueServerAndClientCertificate,
  issueServingCertificate,
  KeyPair,
  newCertificateAuthority,
} from '../../shared/pki';
import { loadTokenFile, tokenFileLine, tokensByUser } from '../../shared/tokenfile';
import { VIEWERS_GROUP } from '../../shared/api/authentication';

export interface CredentialOptions {
  dataDir: string;
  /** The apiserver URL written into every kubeconfig. */
  server: string;
  /** More apiservers of the cluster, written into every kubeconfig's `mini-kubernetes.io/apiservers` extension. */
  servers?: string[];
  /** Names and addresses the apiserver's certificate must cover besides the defaults. */
  extraSANs: string[];
  /** The service cluster IP of the `kubernetes` Service (pods reach the API there). */
  kubernetesServiceIP: string;
  nodes: string[];
  /** The machine addresses etcd serves its clients and peers on besides 127.0.0.1 (none: loopback only). */
  etcdAddresses?: string[];
}

export interface ClusterCredentials {
  pkiDir: string;
  caFile: string;
  tokenFile: string;
  adminKubeconfig: string;
  viewerKubeconfig: string;
  /** Component name (`scheduler`, `kubelet-node-1`, `apiserver`) → the directory of what it holds. */
  componentDir(name: string): string;
  /** Component name → its kubeconfig, in that directory. */
  componentKubeconfig(name: string): string;
  /** `apiserver` → pki/apiserver.crt and .key. */
  certificate(name: string): { cert: string; key: string };
  /** pki/sa.key (RSA private key, signs ServiceAccount tokens) and pki/sa.pub (its public key, verifies them). */
  serviceAccountKey: { key: string; pub: string };
}

/** Where the credentials of a cluster with its data in `dataDir` live. */
export function credentialPaths(dataDir: string): ClusterCredentials {
  const pkiDir = path.join(dataDir, 'pki');
  return {
    pkiDir,
    caFile: path.join(pkiDir, 'ca.crt'),
    tokenFile: path.join(pkiDir, 'tokens.csv'),
    adminKubeconfig: path.join(dataDir, 'kubeconfig'),
    viewerKubeconfig: path.join(dataDir, 'kubeconfig-viewer'),
    componentDir: (name) => path.join(dataDir, 'components', name),
    componentKubeconfig: (name) => path.join(dataDir, 'components', name, 'kubeconfig'),
    certificate: (name) => ({ cert: path.join(pkiDir, `${name}.crt`), key: path.join(pkiDir, `${name}.key`) }),
    serviceAccountKey: { key: path.join(pkiDir, 'sa.key'), pub: path.join(pkiDir, 'sa.pub') },
  };
}

/** Who each component is: Kubernetes' own user names and groups for them. */
export function identities(nodes: string[]): Map<string, UserInfo> {
  return new Map<string, UserInfo>([
    ['admin', { username: 'admin', uid: 'admin', groups: ['system:masters'] }],
    ['viewer', { username: 'viewer', uid: 'viewer', groups: [VIEWERS_GROUP] }],
    ['scheduler', { username: 'system:kube-scheduler', uid: 'system:kube-scheduler' }],
    ['controller-manager', { username: 'system:kube-controller-manager', uid: 'system:kube-controller-manager' }],
    ['kube-proxy', { username: 'system:kube-proxy', uid: 'system:kube-proxy' }],
    ...nodes.map((n): [string, UserInfo] => [
      `kubelet-${n}`,
      { username: `system:node:${n}`, uid: `system:node:${n}`, groups: ['system:nodes'] },
    ]),
  ]);
}

function readPair(dir: string, name: string): KeyPair | undefined {
  const [cert, key] = [path.join(dir, `${name}.crt`), path.join(dir, `${name}.key`)];
  return fs.existsSync(cert) && fs.existsSync(key) ? { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') } : undefined;
}

function writePair(dir: string, name: string, pair: KeyPair): KeyPair {
  fs.writeFileSync(path.join(dir, `${name}.crt`), pair.cert);
  fs.writeFileSync(path.join(dir, `${name}.key`), pair.key, { mode: 0o600 });
  return pair;
}

/** Whether a certificate already names every wanted DNS name and IP. */
function coversNames(cert: string, dnsNames: string[], ips: string[]): boolean {
  const san = new crypto.X509Certificate(cert).subjectAltName ?? '';
  const have = new Set(san.split(',').map((s) => s.trim()));
  return dnsNames.every((d) => have.has(`DNS:${d}`)) && ips.every((ip) => have.has(`IP Address:${ip}`));
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** An etcd certificate (server and client at once) for these addresses: the kept one if it fits, else a new one. */
function ensureEtcdCertificate(ca: KeyPair, pkiDir: string, name: string, commonName: string, ips: string[]): void {
  const kept = readPair(pkiDir, name);
  const fits =
    kept && coversNames(kept.cert, ['localhost'], ips) && new crypto.X509Certificate(kept.cert).keyUsage?.includes(CLIENT_AUTH_OID);
  if (!fits) writePair(pkiDir, name, issueServerAndClientCertificate(ca, { commonName, dnsNames: ['localhost'], ips }));
}

/** The files of pki/ that the servers hold besides ca.crt (the others hold a kubeconfig). */
const SERVER_FILES: Record<string, string[]> = {
  apiserver: [
    'apiserver.crt',
    'apiserver.key',
    'apiserver-kubelet-client.crt',
    'apiserver-kubelet-client.key',
    'apiserver-etcd-client.crt',
    'apiserver-etcd-client.key',
    'tokens.csv',
    'sa.key',
    'sa.pub',
  ],
  etcd: ['etcd-server.crt', 'etcd-server.key', 'etcd-peer.crt', 'etcd-peer.key'], // etcd-peer: several machines only
};

/**
 * The ServiceAccount token key pair, as kubeadm makes it (phase certs sa): a 2048-bit RSA private key in
 * PKCS#1 PEM, and its public key in PKIX PEM. Kept once made: tokens already issued stay valid.
 */
function ensureServiceAccountKey(paths: ClusterCredentials): void {
  const { key, pub } = paths.serviceAccountKey;
  if (fs.existsSync(key) && fs.existsSync(pub)) return;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(key, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
}

/** Kubeconfigs (identity name, file) for identities of the token file, trusting the cluster CA. */
function writeIdentityKubeconfigs(o: CredentialOptions, paths: ClusterCredentials, files: [string, string][]): void {
  const users = identities(o.nodes);
  const tokens = tokensByUser(paths.tokenFile);
  const caData = fs.readFileSync(paths.caFile);
  for (const [name, file] of files)
    writeKubeconfig(file, { server: o.server, servers: o.servers, caData, token: tokens.get(users.get(name)!.username)!, user: name });
}

/** <data>/kubeconfig (cluster-admin) and <data>/kubeconfig-viewer (read-only), for people. */
export function writeUserKubeconfigs(o: CredentialOptions): void {
  const paths = credentialPaths(o.dataDir);
  writeIdentityKubeconfigs(o, paths, [
    ['admin', paths.adminKubeconfig],
    ['viewer', paths.viewerKubeconfig],
  ]);
}

export function ensureClusterCredentials(o: CredentialOptions): ClusterCredentials {
  const paths = credentialPaths(o.dataDir);
  const pkiDir = paths.pkiDir;
  fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });

  const ca = readPair(pkiDir, 'ca') ?? writePair(pkiDir, 'ca', newCertificateAuthority('mini-kubernetes-ca'));

  const serverHost = new URL(o.server).hostname;
  const names = [serverHost, 'localhost', ...o.extraSANs];
  const ips = ['127.0.0.1', o.kubernetesServiceIP, ...names.filter((n) => /^[\d.]+$/.test(n) || n.includes(':'))];
  const dnsNames = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    ...names.filter((n) => !ips.includes(n)),
  ];
  const serving = readPair(pkiDir, 'apiserver');
  if (!serving || !coversNames(serving.cert, dnsNames, ips)) {
    writePair(
      pkiDir,
      'apiserver',
      issueServingCertificate(ca, { commonName: 'kube-apiserver', dnsNames: [...new Set(dnsNames)], ips: [...new Set(ips)] }),
    );
  }
  if (!readPair(pkiDir, 'apiserver-kubelet-client')) {
    writePair(pkiDir, 'apiserver-kubelet-client', issueClientCertificate(ca, 'kube-apiserver-kubelet-client', ['system:masters']));
  }
  const etcdAddresses = o.etcdAddresses ?? [];
  ensureEtcdCertificate(ca, pkiDir, 'etcd-server', 'etcd', ['127.0.0.1', ...etcdAddresses]);
  if (etcdAddresses.length) ensureEtcdCertificate(ca, pkiDir, 'etcd-peer', 'etcd-peer', etcdAddresses);
  if (!readPair(pkiDir, 'apiserver-etcd-client')) {
    writePair(pkiDir, 'apiserver-etcd-client', issueClientCertificate(ca, 'kube-apiserver-etcd-client', []));
  }

  ensureServiceAccountKey(paths);

  // Tokens: keep every existing one (running components hold them), add the missing identities.
  const existing = fs.existsSync(paths.tokenFile) ? loadTokenFile(paths.tokenFile) : new Map<string, UserInfo>();
  const known = new Set([...existing.values()].map((u) => u.username));
  const lines: string[] = [...existing].map(([token, user]) => tokenFileLine(token, user));
  for (const user of identities(o.nodes).values()) {
    if (!known.has(user.username)) lines.push(tokenFileLine(crypto.randomBytes(24).toString('base64url'), user));
  }
  fs.writeFileSync(paths.tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });

  const components = [...identities(o.nodes).keys()].filter((name) => name !== 'admin' && name !== 'viewer');
  for (const name of [...components, ...Object.keys(SERVER_FILES)]) {
    fs.mkdirSync(paths.componentDir(name), { recursive: true, mode: 0o700 });
    for (const file of ['ca.crt', ...(SERVER_FILES[name] ?? [])])
      if (fs.existsSync(path.join(pkiDir, file))) fs.copyFileSync(path.join(pkiDir, file), path.join(paths.componentDir(name), file));
  }
  writeIdentityKubeconfigs(
    o,
    paths,
    components.map((name) => [name, paths.componentKubeconfig(name)]),
  );
  return paths;
}
