// `kubectl get csr`: NAME, AGE, SIGNERNAME, REQUESTOR, REQUESTEDDURATION, CONDITION (`Pending`,
// `Approved,Issued`, `Denied`), as Kubernetes prints them.
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { age, humanDuration } from './age';
import { col, Printer } from './table';

/** The CONDITION column: the Approved/Denied/Failed conditions, then Issued once there is a certificate. */
export function csrCondition(csr: CertificateSigningRequest): string {
  const states = (csr.status?.conditions ?? []).map((c) => c.type).filter((t) => ['Approved', 'Denied', 'Failed'].includes(t));
  if (!states.length) states.push('Pending');
  if (csr.status?.certificate) states.push('Issued');
  return states.join(',');
}

export const certificateSigningRequestPrinter: Printer<CertificateSigningRequest> = {
  columns: [col('Age'), col('SignerName'), col('Requestor'), col('RequestedDuration'), col('Condition')],
  cells: (csr, now) => [
    age(csr.metadata.creationTimestamp, now),
    csr.spec.signerName,
    csr.spec.username ?? '',
    csr.spec.expirationSeconds ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(csr),
  ],
};
