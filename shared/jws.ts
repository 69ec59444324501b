// Detached JSON Web Signatures (RFC 7515, appendix F) as bootstrap tokens sign cluster-info: HS256 with
// the token's secret as the key and its id as `kid`, serialized compactly with the payload left out
// (`header..signature`). A joining node that holds the token recomputes the signature
// over the kubeconfig it read and compares: a match proves the control plane knows its token.
import crypto from 'node:crypto';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The detached JWS of `content` for the token `id.secret`. */
export function computeDetachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  // The header's bytes matter: kubeadm compares signatures as strings, so it is the one go-jose writes.
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: tokenId }));
  // Kubernetes pads a short secret with zero bytes to 32; HMAC pads its key with zeros anyway, so the MAC is the same.
  const signature = crypto
    .createHmac('sha256', tokenSecret)
    .update(`${header}.${b64url(content)}`)
    .digest();
  return `${header}..${b64url(signature)}`;
}

/** Whether `detached` is the signature of `content` by the token, compared in constant time. */
export function detachedSignatureIsValid(detached: string, content: string, tokenId: string, tokenSecret: string): boolean {
  const want = Buffer.from(computeDetachedSignature(content, tokenId, tokenSecret));
  const got = Buffer.from(detached);
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}
