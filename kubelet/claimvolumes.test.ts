// persistentVolumeClaim volumes and hostPath types in setUpVolumes, on a real directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from '../shared/api/core';
import { setUpVolumes, VolumeSources } from './volumes';

let base: string;
beforeEach(() => (base = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-'))));
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const pod = (volumes: Volume[]): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], volumes },
});
const claim = (phase: 'Bound' | 'Pending', volumeName?: string): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'uid-data' },
  spec: { volumeName },
  status: { phase },
});
const volumeAt = (p: string, type = 'DirectoryOrCreate'): PersistentVolume => ({
  metadata: { name: 'pv-1' },
  spec: { hostPath: { path: p, type }, claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } },
});
const sources = (pvc?: PersistentVolumeClaim, pv?: PersistentVolume): VolumeSources => ({
  configMap: async () => undefined,
  secret: async () => undefined,
  persistentVolumeClaim: async () => pvc,
  persistentVolume: async () => pv,
});
const claimVolume = (readOnly?: boolean): Volume => ({ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly } });

describe('persistentVolumeClaim volumes', () => {
  it("mount the bound volume's directory, made when its type is DirectoryOrCreate, read-only when the pod says so", async () => {
    const dir = path.join(base, 'storage', 'pvc-1_default_data');
    const root = path.join(base, 'kubelet');
    const rw = await setUpVolumes(root, pod([claimVolume()]), sources(claim('Bound', 'pv-1'), volumeAt(dir)));
    expect(rw.get('data')).toEqual({ path: dir, readOnly: false });
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    const ro = await setUpVolumes(root, pod([claimVolume(true)]), sources(claim('Bound', 'pv-1'), volumeAt(dir)));
    expect(ro.get('data')).toEqual({ path: dir, readOnly: true });
  });

  it('refuse a claim that is missing or not bound, in the kubelet words', async () => {
    const root = path.join(base, 'kubelet');
    await expect(setUpVolumes(root, pod([claimVolume()]), sources())).rejects.toThrow('persistentvolumeclaim "data" not found');
    await expect(setUpVolumes(root, pod([claimVolume()]), sources(claim('Pending')))).rejects.toThrow(
      'PVC default/data has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
    );
  });

  it('check a hostPath against its type', async () => {
    const root = path.join(base, 'kubelet');
    const file = path.join(base, 'file');
    fs.writeFileSync(file, '');
    await expect(setUpVolumes(root, pod([claimVolume()]), sources(claim('Bound', 'pv-1'), volumeAt(file)))).rejects.toThrow(
      `hostPath type check failed: ${file} is not a directory`,
    );
    await expect(
      setUpVolumes(root, pod([{ name: 'h', hostPath: { path: path.join(base, 'nope'), type: 'Directory' } }]), sources()),
    ).rejects.toThrow('is not a directory');
    // FileOrCreate makes the file, not its directory (as in Kubernetes).
    const created = path.join(base, 'made', 'f');
    await expect(setUpVolumes(root, pod([{ name: 'h', hostPath: { path: created, type: 'FileOrCreate' } }]), sources())).rejects.toThrow(
      'ENOENT',
    );
    fs.mkdirSync(path.dirname(created));
    await setUpVolumes(root, pod([{ name: 'h', hostPath: { path: created, type: 'FileOrCreate' } }]), sources());
    expect(fs.statSync(created).isFile()).toBe(true);
  });
});
