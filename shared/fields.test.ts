import { parseFieldSelector } from './fields';

describe('field selectors', () => {
  const pod: Record<string, string> = {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-1',
    'status.phase': 'Running',
  };
  const get = (p: string) => pod[p];

  it('matches equality terms in any order', () => {
    expect(parseFieldSelector('spec.nodeName=node-1,metadata.name=web-1').matches(get)).toBe(true);
    expect(parseFieldSelector('metadata.name==web-1,spec.nodeName=node-2').matches(get)).toBe(false);
  });

  it('matches inequality, treating a missing field as empty', () => {
    expect(parseFieldSelector('status.phase!=Succeeded').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.schedulerName!=x').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.schedulerName=').matches(get)).toBe(true);
  });

  it('reports the exact value a selector requires', () => {
    expect(parseFieldSelector('metadata.name=web-1,status.phase!=Failed').exactValue('metadata.name')).toBe('web-1');
    expect(parseFieldSelector('status.phase!=Failed').exactValue('status.phase')).toBeUndefined();
  });

  it('rejects terms without an operator', () => {
    expect(() => parseFieldSelector('spec.nodeName')).toThrow(/invalid selector/);
  });
});
