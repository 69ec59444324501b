// Joining a worker to a cluster, kubeadm style: the control plane publishes `kube-public/cluster-info`
// (its address and CA), readable by any signed-in user; a worker given the API address and its node
// token reads it, checks the CA against `--ca-cert-hash` (sha256 of the CA's public key, as kubeadm
// prints it) when given, and writes the kubeconfig its kubelet and kube-proxy use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ConfigMap } from '../../shared/api/core';
import type { Role, RoleBinding } from '../../shared/api/rbac';
import { ConfigMaps, RoleBindings, Roles } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import { isAlreadyExists } from '../../shared/errors';
import { writeKubeconfig } from '../../shared/kubeconfig';

const RBAC = 'rbac.authorization.k8s.io';
const READER = 'mini-kubernetes:cluster-info-reader';

/** kubeadm's CA pin: `sha256:` + the hex SHA-256 of the certificate's SubjectPublicKeyInfo. */
export function caCertHash(caPem: string | Buffer): string {
  const spki = new crypto.X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${crypto.createHash('sha256').update(spki).digest('hex')}`;
}

/** A kubeconfig with only the cluster (server and CA): what cluster-info holds. */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    contexts: [],
    users: [],
  });
}

async function createOrReplace<T extends { metadata: { name?: string; namespace?: string } }>(
  client: Client,
  resource: typeof ConfigMaps,
  obj: T,
): Promise<void> {
  const r = client.resource(resource);
  try {
    await r.create(obj as never);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const current = await r.get(obj.metadata.namespace, obj.metadata.name!);
    await r.update({ ...current, ...obj, metadata: { ...current.metadata, ...obj.metadata } } as never);
  }
}

/** Publishes cluster-info and lets every signed-in user read it (and nothing else in kube-public). */
export async function publishClusterInfo(client: Client, server: string, caPem: string): Promise<void> {
  const cm: ConfigMap = {
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: { kubeconfig: clusterInfoKubeconfig(server, caPem) },
  };
  const role: Role = {
    metadata: { name: READER, namespace: 'kube-public' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
  };
  const binding: RoleBinding = {
    metadata: { name: READER, namespace: 'kube-public' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: READER },
    subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' }],
  };
  await createOrReplace(client, ConfigMaps, cm);
  await createOrReplace(client, Roles, role);
  await createOrReplace(client, RoleBindings, binding);
}

/**
 * GETs cluster-info with the join token. Without `ca` the server's certificate cannot be checked yet
 * (the CA is what is being fetched): the caller pins the CA it gets, then asks again with it.
 */
function fetchClusterInfo(server: string, token: string, ca?: Buffer): Promise<ConfigMap> {
  const url = new URL('/api/v1/namespaces/kube-public/configmaps/cluster-info', server);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { Authorization: `Bearer ${token}` }, ca, rejectUnauthorized: !!ca, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`reading cluster-info from ${server}: HTTP ${res.statusCode} ${body.trim()}`));
        resolve(JSON.parse(body) as ConfigMap);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server}`)));
    req.on('error', reject);
  });
}

export interface JoinOptions {
  server: string;
  token: string;
  caCertHash?: string;
  dataDir: string;
}

/** Writes <data>/pki/ca.crt and the node kubeconfig; returns the CA's hash (for the log). */
export async function join(o: JoinOptions, kubeconfigFile: string): Promise<string> {
  const configMap = await fetchClusterInfo(o.server, o.token);
  const doc = parse(configMap.data?.kubeconfig ?? '') as { clusters?: { cluster: { 'certificate-authority-data': string } }[] };
  const caPem = Buffer.from(doc.clusters?.[0]?.cluster['certificate-authority-data'] ?? '', 'base64');
  const hash = caCertHash(caPem);
  if (o.caCertHash && o.caCertHash !== hash)
    throw new Error(`the cluster CA's hash is ${hash}, not the ${o.caCertHash} given: refusing to join`);
  await fetchClusterInfo(o.server, o.token, caPem); // the server proves it holds a certificate of that CA
  fs.mkdirSync(path.join(o.dataDir, 'pki'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(o.dataDir, 'pki', 'ca.crt'), caPem);
  writeKubeconfig(kubeconfigFile, { server: o.server, caData: caPem, token: o.token, user: 'node' });
  return hash;
}
