import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../test/cputime';
import { ErrFormatWrong, ErrNumeric, ErrSuffix, formatBytes, formatMilliCPU, milliValue, parseQuantity, quantityError } from './quantity';

const MiB = 1024 * 1024;

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
    ['1E-3', 0.001],
    ['1.3E+6', 1.3e6],
    ['0.5e-2', 0.005],
    ['12E', 12e18],
    ['100.035Ki', 100.035 * 1024],
    ['-3m', -0.003],
    ['+4u', 4e-6],
    // written by trolls, and accepted by Kubernetes all the same
    ['.001', 0.001],
    ['1.', 1],
    ['1.G', 1e9],
    ['.', 0],
    ['-', 0],
    ['Mi', 0],
    [' 7 ', 7],
  ])('parses %s as Kubernetes does', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  it('rounds a tiny non-zero amount up to one nano and caps binary amounts at the largest int64', () => {
    expect(parseQuantity('0.5e-12')).toBe(1e-9);
    expect(parseQuantity('-1e-20')).toBe(-1e-9);
    expect(parseQuantity('9Ei')).toBe(2 ** 63 - 1);
  });

  it.each([
    ['1.1.M', ErrFormatWrong],
    ['1+1.0M', ErrFormatWrong],
    ['-3.01e-', ErrSuffix],
    ['aoeu', ErrFormatWrong],
    ['12 cores', ErrFormatWrong],
    ['', ErrFormatWrong],
    ['0.1mi', ErrSuffix],
    ['.5i', ErrSuffix],
    ['1K', ErrSuffix],
    ['1e', ErrSuffix],
    ['1e4294967297', ErrSuffix],
    ['1E2147483648', ErrSuffix],
    ['Ei', ErrNumeric],
    ['e-20', ErrNumeric],
  ])('refuses %j with "%s"', (q, message) => {
    expect(quantityError(q)).toBe(message);
  });

  it('accepts the largest int32 exponent', () => {
    expect(quantityError('1E2147483647')).toBeUndefined();
    expect(parseQuantity('1E2147483647')).toBe(Infinity);
  });

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

  describe('on hostile input (3 MiB, within 2 s of CPU)', () => {
    it.each([
      ['200,000 digits and an x', '9'.repeat(200_000) + 'x', ErrFormatWrong],
      ['3 MiB of digits and an x', '1'.repeat(3 * MiB) + 'x', ErrFormatWrong],
      ['3 MiB of digits, a dot, digits and an x', '1'.repeat(1.5 * MiB) + '.' + '1'.repeat(1.5 * MiB) + 'x', ErrFormatWrong],
      ['3 MiB of suffix letters', '1' + 'mKi'.repeat(MiB), ErrSuffix],
      ['3 MiB of exponent digits', '1e' + '0'.repeat(3 * MiB) + '5', undefined],
      ['3 MiB of digits', '1'.repeat(3 * MiB), undefined],
    ])('%s', (_what, q, message) => {
      const run = measureCpu(() => quantityError(q));
      expect(run.value).toBe(message);
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });

    it('gives a huge but valid quantity its (infinite) value', () => {
      expect(parseQuantity('1'.repeat(200_000))).toBe(Infinity);
      expect(parseQuantity('1' + '0'.repeat(400) + 'Ki')).toBe(2 ** 63 - 1);
    });
  });
});
