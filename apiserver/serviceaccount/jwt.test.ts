import crypto from 'node:crypto';
import { decodeJWT, identified, keyId, parsePrivateKeyPEM, parsePublicKeysPEM, signJWT, verifyJWT } from './jwt';

const rsa = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const [one, two] = [rsa(), rsa()];
const signer = identified(one.privateKey);

describe('RS256 JWTs', () => {
  it('signs a compact JWS with the RS256 header and the key id Kubernetes computes', async () => {
    const token = await signJWT({ sub: 'x' }, signer);
    const decoded = decodeJWT(token)!;
    const der = one.publicKey.export({ type: 'spki', format: 'der' });
    expect(decoded.header).toEqual({ alg: 'RS256', kid: crypto.createHash('sha256').update(der).digest('base64url') });
    expect(keyId(one.publicKey)).toBe(keyId(one.privateKey));
    expect(decoded.claims).toEqual({ sub: 'x' });
    // Any RS256 verifier accepts it.
    const [h, p, s] = token.split('.');
    expect(crypto.verify('sha256', Buffer.from(`${h}.${p}`), one.publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('verifies with the matching public key and refuses another key, a changed payload, or alg none', async () => {
    const token = await signJWT({ sub: 'x' }, signer);
    expect(await verifyJWT(token, [identified(one.publicKey)])).toEqual({ sub: 'x' });
    expect(await verifyJWT(token, [identified(two.publicKey), identified(one.publicKey)])).toEqual({ sub: 'x' });
    expect(await verifyJWT(token, [identified(two.publicKey)])).toBeUndefined();
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    expect(await verifyJWT(forged, [identified(one.publicKey)])).toBeUndefined();
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${token.split('.')[1]}.`;
    expect(await verifyJWT(none, [identified(one.publicKey)])).toBeUndefined();
    expect(await verifyJWT('not-a-jwt', [identified(one.publicKey)])).toBeUndefined();
  });

  it('reads verifying keys from public keys, private keys and certificates in one PEM file, and refuses non-RSA keys', () => {
    const pem = [one.publicKey.export({ type: 'spki', format: 'pem' }), two.privateKey.export({ type: 'pkcs1', format: 'pem' })].join('');
    expect(parsePublicKeysPEM(pem, 'keys.pem').map((k) => k.id)).toEqual([keyId(one.publicKey), keyId(two.publicKey)]);
    expect(() => parsePublicKeysPEM('nothing', 'empty.pem')).toThrow('empty.pem: no public or private key in PEM format');
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(() => parsePublicKeysPEM(ec.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'ec.pem')).toThrow(
      'ec.pem: a ec key cannot verify RS256',
    );
    expect(parsePrivateKeyPEM(one.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, 'sa.key').id).toBe(keyId(one.publicKey));
  });
});
