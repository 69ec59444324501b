// The certificate hand-over of a control-plane join at a real apiserver and controller-manager: the CA
// and keys come back only with the printed certificate key, and the Secret that holds them goes away
// when its two-hour token expires (token cleaner, then garbage collector).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Secret } from '../../shared/api/core';
import { Secrets } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { isNotFound } from '../../shared/errors';
import { CERTS_TTL_MS, downloadCerts, generateCertificateKey, KUBEADM_CERTS_SECRET, uploadCerts } from '../../deploy/install/uploadcerts';
import { ControlPlane, DIST, Proc, startControlPlane, startProcess, waitFor } from '../processes';

let cp: ControlPlane;
let controllerManager: Proc;
let admin: Client;
const files = { 'ca.crt': Buffer.from('-----BEGIN CERTIFICATE-----\n'), 'ca.key': Buffer.from('-----BEGIN PRIVATE KEY-----\n') };

beforeAll(async () => {
  cp = await startControlPlane([], []);
  controllerManager = startProcess(
    process.execPath,
    [
      path.join(DIST, 'controller-manager', 'main.js'),
      `--kubeconfig=${cp.componentKubeconfig('controller-manager')}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--controllers=tokencleaner,garbagecollector',
    ],
    `${cp.dir}/controller-manager.log`,
  );
  admin = new Client(cp.config);
});
afterAll(async () => {
  await controllerManager?.stop();
  await cp?.stop();
});

it('gives the certificates back only to the holder of the certificate key', async () => {
  const key = generateCertificateKey();
  await uploadCerts(admin, files, key);
  expect(await downloadCerts(admin, key)).toEqual(files);
  await expect(downloadCerts(admin, generateCertificateKey())).rejects.toThrow(/wrong certificate key/);
  const stored = await admin.resource<Secret>(Secrets).get('kube-system', KUBEADM_CERTS_SECRET);
  expect(Buffer.from(stored.data?.['ca.key'] ?? '', 'base64').includes(files['ca.key'])).toBe(false);
});

it('`install.sh upload-certs` hands over the CA, the static tokens and the ServiceAccount key pair under the key it prints', async () => {
  const run = spawnSync(process.execPath, [path.join(DIST, 'deploy', 'install', 'main.js'), 'upload-certs', `--data-dir=${cp.dir}`], {
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  const key = run.stdout.match(/Using certificate key:\n([0-9a-f]{64})\n/)?.[1];
  expect(key).toBeDefined();
  const handedOver = await downloadCerts(admin, key ?? '');
  expect(Object.keys(handedOver).sort()).toEqual(['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'tokens.csv']);
  expect(handedOver['ca.key']).toEqual(fs.readFileSync(path.join(cp.dir, 'pki', 'ca.key')));
  expect(handedOver['sa.key']).toEqual(fs.readFileSync(path.join(cp.dir, 'pki', 'sa.key')));
});

it('a second upload replaces the first: the old key no longer opens it', async () => {
  const [first, second] = [generateCertificateKey(), generateCertificateKey()];
  await uploadCerts(admin, files, first);
  await uploadCerts(admin, files, second);
  expect(await downloadCerts(admin, second)).toEqual(files);
  await expect(downloadCerts(admin, first)).rejects.toThrow(/wrong certificate key/);
});

it('expires with its token: an upload made more than two hours ago is gone, and the joiner is told so', async () => {
  const key = generateCertificateKey();
  await uploadCerts(admin, files, key, Date.now() - CERTS_TTL_MS - 60_000);
  await waitFor(
    async () => {
      try {
        await admin.resource<Secret>(Secrets).get('kube-system', KUBEADM_CERTS_SECRET);
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    { timeoutMs: 60_000, what: 'the kubeadm-certs Secret to be garbage-collected' },
  );
  await expect(downloadCerts(admin, key)).rejects.toThrow(/might have expired/);
});
