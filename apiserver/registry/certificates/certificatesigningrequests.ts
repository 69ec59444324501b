// CertificateSigningRequests: the apiserver records who asked (spec.username, uid, groups, extra: what
// the requester sent there is overwritten) and starts them with an empty status. The spec never changes
// after that; approval goes through the `approval` subresource (the conditions only) and the certificate
// through `status`. Printed as NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.
import type { CertificateSigningRequest } from '../../../shared/api/certificates';
import { CertificateSigningRequests } from '../../../shared/api/resources';
import { validateCertificateSigningRequest } from '../../../shared/api/validation/certificates';
import { age, humanDuration } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

/** The CONDITION column: the Approved/Denied/Failed conditions, then Issued once there is a certificate. */
export function csrCondition(csr: CertificateSigningRequest): string {
  const states = (csr.status?.conditions ?? []).map((c) => c.type).filter((t) => ['Approved', 'Denied', 'Failed'].includes(t));
  if (!states.length) states.push('Pending');
  if (csr.status?.certificate) states.push('Issued');
  return states.join(',');
}

const certificateSigningRequestPrinter: Printer<CertificateSigningRequest> = {
  columns: [col('Age'), col('SignerName'), col('Requestor'), col('RequestedDuration'), col('Condition')],
  cells: (csr, now) => [
    age(csr.metadata.creationTimestamp, now),
    csr.spec.signerName,
    csr.spec.username ?? '',
    csr.spec.expirationSeconds ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(csr),
  ],
};

export const certificateSigningRequestStrategy: Strategy<CertificateSigningRequest> = {
  resource: CertificateSigningRequests,
  validate: validateCertificateSigningRequest,
  printer: certificateSigningRequestPrinter,
  prepareForCreate(csr) {
    csr.status = {};
  },
  async beforeCreate(csr, opts) {
    const spec = csr.spec;
    delete spec.uid;
    delete spec.extra;
    spec.username = opts.user?.username ?? '';
    if (opts.user?.uid) spec.uid = opts.user.uid;
    spec.groups = opts.user?.groups ?? [];
  },
  prepareForUpdate(csr, old) {
    csr.spec = structuredClone(old.spec);
  },
};

/** What PUT .../approval does: the conditions of the request, everything else as stored. */
export function approve(current: CertificateSigningRequest, body: CertificateSigningRequest): CertificateSigningRequest {
  return { ...current, status: { ...current.status, conditions: body?.status?.conditions ?? [] } };
}
