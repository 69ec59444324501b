// TLS bootstrapping (what a kubelet started with --bootstrap-kubeconfig does): with the bootstrap token,
// send a CertificateSigningRequest for `CN=system:node:<name>, O=system:nodes` to the signer
// kubernetes.io/kube-apiserver-client-kubelet, wait until the controller-manager has approved and signed
// it, and keep the certificate with the key that never left this machine.
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import { hasCondition, KUBE_APISERVER_CLIENT_KUBELET } from '../../shared/api/certificates';
import { CertificateSigningRequests } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { newCertificateRequest } from '../../shared/pki';

export interface BootstrapClient {
  server: string;
  ca: Buffer;
  token: string;
}

/** The node's client certificate and key (PEM), and the name of the request that got it. */
export async function requestNodeCertificate(
  c: BootstrapClient,
  nodeName: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ cert: Buffer; key: Buffer; csrName: string }> {
  const client = new Client({ server: c.server, ca: c.ca, token: c.token, userAgent: 'mini-kubernetes-join' });
  const csrs = client.resource<CertificateSigningRequest>(CertificateSigningRequests);
  const { csr, key } = newCertificateRequest(`system:node:${nodeName}`, ['system:nodes']);
  const created = await csrs.create({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'csr-' },
    spec: {
      request: Buffer.from(csr).toString('base64'),
      signerName: KUBE_APISERVER_CLIENT_KUBELET,
      usages: ['digital signature', 'key encipherment', 'client auth'],
    },
  });
  const name = created.metadata.name!;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const current = await csrs.get(undefined, name);
    if (hasCondition(current, 'Denied')) throw new Error(`certificate signing request ${name} was denied`);
    if (hasCondition(current, 'Failed'))
      throw new Error(
        `certificate signing request ${name} failed: ${current.status?.conditions?.find((x) => x.type === 'Failed')?.message}`,
      );
    if (current.status?.certificate)
      return { cert: Buffer.from(current.status.certificate, 'base64'), key: Buffer.from(key), csrName: name };
    if (Date.now() > deadline) throw new Error(`certificate signing request ${name} was not approved and signed in time`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}
