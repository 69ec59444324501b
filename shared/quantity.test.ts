import { formatBytes, formatMilliCPU, milliValue, parseQuantity } from './quantity';

describe('resource quantities', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['0.5', 0.5],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
    ['1Gi', 2 ** 30],
    ['1e3', 1000],
    ['500k', 500_000],
    ['1Ki', 1024],
  ])('parses %s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  it('computes CPU millicores, rounding up', () => {
    expect(milliValue('100m')).toBe(100);
    expect(milliValue('1.5')).toBe(1500);
    expect(milliValue('0.0001')).toBe(1);
    expect(milliValue(2)).toBe(2000);
  });

  it('formats CPU and memory as kubectl shows them', () => {
    expect(formatMilliCPU(250)).toBe('250m');
    expect(formatMilliCPU(2000)).toBe('2');
    expect(formatBytes(128 * 2 ** 20)).toBe('128Mi');
    expect(formatBytes(1000)).toBe('1000');
  });

  it('rejects what is not a quantity', () => {
    expect(() => parseQuantity('12 cores')).toThrow();
    expect(() => parseQuantity('Mi')).toThrow();
  });
});
