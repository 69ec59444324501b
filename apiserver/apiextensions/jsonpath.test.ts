import { JSONPath } from './jsonpath';

const obj = {
  metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 3, containers: [{ name: 'x' }, { name: 'y' }] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
  },
};

describe('JSONPath', () => {
  it('finds fields, indexes, wildcards, filters and escaped keys', () => {
    expect(new JSONPath('.spec.replicas').find(obj)).toEqual([3]);
    expect(new JSONPath('.spec.containers[1].name').find(obj)).toEqual(['y']);
    expect(new JSONPath('.spec.containers[*].name').find(obj)).toEqual(['x', 'y']);
    expect(new JSONPath('.status.conditions[?(@.type=="Ready")].status').find(obj)).toEqual(['True']);
    expect(new JSONPath('.metadata.labels.app\\.kubernetes\\.io/name').find(obj)).toEqual(['web']);
    expect(new JSONPath('{.metadata.name}').find(obj)).toEqual(['a']);
    expect(new JSONPath('.spec.missing.deeper').find(obj)).toEqual([]);
  });

  it('sets a field path, making the objects on the way', () => {
    const target: Record<string, unknown> = { spec: {} };
    new JSONPath('.spec.scale.replicas').set(target, 4);
    expect(target).toEqual({ spec: { scale: { replicas: 4 } } });
  });

  it('refuses what it cannot evaluate', () => {
    expect(() => new JSONPath('spec.replicas')).toThrow(/unsupported JSONPath/);
  });
});
