import type { CertificateSigningRequest } from '../../../shared/api/certificates';
import { toTable } from '../../printers';
import { certificateSigningRequestStrategy } from './certificatesigningrequests';

const csr = (status: CertificateSigningRequest['status'], expirationSeconds?: number): CertificateSigningRequest => ({
  metadata: { name: 'csr-abcde', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:bootstrap:abcdef', expirationSeconds },
  status,
});

describe('kubectl get csr', () => {
  it("prints kubectl's columns and conditions", () => {
    const table = toTable(
      certificateSigningRequestStrategy.printer,
      [
        csr({}),
        csr({ conditions: [{ type: 'Approved', status: 'True' }], certificate: 'eA==' }, 3600),
        csr({ conditions: [{ type: 'Denied', status: 'True' }] }),
      ],
      { now: new Date('2026-01-01T00:05:00Z') },
    );
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Age',
      'SignerName',
      'Requestor',
      'RequestedDuration',
      'Condition',
    ]);
    expect(table.rows.map((r) => r.cells)).toEqual([
      ['csr-abcde', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:bootstrap:abcdef', '<none>', 'Pending'],
      ['csr-abcde', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:bootstrap:abcdef', '60m', 'Approved,Issued'],
      ['csr-abcde', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:bootstrap:abcdef', '<none>', 'Denied'],
    ]);
  });
});
