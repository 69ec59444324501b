// `kubeadm init phase upload-certs` for this cluster: the hand-over of the cluster's CA and signing keys
// to a control-plane machine that joins later. The first machine stores them in the Secret
// kube-system/kubeadm-certs, each file encrypted with AES-256-GCM under a random certificate key that it
// prints and never stores in the cluster; the joiner passes that key back (--certificate-key) and decrypts.
// As kubeadm does, the Secret expires through its owner: a bootstrap token without usages that lives
// two hours. The token cleaner deletes the token when it expires, the garbage collector then the Secret.
// The joiner reads the Secret with its bootstrap token: the Role kubeadm:kubeadm-certs lets the group of
// kubeadm's tokens get that one Secret (and the key still has to decrypt it).
import crypto from 'node:crypto';
import type { Secret } from '../../shared/api/core';
import type { Role, RoleBinding } from '../../shared/api/rbac';
import { RoleBindings, Roles, Secrets } from '../../shared/api/resources';
import { BOOTSTRAP_TOKEN_SECRET_PREFIX, DEFAULT_NODE_TOKEN_GROUP, parseToken } from '../../shared/bootstraptoken';
import type { Client } from '../../shared/client';
import { isNotFound } from '../../shared/errors';
import { apply, RBAC } from './clusterinfo';
import { createToken } from './tokens';

export const KUBEADM_CERTS_SECRET = 'kubeadm-certs';
const CERTS_READER = 'kubeadm:kubeadm-certs';
/**
 * What a second control plane must share with the first: the CA that signs everything, the static tokens,
 * and the ServiceAccount key pair (a token one apiserver signs must verify at every other).
 */
export const HANDED_OVER_FILES = ['ca.crt', 'ca.key', 'tokens.csv', 'sa.key', 'sa.pub'];
/** kubeadm's default: the certificates can be downloaded for two hours. */
export const CERTS_TTL_MS = 2 * 3600_000;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh certificate key, 32 random bytes in hex, as `kubeadm certs certificate-key` prints it. */
export function generateCertificateKey(): string {
  return crypto.randomBytes(KEY_BYTES).toString('hex');
}

function keyBytes(certificateKey: string): Buffer {
  if (!/^[0-9a-f]{64}$/i.test(certificateKey)) throw new Error('the certificate key must be 64 hexadecimal characters (32 bytes)');
  return Buffer.from(certificateKey, 'hex');
}

/** nonce || ciphertext || tag: the layout of Go's gcm.Seal(nonce, nonce, data, nil) that kubeadm stores. */
export function encryptData(certificateKey: string, plaintext: Buffer): Buffer {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyBytes(certificateKey), nonce);
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The inverse of encryptData; throws when the key is wrong or the data was changed. */
export function decryptData(certificateKey: string, sealed: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('the encrypted data is too short');
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyBytes(certificateKey), nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new Error('could not decrypt the certificates: wrong certificate key, or the Secret was altered', { cause: err });
  }
}

/** The kubeadm-certs Secret: every file encrypted, owned by the token Secret whose expiry ends it. */
export function certsSecret(files: Record<string, Buffer>, certificateKey: string, owner: Secret): Secret {
  const { name, uid } = owner.metadata;
  if (!name || !uid) throw new Error('the owner Secret has no name or uid yet (read it back from the apiserver)');
  return {
    metadata: {
      name: KUBEADM_CERTS_SECRET,
      namespace: 'kube-system',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name, uid, blockOwnerDeletion: true }],
    },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(files).map(([name, content]) => [name, encryptData(certificateKey, content).toString('base64')]),
    ),
  };
}

/** The files of a kubeadm-certs Secret, decrypted. */
export function certsOfSecret(secret: Secret, certificateKey: string): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([name, b64]) => [name, decryptData(certificateKey, Buffer.from(b64, 'base64'))]),
  );
}

/** Stores the files for two hours; replaces an earlier upload (a new key makes the old one useless). */
export async function uploadCerts(client: Client, files: Record<string, Buffer>, certificateKey: string, now = Date.now()) {
  const token = await createToken(
    client,
    {
      ttlMs: CERTS_TTL_MS,
      usages: [],
      groups: [],
      description: 'Proxy for managing TTL for the kubeadm-certs secret',
    },
    now,
  );
  const secrets = client.resource<Secret>(Secrets);
  const owner = await secrets.get('kube-system', `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${parseToken(token)?.id}`);
  try {
    await secrets.delete('kube-system', KUBEADM_CERTS_SECRET);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await secrets.create(certsSecret(files, certificateKey, owner));
  const role: Role = {
    metadata: { name: CERTS_READER, namespace: 'kube-system' },
    rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [KUBEADM_CERTS_SECRET], verbs: ['get'] }],
  };
  const binding: RoleBinding = {
    metadata: { name: CERTS_READER, namespace: 'kube-system' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: CERTS_READER },
    subjects: [{ kind: 'Group', apiGroup: RBAC, name: DEFAULT_NODE_TOKEN_GROUP }],
  };
  await apply(client, Roles, role);
  await apply(client, RoleBindings, binding);
}

/** What a joining control-plane machine does with --certificate-key. */
export async function downloadCerts(client: Client, certificateKey: string): Promise<Record<string, Buffer>> {
  let secret: Secret;
  try {
    secret = await client.resource<Secret>(Secrets).get('kube-system', KUBEADM_CERTS_SECRET);
  } catch (err) {
    if (isNotFound(err))
      throw new Error(
        `Secret "${KUBEADM_CERTS_SECRET}" was not found in the "kube-system" Namespace. This Secret might have expired. ` +
          'Please, run `install.sh upload-certs` on a control plane to generate a new one',
        { cause: err },
      );
    throw err;
  }
  return certsOfSecret(secret, certificateKey);
}
