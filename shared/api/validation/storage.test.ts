import type { StorageClass } from '../storage';
import { defaultStorageClass } from '../defaults/storage';
import { validateStorageClass } from './storage';

const sc = (more: Partial<StorageClass> = {}): StorageClass => {
  const obj: StorageClass = { metadata: { name: 'fast' }, provisioner: 'rancher.io/local-path', ...more };
  defaultStorageClass(obj);
  return obj;
};
const messages = (s: StorageClass, old?: StorageClass) => validateStorageClass(s, old).map((c) => `${c.field}: ${c.message}`);

describe('StorageClass validation', () => {
  it('defaults Delete and Immediate, and wants a provisioner', () => {
    const s = sc();
    expect([s.reclaimPolicy, s.volumeBindingMode]).toEqual(['Delete', 'Immediate']);
    expect(messages(s)).toEqual([]);
    expect(messages(sc({ provisioner: '' }))).toEqual(['provisioner: Required value']);
    expect(messages(sc({ volumeBindingMode: 'Later' as never }))).toEqual([
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
  });

  it('refuses changes to the provisioner, its parameters, the reclaim policy and the binding mode', () => {
    const old = sc({ parameters: { a: 'b' } });
    expect(
      messages(sc({ provisioner: 'example.com/other', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }), old),
    ).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    expect(messages(sc({ parameters: { a: 'b' }, metadata: { name: 'fast', labels: { tier: 'ssd' } } }), old)).toEqual([]);
  });
});
