import type { PodSpec } from '../core';
import { defaultPodSpec } from './core';

describe('defaultPodSpec', () => {
  const spec = (fields: Partial<PodSpec>): PodSpec => ({ containers: [{ name: 'app', image: 'busybox' }], ...fields });

  it('takes the deprecated serviceAccount as serviceAccountName, and serves both', () => {
    const old = spec({ serviceAccount: 'robot' });
    defaultPodSpec(old);
    expect([old.serviceAccountName, old.serviceAccount]).toEqual(['robot', 'robot']);
    const current = spec({ serviceAccountName: 'robot' });
    defaultPodSpec(current);
    expect([current.serviceAccountName, current.serviceAccount]).toEqual(['robot', 'robot']);
  });

  it('lets serviceAccountName win over a different deprecated serviceAccount', () => {
    const both = spec({ serviceAccountName: 'robot', serviceAccount: 'other' });
    defaultPodSpec(both);
    expect([both.serviceAccountName, both.serviceAccount]).toEqual(['robot', 'robot']);
  });

  it('sets neither when neither is given (ServiceAccount admission picks default)', () => {
    const none = spec({});
    defaultPodSpec(none);
    expect(Object.keys(none)).not.toContain('serviceAccountName'); // no key with undefined either: field sets see keys
  });
});
