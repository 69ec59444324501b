// The three admission plugins Kubernetes guards CertificateSigningRequests with
// (plugin/pkg/admission/certificates/{approval,signing,subjectrestriction}):
//   CertificateApproval              approving or denying needs `approve` on the request's signer
//   CertificateSigning               issuing a certificate (status.certificate) needs `sign` on it
//   CertificateSubjectRestriction    no kube-apiserver-client certificate for the system:masters group
// Without them, whoever may update certificatesigningrequests/approval could mint a cluster-admin
// certificate for anyone. Signers are authorized as resource `signers` of certificates.k8s.io, by name
// (`kubernetes.io/kube-apiserver-client`) or by the domain wildcard (`kubernetes.io/*`).
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { KUBE_APISERVER_CLIENT } from '../../shared/api/certificates';
import { parseCertificateRequest } from '../../shared/pki';
import type { Authorizer } from '../auth/authorizer';
import { AdmissionAttributes, admissionForbidden, ValidationPlugin } from './admission';

/** Whether the user may `verb` the signer, by its name or its domain wildcard. */
async function authorizedForSigner(authorizer: Authorizer, attrs: AdmissionAttributes, verb: string, signerName: string): Promise<boolean> {
  const ask = async (name: string) =>
    (
      await authorizer.authorize({
        user: attrs.user,
        isResourceRequest: true,
        verb,
        apiGroup: 'certificates.k8s.io',
        apiVersion: '*',
        namespace: '',
        resource: 'signers',
        subresource: '',
        name,
        path: '',
      })
    ).decision === 'allow';
  const slash = signerName.indexOf('/');
  return (await ask(signerName)) || (slash > 0 && (await ask(`${signerName.slice(0, slash)}/*`)));
}

const isCSR = (attrs: AdmissionAttributes) => attrs.resource.kind === 'CertificateSigningRequest';

export function certificateApproval(authorizer: Authorizer): ValidationPlugin {
  return {
    async validate(attrs) {
      if (!isCSR(attrs) || attrs.operation !== 'UPDATE' || attrs.subresource !== 'approval') return;
      const signer = (attrs.object as CertificateSigningRequest).spec.signerName;
      if (!(await authorizedForSigner(authorizer, attrs, 'approve', signer))) {
        throw admissionForbidden(attrs, `user not permitted to approve requests with signerName "${signer}"`);
      }
    },
  };
}

export function certificateSigning(authorizer: Authorizer): ValidationPlugin {
  return {
    async validate(attrs) {
      if (!isCSR(attrs) || attrs.operation !== 'UPDATE' || attrs.subresource !== 'status') return;
      const before = (attrs.oldObject as CertificateSigningRequest | undefined)?.status?.certificate;
      const csr = attrs.object as CertificateSigningRequest;
      if ((csr.status?.certificate ?? '') === (before ?? '')) return;
      if (!(await authorizedForSigner(authorizer, attrs, 'sign', csr.spec.signerName))) {
        throw admissionForbidden(attrs, `user not permitted to sign requests with signerName "${csr.spec.signerName}"`);
      }
    },
  };
}

export const certificateSubjectRestriction: ValidationPlugin = {
  validate(attrs) {
    if (!isCSR(attrs) || attrs.operation !== 'CREATE' || attrs.subresource !== '') return;
    const csr = attrs.object as CertificateSigningRequest;
    if (csr.spec.signerName !== KUBE_APISERVER_CLIENT) return;
    let organizations: string[];
    try {
      organizations = parseCertificateRequest(Buffer.from(csr.spec.request, 'base64').toString()).organizations;
    } catch {
      return; // validation reports a request that does not parse
    }
    if (organizations.includes('system:masters')) {
      throw admissionForbidden(attrs, `use of ${KUBE_APISERVER_CLIENT} signer with system:masters group is not allowed`);
    }
  },
};
