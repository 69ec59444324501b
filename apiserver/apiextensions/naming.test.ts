import type { CustomResourceDefinition } from '../../shared/api/apiextensions';
import { compareVersions } from './customresources';
import { decideNames } from './naming';

const crd = (name: string, plural: string, kind: string, shortNames?: string[], accepted = false): CustomResourceDefinition => {
  const names = { plural, singular: plural.replace(/s$/, ''), kind, listKind: `${kind}List`, ...(shortNames ? { shortNames } : {}) };
  return {
    metadata: { name: `${name}.example.com` },
    spec: { group: 'example.com', scope: 'Namespaced', names, versions: [{ name: 'v1', served: true, storage: true }] },
    ...(accepted ? { status: { acceptedNames: names } } : {}),
  };
};

describe('naming and establishing', () => {
  it('accepts names no other CRD of the group uses, and establishes the CRD', () => {
    const a = crd('crontabs', 'crontabs', 'CronTab', ['ct']);
    const decision = decideNames(a, [a, crd('websites', 'websites', 'Website', ['ws'], true)]);
    expect(decision.acceptedNames).toEqual(a.spec.names);
    expect(decision.conditions).toEqual([
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ]);
  });

  it('refuses names already accepted for another CRD, and does not establish', () => {
    const other = crd('websites', 'websites', 'Website', ['ws'], true);
    const b = crd('webs', 'webs', 'Web', ['ws']);
    const decision = decideNames(b, [other, b]);
    expect(decision.acceptedNames.shortNames).toBeUndefined();
    expect(decision.acceptedNames.plural).toBe('webs');
    expect(decision.conditions).toEqual([
      { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: '"ws" is already in use' },
      { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
    ]);
  });
});

describe('version priority', () => {
  it('orders GA before beta before alpha, higher numbers first, other names last', () => {
    expect(['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v11alpha2', 'v1beta2', 'bar'].sort(compareVersions)).toEqual([
      'v2',
      'v1',
      'v1beta2',
      'v1beta1',
      'v11alpha2',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });
});
