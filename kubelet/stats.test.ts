import { usageNanoCores } from './stats';

describe('usageNanoCores', () => {
  it('is the CPU time used between two samples over the time between them', () => {
    const previous = { timestampMs: 10_000, usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    const current = { timestampMs: 15_000, usageCoreNanoSeconds: 3.5e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, previous)).toBe(0.5e9);
  });

  it('with no earlier sample, is the average since the container started', () => {
    const current = { timestampMs: Date.parse('2026-12-03T10:00:04Z'), usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, undefined, '2026-12-03T10:00:00Z')).toBe(0.25e9);
  });

  it('is 0 when nothing can be said: no start time, no time passed, or a counter that went back', () => {
    const current = { timestampMs: 5_000, usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, undefined)).toBe(0);
    expect(usageNanoCores(current, current)).toBe(0);
    expect(usageNanoCores(current, { timestampMs: 1_000, usageCoreNanoSeconds: 2e9, workingSetBytes: 0 })).toBe(0);
  });
});
