import type { PersistentVolumeClaim, Pod } from '../../../shared/api/core';
import type { PersistentVolume } from '../../../shared/api/core';
import { clockAt, fakeInformers, synced } from '../../testing';
import { PVProtectionController } from '../pvprotection/pvprotection';
import { PVCProtectionController } from './pvcprotection';

const deleting = { deletionTimestamp: '2026-01-01T00:00:00Z' };
const claim = (meta: object = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', finalizers: ['kubernetes.io/pvc-protection'], ...meta },
  spec: {},
});
const pod = (name: string, phase: string): Pod =>
  ({
    metadata: { name, namespace: 'default' },
    spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    status: { phase },
  }) as Pod;

async function run(claims: PersistentVolumeClaim[], pods: Pod[]) {
  const informers = fakeInformers({ persistentvolumeclaims: claims, pods });
  const updates: PersistentVolumeClaim[] = [];
  const c = new PVCProtectionController(informers, { updateClaim: async (pvc) => void updates.push(pvc) }, clockAt('2026-01-01T00:00:00Z'));
  await synced(informers);
  await c.sync('default/data');
  return updates;
}

describe('PVC protection', () => {
  it('keeps a deleted claim while a running pod uses it', async () => {
    expect(await run([claim(deleting)], [pod('web', 'Running')])).toEqual([]);
  });

  it('lets a deleted claim go once its pods are gone or finished', async () => {
    const [updated] = await run([claim(deleting)], [pod('job', 'Succeeded')]);
    expect(updated.metadata.finalizers).toEqual([]);
  });

  it('adds the finalizer to a claim that lacks it', async () => {
    const [updated] = await run([claim({ finalizers: undefined })], []);
    expect(updated.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });
});

describe('PV protection', () => {
  const volume = (phase: string): PersistentVolume => ({
    metadata: { name: 'pv-1', finalizers: ['kubernetes.io/pv-protection'], ...deleting },
    spec: {},
    status: { phase: phase as 'Bound' },
  });
  async function runPV(pv: PersistentVolume) {
    const informers = fakeInformers({ persistentvolumes: [pv] });
    const updates: PersistentVolume[] = [];
    const c = new PVProtectionController(informers, { updateVolume: async (v) => void updates.push(v) }, clockAt('2026-01-01T00:00:00Z'));
    await synced(informers);
    await c.sync('pv-1');
    return updates;
  }

  it('keeps a deleted volume while it is bound, and lets it go once it is not', async () => {
    expect(await runPV(volume('Bound'))).toEqual([]);
    expect((await runPV(volume('Released')))[0].metadata.finalizers).toEqual([]);
  });
});
