import { formatLabelSelector, parseSelector, selectorFromLabelSelector, selectorFromSet } from './labels';
import { StatusError } from './errors';

describe('label selectors', () => {
  const prodFrontend = { environment: 'production', tier: 'frontend' };
  const prodBackend = { environment: 'production', tier: 'backend' };
  const qa = { environment: 'qa' };
  const dev = { environment: 'dev', tier: 'frontend' };

  it('selects by set membership: environment in (production, qa)', () => {
    const s = parseSelector('environment in (production, qa)');
    expect([prodFrontend, prodBackend, qa, dev].map((l) => s.matches(l))).toEqual([true, true, true, false]);
  });

  it('combines equality and inequality: environment=production,tier!=frontend', () => {
    const s = parseSelector('environment=production,tier!=frontend');
    expect([prodFrontend, prodBackend, qa, dev].map((l) => s.matches(l))).toEqual([false, true, false, false]);
  });

  it('treats != and notin as matching objects without the key', () => {
    expect(parseSelector('tier!=frontend').matches(qa)).toBe(true);
    expect(parseSelector('tier notin (frontend)').matches(qa)).toBe(true);
    expect(parseSelector('tier in (frontend)').matches(qa)).toBe(false);
  });

  it('supports ==, existence and non-existence', () => {
    expect(parseSelector('environment==qa').matches(qa)).toBe(true);
    expect(parseSelector('tier').matches(qa)).toBe(false);
    expect(parseSelector('tier').matches(dev)).toBe(true);
    expect(parseSelector('!tier').matches(qa)).toBe(true);
    expect(parseSelector('!tier').matches(dev)).toBe(false);
  });

  it('selects everything with an empty selector', () => {
    expect(parseSelector('').matches(undefined)).toBe(true);
    expect(parseSelector('  ').empty()).toBe(true);
  });

  it('rejects malformed selectors with a BadRequest', () => {
    for (const bad of ['a in (b', 'a b c', '=x', 'a=(b)']) {
      let err: unknown;
      try {
        parseSelector(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).code).toBe(400);
    }
  });

  it('turns a LabelSelector into requirements, and a missing one into nothing', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'track', operator: 'Exists' },
      ],
    });
    expect(s.matches({ app: 'web', track: 'stable' })).toBe(true);
    expect(s.matches({ app: 'web', track: 'stable', tier: 'db' })).toBe(false);
    expect(s.matches({ app: 'web' })).toBe(false);
    expect(selectorFromLabelSelector(undefined).matches({ app: 'web' })).toBe(false);
    expect(selectorFromLabelSelector({}).matches({ app: 'web' })).toBe(true);
  });

  it('prints selectors the way Kubernetes does', () => {
    expect(formatLabelSelector({ matchLabels: { tier: 'fe', app: 'web' } })).toBe('app=web,tier=fe');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: ['qa', 'prod'] }] })).toBe('env in (prod,qa)');
    expect(selectorFromSet({ app: 'web' }).toString()).toBe('app=web');
  });
});
