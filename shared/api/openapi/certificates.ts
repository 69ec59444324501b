// certificates.k8s.io/v1: CertificateSigningRequests.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bytes, definitions, int32, list, listMap, map, object, ref, str } from './model';

export const certificates = definitions('io.k8s.api.certificates.v1', {
  CertificateSigningRequest: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('CertificateSigningRequestSpec', undefined, { default: {} }),
    status: ref('CertificateSigningRequestStatus'),
  }),
  CertificateSigningRequestCondition: object(
    {
      lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      lastUpdateTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      message: str(),
      reason: str(),
      status: str(),
      type: str(),
    },
    { required: ['type', 'status'] },
  ),
  CertificateSigningRequestSpec: object(
    {
      expirationSeconds: int32(),
      extra: map(list(str())),
      groups: list(str()),
      request: bytes(),
      signerName: str(),
      uid: str(),
      usages: list(str()),
      username: str(),
    },
    { required: ['request'] },
  ),
  CertificateSigningRequestStatus: object({
    certificate: bytes(),
    conditions: listMap(ref('CertificateSigningRequestCondition'), ['type']),
  }),
});
