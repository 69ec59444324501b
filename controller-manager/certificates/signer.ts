// The CSR signer (kube-controller-manager's csrsigning, with --cluster-signing-cert-file and
// --cluster-signing-key-file): an approved request for a client certificate of the apiserver
// (kubernetes.io/kube-apiserver-client-kubelet, kubernetes.io/kube-apiserver-client) that has no
// certificate yet gets one signed by the cluster CA, valid --cluster-signing-duration or the shorter
// spec.expirationSeconds. A request the signer must not sign (a kubelet request that names more than a
// node) is marked Failed with reason SignerValidationFailure instead.
import {
  CertificateSigningRequest,
  hasCondition,
  KUBE_APISERVER_CLIENT,
  KUBE_APISERVER_CLIENT_KUBELET,
} from '../../shared/api/certificates';
import { CertificateSigningRequests } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { KeyPair, signCertificateRequest } from '../../shared/pki';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';
import { kubeletClientProblem, requestOf } from './kubeletclient';

const SIGNERS = [KUBE_APISERVER_CLIENT_KUBELET, KUBE_APISERVER_CLIENT];

/** Why the signer refuses the request, or undefined when it signs it. */
export function signerProblem(csr: CertificateSigningRequest): string | undefined {
  const req = requestOf(csr);
  if (!req) return 'unable to parse csr';
  if (csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET) return kubeletClientProblem(csr, req);
  if (!(csr.spec.usages ?? []).includes('client auth')) return 'missing required usages: client auth';
  return undefined;
}

/** How long the certificate is valid: the signer's duration, or less when the request asks for less. */
export const certificateLifetimeMs = (csr: CertificateSigningRequest, signingDurationMs: number): number =>
  csr.spec.expirationSeconds ? Math.min(signingDurationMs, csr.spec.expirationSeconds * 1000) : signingDurationMs;

/** The signer's one write: PUT .../status. */
export interface SignerClient {
  updateStatus(csr: CertificateSigningRequest): Promise<void>;
}

export class CSRSigningController implements Controller {
  readonly name = 'csrsigning';
  readonly queue: RateLimitingQueue;
  private readonly csrs: Lister<CertificateSigningRequest>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: SignerClient,
    private readonly ca: KeyPair,
    private readonly signingDurationMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'csrsigning' });
    const informer = informers.informerFor<CertificateSigningRequest>(CertificateSigningRequests);
    this.csrs = informer.lister;
    informer.addEventHandler({ add: (c) => this.queue.add(c.metadata.name!), update: (_o, c) => this.queue.add(c.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.get(undefined, name);
    if (!csr || !SIGNERS.includes(csr.spec.signerName) || csr.status?.certificate) return;
    if (!hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed')) return;
    const next = structuredClone(csr);
    const status = (next.status ??= {});
    const problem = signerProblem(csr);
    if (problem) {
      const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      status.conditions = [
        ...(status.conditions ?? []),
        {
          type: 'Failed',
          status: 'True',
          reason: 'SignerValidationFailure',
          message: problem,
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ];
    } else {
      const pem = signCertificateRequest(
        this.ca,
        Buffer.from(csr.spec.request, 'base64').toString('utf8'),
        csr.spec.usages ?? [],
        certificateLifetimeMs(csr, this.signingDurationMs),
      );
      status.certificate = Buffer.from(pem).toString('base64');
    }
    try {
      await this.client.updateStatus(next);
      this.log.info({ csr: name, signer: csr.spec.signerName, ...(problem ? { refused: problem } : {}) }, problem ? 'refused' : 'signed');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
