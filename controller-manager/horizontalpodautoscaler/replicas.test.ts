import type { Pod } from '../../shared/api/core';
import { cpuUtilization, replicasForUtilization, scaleUpLimit, stabilize } from './replicas';

const pod = (name: string, cpu?: string): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'x', resources: cpu ? { requests: { cpu } } : {} }] },
});

describe('HPA arithmetic', () => {
  it('measures utilization against requests over the pods that have metrics', () => {
    const usage = new Map([
      ['a', { milliCPU: 150 }],
      ['b', { milliCPU: 50 }],
    ]);
    expect(cpuUtilization([pod('a', '100m'), pod('b', '100m'), pod('c', '100m')], usage)).toEqual({
      utilization: 100,
      averageMilli: 100,
      counted: 2,
    });
  });

  it('explains a missing request or missing metrics', () => {
    expect(cpuUtilization([pod('a')], new Map([['a', { milliCPU: 1 }]]))).toEqual({
      error: 'failed to get cpu utilization: missing request for cpu in container c of Pod a',
    });
    expect('error' in cpuUtilization([pod('a', '1')], new Map())).toBe(true);
  });

  it('scales by the usage ratio, but not within the 10% tolerance', () => {
    expect(replicasForUtilization(1, 1000, 50)).toBe(20);
    expect(replicasForUtilization(4, 25, 50)).toBe(2);
    expect(replicasForUtilization(3, 54, 50)).toBe(3);
    expect(replicasForUtilization(3, 56, 50)).toBe(4);
  });

  it("limits scale-up to double or four more, and scale-down to the window's highest recommendation", () => {
    expect(scaleUpLimit(1)).toBe(5);
    expect(scaleUpLimit(10)).toBe(20);
    const history = [
      { at: 0, replicas: 5 },
      { at: 60_000, replicas: 2 },
      { at: 120_000, replicas: 1 },
    ];
    expect(stabilize(history, 120_000, 300_000)).toBe(5);
    expect(stabilize(history, 400_000, 300_000)).toBe(1);
  });
});
