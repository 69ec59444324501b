import { computeDetachedSignature, detachedSignatureIsValid } from './jws';

// The vectors of Kubernetes' own cluster-bootstrap tests: a signature made here verifies with kubeadm.
const content = 'Hello from the other side. I must have called a thousand times.';

describe('detached JWS', () => {
  it("matches Kubernetes' signatures byte for byte", () => {
    expect(computeDetachedSignature(content, 'joshua', 'my voice is my passcode')).toBe(
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8',
    );
    expect(computeDetachedSignature('', 'joshua', 'my voice is my passcode')).toBe(
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk',
    );
  });

  it('verifies only the same content signed with the same token', () => {
    const sig = computeDetachedSignature(content, 'abcdef', '0123456789abcdef');
    expect(detachedSignatureIsValid(sig, content, 'abcdef', '0123456789abcdef')).toBe(true);
    expect(detachedSignatureIsValid(sig, `${content} `, 'abcdef', '0123456789abcdef')).toBe(false);
    expect(detachedSignatureIsValid(sig, content, 'abcdef', '0123456789abcdee')).toBe(false);
    expect(detachedSignatureIsValid(`${sig}x`, content, 'abcdef', '0123456789abcdef')).toBe(false);
  });
});
