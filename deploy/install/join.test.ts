// The worker's side of joining, against a fake apiserver that records what it is sent: discovery reads
// cluster-info without credentials and checks the signature and the CA pin before the token is ever
// sent; then TLS bootstrapping sends a CSR with the token and keeps the certificate it gets.
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { computeDetachedSignature } from '../../shared/jws';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { issueServingCertificate, KeyPair, newCertificateAuthority, signCertificateRequest } from '../../shared/pki';
import { clusterInfoKubeconfig } from './clusterinfo';
import { caCertHash, join, JoinOptions } from './join';

const TOKEN = 'abcdef.0123456789abcdef';
const ca = newCertificateAuthority('cluster-ca');
const serving = issueServingCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });

interface Seen {
  method: string;
  path: string;
  authorization?: string;
}

/** A fake apiserver: cluster-info signed with `signWith` (if any) from its `unsigned`+1st answer; CSRs signed at once. */
async function fakeApiserver(servingPair: KeyPair, signWith?: string, unsigned = 0) {
  const seen: Seen[] = [];
  let csr: CertificateSigningRequest | undefined;
  const server = https.createServer({ cert: servingPair.cert, key: servingPair.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization });
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/api/v1/namespaces/kube-public/configmaps/cluster-info') {
        const kubeconfig = clusterInfoKubeconfig(url, ca.cert);
        const data: Record<string, string> = { kubeconfig };
        if (signWith && unsigned-- <= 0)
          data[`jws-kubeconfig-${signWith.split('.')[0]}`] = computeDetachedSignature(
            kubeconfig,
            ...(signWith.split('.') as [string, string]),
          );
        return res.end(JSON.stringify({ metadata: { name: 'cluster-info' }, data }));
      }
      if (req.method === 'POST' && req.url?.startsWith('/apis/certificates.k8s.io/v1/certificatesigningrequests')) {
        csr = { ...(JSON.parse(Buffer.concat(chunks).toString()) as CertificateSigningRequest), metadata: { name: 'csr-x1y2z' } };
        res.statusCode = 201;
        return res.end(JSON.stringify(csr));
      }
      if (req.method === 'GET' && req.url === '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-x1y2z' && csr) {
        const pem = signCertificateRequest(ca, Buffer.from(csr.spec.request, 'base64').toString(), csr.spec.usages!, 3600_000);
        return res.end(
          JSON.stringify({
            ...csr,
            status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from(pem).toString('base64') },
          }),
        );
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'join-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const options = (server: string, o: Partial<JoinOptions> = {}): JoinOptions => ({
  server,
  token: TOKEN,
  caCertHashes: [caCertHash(ca.cert)],
  skipCAVerification: false,
  timeoutMs: 300,
  intervalMs: 50,
  nodeName: 'w1',
  dataDir: dir,
  ...o,
});

describe('joining a worker', () => {
  it('reads cluster-info anonymously, checks signature and pin, and only then uses the token for its certificate', async () => {
    const api = await fakeApiserver(serving, TOKEN);
    try {
      const kubeconfig = path.join(dir, 'node.kubeconfig');
      expect(await join(options(api.url), kubeconfig)).toBe(caCertHash(ca.cert));
      expect(api.seen.map((s) => `${s.method} ${s.path.split('?')[0]} ${s.authorization ?? 'anonymous'}`)).toEqual([
        'GET /api/v1/namespaces/kube-public/configmaps/cluster-info anonymous',
        'GET /api/v1/namespaces/kube-public/configmaps/cluster-info anonymous',
        `POST /apis/certificates.k8s.io/v1/certificatesigningrequests Bearer ${TOKEN}`,
        `GET /apis/certificates.k8s.io/v1/certificatesigningrequests/csr-x1y2z Bearer ${TOKEN}`,
      ]);
      const config = loadKubeconfig(kubeconfig);
      expect(config.token).toBeUndefined();
      expect(config.cert!.toString()).toContain('BEGIN CERTIFICATE');
      expect(fs.statSync(kubeconfig).mode & 0o777).toBe(0o600);
    } finally {
      await api.close();
    }
  });

  it('waits for the bootstrapsigner to sign cluster-info with a new token', async () => {
    const api = await fakeApiserver(serving, TOKEN, 2);
    try {
      await join(options(api.url), path.join(dir, 'k'));
      expect(api.seen.filter((s) => s.path.endsWith('/cluster-info')).length).toBe(4); // twice unsigned, once signed, once verified
    } finally {
      await api.close();
    }
  });

  it('refuses a wrong pin before sending any token', async () => {
    const api = await fakeApiserver(serving, TOKEN);
    try {
      const wrong = `sha256:${'0'.repeat(64)}`;
      await expect(join(options(api.url, { caCertHashes: [wrong] }), path.join(dir, 'k'))).rejects.toThrow(
        `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caCertHash(ca.cert)}" are pinned`,
      );
      expect(api.seen.length).toBeGreaterThan(0);
      expect(api.seen.every((s) => s.authorization === undefined)).toBe(true);
      expect(fs.existsSync(path.join(dir, 'k'))).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('refuses a cluster-info its token did not sign (an expired or unknown token, or another server)', async () => {
    for (const signWith of [undefined, 'abcdef.ffffffffffffffff']) {
      const api = await fakeApiserver(serving, signWith);
      try {
        await expect(join(options(api.url), path.join(dir, 'k'))).rejects.toThrow(
          signWith
            ? "failed to verify JWS signature of received cluster info object, can't trust this API Server"
            : 'token id "abcdef" is invalid for this cluster or it has expired',
        );
        expect(api.seen.every((s) => s.authorization === undefined)).toBe(true);
      } finally {
        await api.close();
      }
    }
  });

  it('needs a pin unless told to skip CA verification, and then asks nothing before refusing', async () => {
    const api = await fakeApiserver(serving, TOKEN);
    try {
      await expect(join(options(api.url, { caCertHashes: [] }), path.join(dir, 'k'))).rejects.toThrow(
        /without --discovery-token-ca-cert-hash can be unsafe/,
      );
      expect(api.seen).toEqual([]);
      await join(options(api.url, { caCertHashes: [], skipCAVerification: true }), path.join(dir, 'k'));
      expect(fs.existsSync(path.join(dir, 'k'))).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('refuses a server whose certificate is not of the pinned CA, once it knows the CA', async () => {
    const impostor = issueServingCertificate(newCertificateAuthority('other'), {
      commonName: 'x',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
    const api = await fakeApiserver(impostor, TOKEN);
    try {
      await expect(join(options(api.url), path.join(dir, 'k'))).rejects.toThrow();
      expect(api.seen.every((s) => s.authorization === undefined)).toBe(true);
    } finally {
      await api.close();
    }
  });
});
