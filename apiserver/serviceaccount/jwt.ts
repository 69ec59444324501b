// JSON Web Tokens signed with RS256 (RFC 7519 over RFC 7515's compact serialization), as Kubernetes'
// ServiceAccount token generator writes them with go-jose: `base64url(header).base64url(claims).base64url(sig)`,
// the header `{"alg":"RS256","kid":<key id>}`. node:crypto does the RSA work (no JOSE library: one
// algorithm, one serialization, and the checks that matter are the claims', in ./claims.ts). Signing and
// verifying run on libuv's thread pool (the callback forms of crypto.sign/verify), off the event loop.
//
// The key id is Kubernetes' keyIDFromPublicKey: base64url (unpadded) of the SHA-256 of the public key's
// PKIX DER encoding, so a verifier holding several keys (--service-account-key-file) picks the right one.
import crypto, { KeyObject } from 'node:crypto';

const ALGORITHM = 'RS256';
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A key with its id, worked out once. */
export interface IdentifiedKey {
  key: KeyObject;
  id: string;
}

/** Kubernetes' key id of a public (or private) key. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return b64url(
    crypto
      .createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest(),
  );
}

export const identified = (key: KeyObject): IdentifiedKey => ({ key, id: keyId(key) });

const sign = (data: Buffer, key: KeyObject) =>
  new Promise<Buffer>((resolve, reject) => crypto.sign('sha256', data, key, (err, sig) => (err ? reject(err) : resolve(sig))));

const verify = (data: Buffer, key: KeyObject, signature: Buffer) =>
  new Promise<boolean>((resolve, reject) => crypto.verify('sha256', data, key, signature, (err, ok) => (err ? reject(err) : resolve(ok))));

/** The signed token of `claims`. */
export async function signJWT(claims: object, signingKey: IdentifiedKey): Promise<string> {
  const signingInput = `${b64url(JSON.stringify({ alg: ALGORITHM, kid: signingKey.id }))}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${b64url(await sign(Buffer.from(signingInput), signingKey.key))}`;
}

/** The header and claims of a compact JWS, undefined when it is not one (without checking the signature). */
export function decodeJWT(token: string): { header: { alg?: unknown; kid?: unknown }; claims: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
  try {
    const [header, claims] = parts.slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown);
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The claims of `token` when one of `publicKeys` signed it with RS256, else undefined. As go-jose does,
 * the `kid` of the header narrows the keys tried when it names one of them; otherwise every key is tried.
 */
export async function verifyJWT(token: string, publicKeys: IdentifiedKey[]): Promise<Record<string, unknown> | undefined> {
  const decoded = decodeJWT(token);
  if (!decoded || decoded.header.alg !== ALGORITHM) return undefined;
  const dot = token.lastIndexOf('.');
  const [signingInput, signature] = [Buffer.from(token.slice(0, dot)), Buffer.from(token.slice(dot + 1), 'base64url')];
  const named = publicKeys.filter((k) => k.id === decoded.header.kid);
  for (const { key } of named.length ? named : publicKeys) {
    if (await verify(signingInput, key, signature)) return decoded.claims;
  }
  return undefined;
}

/**
 * The public keys in PEM text, as --service-account-key-file reads them (keyutil.ParsePublicKeysPEM):
 * PUBLIC KEY, RSA PUBLIC KEY, a CERTIFICATE's key, or the public half of a PRIVATE KEY / RSA PRIVATE KEY.
 * Only RSA keys can verify RS256; others are refused.
 */
export function parsePublicKeysPEM(pem: string, source: string): IdentifiedKey[] {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g)];
  const keys = blocks.map(([block, type]) => {
    if (type === 'CERTIFICATE') return new crypto.X509Certificate(block).publicKey;
    return crypto.createPublicKey(block); // createPublicKey derives the public key from a private one
  });
  if (!keys.length) throw new Error(`${source}: no public or private key in PEM format`);
  for (const key of keys)
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`${source}: a ${key.asymmetricKeyType} key cannot verify RS256`);
  return keys.map(identified);
}

/** The private key that signs (--service-account-signing-key-file): one RSA key in PEM. */
export function parsePrivateKeyPEM(pem: string, source: string): IdentifiedKey {
  const key = crypto.createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${source}: a ${key.asymmetricKeyType} key cannot sign RS256`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error(`${source}: an RSA key shorter than 2048 bits`);
  return identified(key);
}
