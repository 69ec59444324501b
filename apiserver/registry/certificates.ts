// CertificateSigningRequests: the apiserver records who asked (spec.username, uid, groups, extra: what
// the requester sent there is overwritten) and starts them with an empty status. The spec never changes
// after that; approval goes through the `approval` subresource (the conditions only) and the certificate
// through `status`.
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { CertificateSigningRequests } from '../../shared/api/resources';
import type { Strategy } from './strategy';

export const certificateSigningRequestStrategy: Strategy = {
  resource: CertificateSigningRequests,
  prepareForCreate(obj) {
    (obj as CertificateSigningRequest).status = {};
  },
  async beforeCreate(obj, opts) {
    const spec = (obj as CertificateSigningRequest).spec;
    delete spec.uid;
    delete spec.extra;
    spec.username = opts.user?.username ?? '';
    if (opts.user?.uid) spec.uid = opts.user.uid;
    spec.groups = opts.user?.groups ?? [];
  },
  prepareForUpdate(obj, old) {
    const csr = obj as CertificateSigningRequest;
    csr.spec = structuredClone((old as CertificateSigningRequest).spec);
  },
};

/** What PUT .../approval does: the conditions of the request, everything else as stored. */
export function approve(current: CertificateSigningRequest, body: CertificateSigningRequest): CertificateSigningRequest {
  return { ...current, status: { ...current.status, conditions: body?.status?.conditions ?? [] } };
}
