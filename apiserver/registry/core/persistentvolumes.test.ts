import type { KubeObject } from '../../../shared/api/meta';
import { toTable } from '../../printers';
import type { Printer } from '../../printers/table';
import { storageClassStrategy } from '../storage/storageclasses';
import { defaultStorageClassName } from '../storage/storageclasses';
import { persistentVolumeClaimStrategy } from './persistentvolumeclaims';
import { persistentVolumeStrategy } from './persistentvolumes';

const now = new Date('2026-01-01T00:10:00Z');
const created = '2026-01-01T00:00:00Z';
const cells = (printer: unknown, objects: object[], wide = false) => {
  const table = toTable(printer as Printer, objects as KubeObject[], { now });
  const shown = table.columnDefinitions.map((c, i) => [c, i] as const).filter(([c]) => wide || !c.priority);
  return [shown.map(([c]) => c.name.toUpperCase()), ...table.rows.map((r) => shown.map(([, i]) => r.cells[i]))];
};

describe('kubectl get pv,pvc,sc columns', () => {
  it('prints a volume as kubectl 1.31+ does: NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE', () => {
    const pv = {
      metadata: { name: 'pv-1', creationTimestamp: created },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'manual',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    };
    expect(cells(persistentVolumeStrategy.printer, [pv, { ...pv, metadata: { ...pv.metadata, deletionTimestamp: created } }])).toEqual([
      ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
      ['pv-1', '1Gi', 'RWO,ROX', 'Retain', 'Bound', 'default/data', 'manual', '<unset>', '', '10m'],
      ['pv-1', '1Gi', 'RWO,ROX', 'Retain', 'Terminating', 'default/data', 'manual', '<unset>', '', '10m'],
    ]);
    expect(cells(persistentVolumeStrategy.printer, [pv], true)[0].at(-1)).toBe('VOLUMEMODE');
  });

  it('prints a claim with the capacity and modes of its volume once bound', () => {
    const printer = persistentVolumeClaimStrategy(async () => undefined).printer;
    const pending = {
      metadata: { name: 'data', namespace: 'default', creationTimestamp: created },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path' },
      status: { phase: 'Pending' },
    };
    const bound = {
      ...pending,
      spec: { ...pending.spec, volumeName: 'pvc-1234' },
      status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    expect(cells(printer, [pending, bound])).toEqual([
      ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
      ['data', 'Pending', '', '', '', 'local-path', '<unset>', '10m'],
      ['data', 'Bound', 'pvc-1234', '2Gi', 'RWO', 'local-path', '<unset>', '10m'],
    ]);
  });

  it('marks the default StorageClass in its name', () => {
    const sc = (name: string, isDefault: boolean) => ({
      metadata: {
        name,
        creationTimestamp: created,
        annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {},
      },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    expect(cells(storageClassStrategy.printer, [sc('local-path', true), sc('slow', false)])).toEqual([
      ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
      ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '10m'],
      ['slow', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '10m'],
    ]);
  });

  it('takes the newest of several default classes, as DefaultStorageClass admission does', () => {
    const sc = (name: string, creationTimestamp: string, isDefault = true) => ({
      metadata: { name, creationTimestamp, annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) } },
      provisioner: 'x',
    });
    expect(
      defaultStorageClassName([
        sc('old', '2026-01-01T00:00:00Z'),
        sc('new', '2026-01-02T00:00:00Z'),
        sc('newest', '2026-01-03T00:00:00Z', false),
      ]),
    ).toBe('new');
    expect(defaultStorageClassName([sc('a', created, false)])).toBeUndefined();
  });
});
