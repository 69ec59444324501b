import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeconfig, writeKubeconfig } from './kubeconfig';

describe('kubeconfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps more apiservers in the mini-kubernetes.io/apiservers extension of the cluster', () => {
    const file = path.join(dir, 'ha');
    writeKubeconfig(file, { server: 'https://10.0.0.1:6443', servers: ['https://10.0.0.2:6443', 'https://10.0.0.3:6443'], token: 't' });
    expect(loadKubeconfig(file)).toMatchObject({
      server: 'https://10.0.0.1:6443',
      servers: ['https://10.0.0.2:6443', 'https://10.0.0.3:6443'],
      token: 't',
    });
    expect(fs.readFileSync(file, 'utf8')).toContain('name: mini-kubernetes.io/apiservers');
  });

  it('has no extra servers when the extension is absent', () => {
    const file = path.join(dir, 'one');
    writeKubeconfig(file, { server: 'https://10.0.0.1:6443', token: 't' });
    expect(loadKubeconfig(file).servers).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain('extensions');
  });
});
