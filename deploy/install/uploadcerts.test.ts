import type { Secret } from '../../shared/api/core';
import { certsOfSecret, certsSecret, decryptData, encryptData, generateCertificateKey, KUBEADM_CERTS_SECRET } from './uploadcerts';

const owner: Secret = { metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', uid: 'u-1' } };

describe('upload-certs', () => {
  it('prints a certificate key of 32 random bytes in hex, different every time', () => {
    const [a, b] = [generateCertificateKey(), generateCertificateKey()];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toEqual(b);
  });

  it('decrypts with the same key what it encrypted, with a fresh nonce each time', () => {
    const key = generateCertificateKey();
    const plaintext = Buffer.from('-----BEGIN PRIVATE KEY-----\n...');
    const [one, two] = [encryptData(key, plaintext), encryptData(key, plaintext)];
    expect(one).not.toEqual(two);
    expect(one.includes(plaintext)).toBe(false);
    expect(decryptData(key, one)).toEqual(plaintext);
  });

  it('refuses a wrong key and data changed in the Secret', () => {
    const key = generateCertificateKey();
    const sealed = encryptData(key, Buffer.from('ca key'));
    expect(() => decryptData(generateCertificateKey(), sealed)).toThrow(/wrong certificate key/);
    const altered = Buffer.from(sealed);
    altered[13] ^= 1;
    expect(() => decryptData(key, altered)).toThrow(/altered/);
    expect(() => encryptData('not-hex', sealed)).toThrow(/64 hexadecimal/);
  });

  it('stores every file encrypted in kube-system/kubeadm-certs, owned by the token Secret that makes it expire', () => {
    const key = generateCertificateKey();
    const files = { 'ca.crt': Buffer.from('cert'), 'ca.key': Buffer.from('key') };
    const secret = certsSecret(files, key, owner);
    expect(secret.metadata).toMatchObject({
      name: KUBEADM_CERTS_SECRET,
      namespace: 'kube-system',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: 'bootstrap-token-abcdef', uid: 'u-1' }],
    });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(Buffer.from(secret.data?.['ca.key'] ?? '', 'base64').includes(Buffer.from('key'))).toBe(false);
    expect(certsOfSecret(secret, key)).toEqual(files);
  });
});
