import { decodeContinue, encodeContinue } from './continue';

const PREFIX = '/registry/core/pods/';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('continue tokens', () => {
  it('are Kubernetes’ base64url JSON {v, rv, start} with the key relative to the prefix, and read back', () => {
    const token = encodeContinue(`${PREFIX}default/web-7\0`, PREFIX, 1234);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/); // no padding, URL-safe
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 1234, start: 'default/web-7\0' });
    expect(decodeContinue(token, PREFIX)).toEqual({ start: `${PREFIX}default/web-7\0`, revision: 1234 });
  });

  it('reads a token of upstream Kubernetes (rv -1: the latest revision)', () => {
    // {"v":"meta.k8s.io/v1","rv":-1,"start":"kube-system/coredns\u0000"} as Go's base64.RawURLEncoding writes it
    const upstream = 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0Ijoia3ViZS1zeXN0ZW0vY29yZWRuc1x1MDAwMCJ9';
    expect(decodeContinue(upstream, PREFIX)).toEqual({ start: `${PREFIX}kube-system/coredns\0`, revision: -1 });
  });

  it('refuses what is not a token, with Kubernetes’ words', () => {
    expect(() => decodeContinue('not base64!', PREFIX)).toThrow(/^continue key is not valid: /);
    expect(() => decodeContinue(Buffer.from('{"v":').toString('base64url'), PREFIX)).toThrow(/^continue key is not valid: /);
    expect(() => decodeContinue(b64('x'), PREFIX)).toThrow(/^continue key is not valid: /);
    expect(() => decodeContinue(b64({ v: 'meta.k8s.io/v2', rv: 5, start: 'a' }), PREFIX)).toThrow(
      'continue key is not valid: server does not recognize this encoded version meta.k8s.io/v2',
    );
    expect(() => decodeContinue(b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), PREFIX)).toThrow(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
    expect(() => decodeContinue(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' }), PREFIX)).toThrow(
      'continue key is not valid: encoded start key empty (version meta.k8s.io/v1)',
    );
  });

  it('never lets a start key climb out of the prefix', () => {
    for (const start of ['../secrets/default/token', 'default/../../secrets/x', 'default//web', './default/web']) {
      expect(() => decodeContinue(b64({ v: 'meta.k8s.io/v1', rv: 5, start }), PREFIX)).toThrow(`continue key is not valid: ${start}`);
    }
  });

  it('cannot encode a key outside the prefix', () => {
    expect(() => encodeContinue('/registry/core/secrets/default/x', PREFIX, 5)).toThrow(/the key and key prefix do not match/);
  });
});
