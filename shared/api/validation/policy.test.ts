import type { PodDisruptionBudget } from '../policy';
import { validatePodDisruptionBudget } from './policy';

const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});
const messages = (p: PodDisruptionBudget) => validatePodDisruptionBudget(p).map((c) => `${c.field}: ${c.message}`);

describe('PodDisruptionBudget validation', () => {
  it('accepts numbers and percentages up to 100%, and no bound at all', () => {
    for (const spec of [{ minAvailable: 2 }, { minAvailable: '100%' }, { maxUnavailable: 0 }, { maxUnavailable: '25%' }, {}]) {
      expect(messages(pdb(spec))).toEqual([]);
    }
  });

  it('refuses both bounds, negative numbers, malformed or excessive percentages, as Kubernetes words them', () => {
    expect(messages(pdb({ minAvailable: 1, maxUnavailable: 1 }))[0]).toMatch(
      /^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/,
    );
    expect(messages(pdb({ minAvailable: -1 }))).toEqual(['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
    expect(messages(pdb({ maxUnavailable: '150%' }))).toEqual([
      'spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]);
    expect(messages(pdb({ maxUnavailable: 'half' }))).toEqual([
      `spec.maxUnavailable: Invalid value: "half": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    ]);
  });

  it('checks the selector, the eviction policy and the counts of the status', () => {
    const bad = pdb(
      {
        selector: {
          matchExpressions: [
            { key: 'app', operator: 'In' },
            { key: 'tier', operator: 'Exists', values: ['x'] },
          ],
        },
        unhealthyPodEvictionPolicy: 'Never' as never,
      },
      { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    );
    expect(messages(bad)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
      'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});
