import type { KubeObject } from '../../../shared/api/meta';
import { toTable } from '../../printers';
import type { Printer } from '../../printers/table';
import { podDisruptionBudgetStrategy } from './poddisruptionbudgets';

describe('PodDisruptionBudget printer', () => {
  it('prints NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE, N/A for the bound not set', () => {
    const pdb = (name: string, spec: object) =>
      ({
        metadata: { name, namespace: 'default', creationTimestamp: new Date().toISOString() },
        spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
        status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
      }) as KubeObject;
    const table = toTable(podDisruptionBudgetStrategy.printer as Printer, [
      pdb('web', { minAvailable: 2 }),
      pdb('db', { maxUnavailable: '25%' }),
    ]);
    expect(table.columnDefinitions.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Min Available', 'string'],
      ['Max Unavailable', 'string'],
      ['Allowed Disruptions', 'integer'],
      ['Age', 'string'],
    ]);
    expect(table.rows.map((r) => r.cells.slice(0, 4))).toEqual([
      ['web', '2', 'N/A', 1],
      ['db', 'N/A', '25%', 1],
    ]);
  });
});
