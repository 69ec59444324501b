import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../certificates';
import { newCertificateRequest } from '../../pki';
import { validateCertificateSigningRequest } from './certificates';

const request = Buffer.from(newCertificateRequest('system:node:w1', ['system:nodes']).csr).toString('base64');
const csr = (
  spec: Partial<CertificateSigningRequest['spec']> = {},
  conditions?: CertificateSigningRequestCondition[],
): CertificateSigningRequest => ({
  metadata: { name: 'x' },
  spec: { request, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth'], ...spec },
  status: conditions ? { conditions } : {},
});
const messages = (c: CertificateSigningRequest, old?: CertificateSigningRequest) =>
  validateCertificateSigningRequest(c, old).map((e) => `${e.field}: ${e.message}`);
const approved = { type: 'Approved', status: 'True' as const };
const denied = { type: 'Denied', status: 'True' as const };

describe('CertificateSigningRequest validation', () => {
  it('accepts a well-formed request', () => {
    expect(messages(csr())).toEqual([]);
  });

  it('refuses what Kubernetes refuses, with its field paths', () => {
    expect(messages(csr({ request: Buffer.from('hello').toString('base64') }))).toEqual([
      'spec.request: Invalid value: "<request data>": PEM block type must be CERTIFICATE REQUEST',
    ]);
    expect(messages(csr({ signerName: '', usages: [] }))).toEqual([
      'spec.signerName: Required value',
      'spec.usages: Required value: usages must be provided',
    ]);
    expect(messages(csr({ usages: ['client auth', 'flying'], expirationSeconds: 60 }))).toEqual([
      'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
      expect.stringMatching(/^spec\.usages\[1\]: Unsupported value: "flying": supported values: "signing", /),
    ]);
  });

  it('keeps Approved and Denied apart, and once there', () => {
    expect(messages(csr({}, [approved, denied]))).toEqual([
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    ]);
    expect(messages(csr({}, [approved, approved]))).toEqual(['status.conditions[1].type: Duplicate value: "Approved"']);
    expect(messages(csr({}, []), csr({}, [approved]))).toEqual([
      'status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
    ]);
  });

  it('lets a certificate be set once', () => {
    const issued = {
      ...csr({}, [approved]),
      status: {
        conditions: [approved],
        certificate: Buffer.from('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n').toString('base64'),
      },
    };
    expect(messages(issued, csr({}, [approved]))).toEqual([]);
    expect(messages({ ...issued, status: { ...issued.status, certificate: 'eA==' } }, issued)).toEqual([
      'status.certificate: Invalid value: "": updates may not modify existing certificate content',
    ]);
  });
});
