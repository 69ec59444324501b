import { semanticallyEqual } from './equality';

describe('semantic equality', () => {
  it('ignores key order, undefined and null fields, as Go structs do', () => {
    expect(semanticallyEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(
      semanticallyEqual({ metadata: { creationTimestamp: null, labels: { app: 'web' } } }, { metadata: { labels: { app: 'web' } } }),
    ).toBe(true);
    expect(semanticallyEqual({ a: undefined }, {})).toBe(true);
  });

  it('still tells different values and list orders apart', () => {
    expect(semanticallyEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(semanticallyEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(semanticallyEqual({ a: {} }, {})).toBe(false);
  });
});
