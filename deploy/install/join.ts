// Joining a worker, as `kubeadm join` does with a bootstrap token:
//   1. discovery: read kube-public/cluster-info with no credentials and without trusting any CA yet
//      (there is none to trust), so nothing secret is sent to a server not yet known to be the cluster;
//   2. the signature `jws-kubeconfig-<token id>` the controller-manager put there must verify with the
//      token: the server knows the token, so it is the cluster the token came from;
//   3. the CA in it must match the pin `--discovery-token-ca-cert-hash` (mandatory unless
//      `--discovery-token-unsafe-skip-ca-verification`): the cluster is the one the administrator meant;
//      cluster-info is read again over TLS verified with that CA, and must say the same;
//   4. only then, over verified TLS, the token is used: TLS bootstrapping (tlsbootstrap.ts) exchanges it
//      for the node's own client certificate, which its kubelet and kube-proxy use from then on.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import type { ConfigMap } from '../../shared/api/core';
import { parseToken } from '../../shared/bootstraptoken';
import { detachedSignatureIsValid } from '../../shared/jws';
import { writeKubeconfig } from '../../shared/kubeconfig';
import { requestNodeCertificate } from './tlsbootstrap';

const JWS_PREFIX = 'jws-kubeconfig-';

/** kubeadm's CA pin: `sha256:` + the hex SHA-256 of the certificate's SubjectPublicKeyInfo. */
export function caCertHash(caPem: string | Buffer): string {
  const spki = new crypto.X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${crypto.createHash('sha256').update(spki).digest('hex')}`;
}

/** GETs cluster-info without credentials; with `ca`, only from a server holding a certificate of that CA. */
function fetchClusterInfo(server: string, ca?: Buffer): Promise<ConfigMap> {
  const url = new URL('/api/v1/namespaces/kube-public/configmaps/cluster-info', server);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, rejectUnauthorized: !!ca, timeout: 10_000, headers: { Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`reading cluster-info from ${server}: HTTP ${res.statusCode} ${body.trim()}`));
        try {
          resolve(JSON.parse(body) as ConfigMap);
        } catch {
          reject(new Error(`reading cluster-info from ${server}: the answer is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server}`)));
    req.on('error', reject);
  });
}

export interface DiscoveryOptions {
  /** The API endpoint to discover the cluster at, https://IP:6443. */
  server: string;
  token: string;
  /** Pins of the cluster CA (`sha256:<hex>`); at least one unless skipCAVerification. */
  caCertHashes: string[];
  skipCAVerification: boolean;
  /** How long to wait for the apiserver and for cluster-info to carry the token's signature (kubeadm: 5 min). */
  timeoutMs?: number;
  intervalMs?: number;
}

export interface DiscoveredCluster {
  /** The apiserver address cluster-info names. */
  server: string;
  caPem: Buffer;
  caHash: string;
}

/**
 * cluster-info, read anonymously, once it carries the token's signature. The bootstrapsigner signs with a
 * new token within moments: until then (or while the apiserver does not answer) ask again, as kubeadm
 * does; a token still unsigned at the deadline is not valid for this cluster.
 */
async function signedClusterInfo(o: DiscoveryOptions, tokenId: string): Promise<{ kubeconfig: string; signature: string }> {
  const deadline = Date.now() + (o.timeoutMs ?? 5 * 60_000);
  for (;;) {
    let answer: ConfigMap | undefined;
    try {
      answer = await fetchClusterInfo(o.server);
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    const kubeconfig = answer?.data?.kubeconfig;
    const signature = answer?.data?.[`${JWS_PREFIX}${tokenId}`];
    if (kubeconfig !== undefined && signature) return { kubeconfig, signature };
    if (answer && Date.now() > deadline) {
      if (kubeconfig === undefined) throw new Error('there is no kubeconfig in the cluster-info ConfigMap');
      throw new Error(
        `token id "${tokenId}" is invalid for this cluster or it has expired. Use "install.sh token create" on the control-plane node to create a new valid token`,
      );
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
}

/** Steps 1 to 3: a cluster whose identity is proven, before the token leaves this machine. */
export async function discover(o: DiscoveryOptions): Promise<DiscoveredCluster> {
  const token = parseToken(o.token);
  if (!token) throw new Error(`the bootstrap token "${o.token}" was not of the form "[a-z0-9]{6}.[a-z0-9]{16}"`);
  if (!o.caCertHashes.length && !o.skipCAVerification)
    throw new Error(
      'using token-based discovery without --discovery-token-ca-cert-hash can be unsafe: pass the hash the control plane printed, or --discovery-token-unsafe-skip-ca-verification to continue',
    );
  const { kubeconfig, signature } = await signedClusterInfo(o, token.id);
  if (!detachedSignatureIsValid(signature, kubeconfig, token.id, token.secret))
    throw new Error("failed to verify JWS signature of received cluster info object, can't trust this API Server");

  const doc = parse(kubeconfig) as { clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[] };
  const cluster = doc.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data']) throw new Error('the cluster-info kubeconfig names no server or CA');
  const caPem = Buffer.from(cluster['certificate-authority-data'], 'base64');
  const caHash = caCertHash(caPem);
  if (!o.skipCAVerification && !o.caCertHashes.includes(caHash))
    throw new Error(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caHash}" are pinned`);

  const secure = await fetchClusterInfo(o.server, caPem);
  if (secure.data?.kubeconfig !== kubeconfig)
    throw new Error('the second kubeconfig from the cluster-info ConfigMap (using validated TLS) was different from the first');
  return { server: cluster.server, caPem, caHash };
}

export interface JoinOptions extends DiscoveryOptions {
  nodeName: string;
  dataDir: string;
}

/** Discovery, then TLS bootstrapping: writes <data>/pki/ca.crt and the node's kubeconfig; returns the CA's hash. */
export async function join(o: JoinOptions, kubeconfigFile: string, log: (line: string) => void = () => undefined): Promise<string> {
  const cluster = await discover(o);
  log(`[discovery] cluster-info at ${o.server} is signed with the token and its CA is ${cluster.caHash}`);
  const { cert, key, csrName } = await requestNodeCertificate({ server: cluster.server, ca: cluster.caPem, token: o.token }, o.nodeName);
  log(`[kubelet-start] certificate signing request ${csrName} approved: client certificate for system:node:${o.nodeName}`);
  fs.mkdirSync(path.join(o.dataDir, 'pki'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(o.dataDir, 'pki', 'ca.crt'), cluster.caPem);
  writeKubeconfig(kubeconfigFile, {
    server: cluster.server,
    caData: cluster.caPem,
    certData: cert,
    keyData: key,
    user: `system:node:${o.nodeName}`,
  });
  return cluster.caHash;
}
