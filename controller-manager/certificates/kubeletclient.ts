// What a kubelet's client certificate request must look like (Kubernetes' ValidateKubeletClientCSR): the
// subject `CN=system:node:<name>, O=system:nodes` and nothing else, no subject alternative names, and
// the usages of a client certificate. The approver approves only such requests; the signer of
// kubernetes.io/kube-apiserver-client-kubelet signs only such requests.
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { CertificateRequestInfo, parseCertificateRequest } from '../../shared/pki';

const REQUIRED_USAGES = ['client auth'];
const ALLOWED_USAGES = new Set(['client auth', 'digital signature', 'key encipherment']);
export const NODE_USER_PREFIX = 'system:node:';

/** The request's PKCS#10 content, or undefined when it cannot be read. */
export function requestOf(csr: CertificateSigningRequest): CertificateRequestInfo | undefined {
  try {
    return parseCertificateRequest(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Why the request is not a kubelet client certificate request, or undefined when it is one. */
export function kubeletClientProblem(csr: CertificateSigningRequest, req: CertificateRequestInfo): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!req.commonName.startsWith(NODE_USER_PREFIX)) return 'subject common name does not begin with system:node:';
  if (req.dnsNames.length || req.ips.length || req.emails.length || req.uris.length)
    return 'DNS, email, IP and URI subjectAltNames are not allowed';
  const usages = csr.spec.usages ?? [];
  for (const u of REQUIRED_USAGES) if (!usages.includes(u)) return `missing required usages: ${u}`;
  const extra = usages.filter((u) => !ALLOWED_USAGES.has(u));
  if (extra.length) return `usages did not match ${[...ALLOWED_USAGES].join(', ')}: ${extra.join(', ')}`;
  return undefined;
}
