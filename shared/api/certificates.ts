// certificates.k8s.io/v1: CertificateSigningRequests. A client (a joining node) sends a PKCS#10 request
// for a signer; an approver adds the Approved (or Denied) condition through the `approval` subresource;
// the signer writes the certificate into `status.certificate` through `status`.
import type { KubeObject } from './meta';

/** The signer of node client certificates (CN=system:node:<name>, O=system:nodes). */
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The signer of other client certificates the apiserver trusts. */
export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';

export type KeyUsage = 'digital signature' | 'key encipherment' | 'client auth' | 'server auth' | string;

export interface CertificateSigningRequestCondition {
  type: 'Approved' | 'Denied' | 'Failed' | string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    /** The PEM of the PKCS#10 request, base64-encoded (a []byte in Go). */
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: KeyUsage[];
    /** Who asked: set by the apiserver on create, whatever the client sent. */
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: {
    conditions?: CertificateSigningRequestCondition[];
    /** The issued certificate, PEM, base64-encoded. */
    certificate?: string;
  };
}

export const hasCondition = (csr: CertificateSigningRequest, type: string): boolean =>
  csr.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
