import crypto from 'node:crypto';
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { newLogger } from '../../shared/log';
import { newCertificateAuthority, newCertificateRequest } from '../../shared/pki';
import { clockAt, fakeInformers, synced } from '../testing';
import { CSRApprovingController, recognizersFor } from './approver';
import { certificateLifetimeMs, CSRSigningController, signerProblem } from './signer';

const silent = newLogger('test').child({ level: 'silent' });
const ca = newCertificateAuthority('test-ca');

function csr(
  name: string,
  opts: {
    cn?: string;
    o?: string[];
    username?: string;
    usages?: string[];
    signer?: string;
    approved?: boolean;
    expirationSeconds?: number;
  } = {},
): CertificateSigningRequest {
  const { csr: pem } = newCertificateRequest(opts.cn ?? 'system:node:w1', opts.o ?? ['system:nodes']);
  return {
    metadata: { name, uid: `uid-${name}`, resourceVersion: '7' },
    spec: {
      request: Buffer.from(pem).toString('base64'),
      signerName: opts.signer ?? 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: opts.usages ?? ['digital signature', 'key encipherment', 'client auth'],
      username: opts.username ?? 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:authenticated'],
      expirationSeconds: opts.expirationSeconds,
    },
    status: opts.approved ? { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] } : {},
  };
}

describe('the CSR approver', () => {
  it('recognizes node client requests, their own renewals first, and nothing else', () => {
    expect(recognizersFor(csr('a')).map((r) => r.subresource)).toEqual(['nodeclient']);
    expect(recognizersFor(csr('b', { username: 'system:node:w1' })).map((r) => r.subresource)).toEqual(['selfnodeclient', 'nodeclient']);
    for (const other of [
      csr('c', { o: ['system:masters'] }),
      csr('d', { cn: 'admin' }),
      csr('e', { usages: ['client auth', 'server auth'] }),
      csr('f', { usages: ['digital signature'] }),
      csr('g', { signer: 'kubernetes.io/kube-apiserver-client' }),
    ])
      expect(recognizersFor(other)).toEqual([]);
  });

  async function approver(objects: CertificateSigningRequest[], allowed: string[]) {
    const informers = fakeInformers({ certificatesigningrequests: objects });
    const asked: string[] = [];
    const approved: CertificateSigningRequest[] = [];
    const c = new CSRApprovingController(
      informers,
      {
        authorized: async (r, sub) => {
          asked.push(`${r.spec.username} ${sub}`);
          return allowed.includes(sub);
        },
        updateApproval: async (r) => void approved.push(r),
      },
      clockAt('2026-01-01T00:00:00Z'),
      silent,
    );
    await synced(informers);
    return { c, asked, approved };
  }

  it('approves when the SubjectAccessReview for nodeclient allows the requester', async () => {
    const { c, asked, approved } = await approver([csr('a')], ['nodeclient']);
    await c.sync('a');
    expect(asked).toEqual(['system:bootstrap:abcdef nodeclient']);
    expect(approved[0].status!.conditions).toEqual([
      {
        type: 'Approved',
        status: 'True',
        reason: 'AutoApproved',
        message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
        lastUpdateTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(approved[0].metadata.resourceVersion).toBe('7');
  });

  it('leaves the request pending when RBAC says no, and does not touch decided or foreign requests', async () => {
    const { c, approved, asked } = await approver([csr('a'), csr('b', { approved: true }), csr('c', { signer: 'example.com/x' })], []);
    for (const name of ['a', 'b', 'c']) await c.sync(name);
    expect(asked).toEqual(['system:bootstrap:abcdef nodeclient']);
    expect(approved).toEqual([]);
  });
});

describe('the CSR signer', () => {
  async function signer(objects: CertificateSigningRequest[]) {
    const informers = fakeInformers({ certificatesigningrequests: objects });
    const written: CertificateSigningRequest[] = [];
    const c = new CSRSigningController(
      informers,
      { updateStatus: async (r) => void written.push(r) },
      ca,
      365 * 24 * 3600_000,
      clockAt('2026-01-01T00:00:00Z'),
      silent,
    );
    await synced(informers);
    return { c, written };
  }

  it('signs an approved node client request with the cluster CA, for its subject and usages', async () => {
    const { c, written } = await signer([csr('a', { approved: true })]);
    await c.sync('a');
    const cert = new crypto.X509Certificate(Buffer.from(written[0].status!.certificate!, 'base64'));
    expect(cert.subject).toBe('CN=system:node:w1\nO=system:nodes');
    expect(cert.verify(new crypto.X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // client auth
    expect(written[0].status!.conditions!.map((x) => x.type)).toEqual(['Approved']);
  });

  it('signs nothing pending, and marks a kubelet request that names more than a node Failed', async () => {
    const { c, written } = await signer([csr('pending'), csr('masters', { o: ['system:masters'], approved: true })]);
    await c.sync('pending');
    await c.sync('masters');
    expect(written).toHaveLength(1);
    expect(written[0].status!.certificate).toBeUndefined();
    expect(written[0].status!.conditions![1]).toMatchObject({
      type: 'Failed',
      reason: 'SignerValidationFailure',
      message: 'subject organization is not system:nodes',
    });
  });

  it('keeps a certificate within the duration the request asks for', () => {
    expect(certificateLifetimeMs(csr('a', { expirationSeconds: 3600 }), 365 * 24 * 3600_000)).toBe(3600_000);
    expect(certificateLifetimeMs(csr('a'), 3600_000)).toBe(3600_000);
    expect(signerProblem(csr('user', { cn: 'jane', o: ['dev'], signer: 'kubernetes.io/kube-apiserver-client' }))).toBeUndefined();
  });
});
