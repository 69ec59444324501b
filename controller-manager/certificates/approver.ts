// The CSR approver (kube-controller-manager's csrapproving, sarapprove.go): a request for a kubelet
// client certificate (signer kubernetes.io/kube-apiserver-client-kubelet) is approved when its requester
// may create `certificatesigningrequests/selfnodeclient` (renewing its own certificate: the CN is its
// user name) or `certificatesigningrequests/nodeclient` (any node's: a bootstrap token, through the
// binding kubeadm makes for its tokens' group). The apiserver answers that through a SubjectAccessReview,
// so RBAC decides. Anything else is left for a person (`kubectl certificate approve`).
import { CertificateSigningRequest, hasCondition, KUBE_APISERVER_CLIENT_KUBELET } from '../../shared/api/certificates';
import { CertificateSigningRequests } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';
import { kubeletClientProblem, requestOf } from './kubeletclient';

/** The approver's two calls to the apiserver. */
export interface ApproverClient {
  /** Whether the CSR's requester may create `certificatesigningrequests/<subresource>` (a SubjectAccessReview). */
  authorized(csr: CertificateSigningRequest, subresource: 'selfnodeclient' | 'nodeclient'): Promise<boolean>;
  /** PUT .../approval with the conditions of `csr`. */
  updateApproval(csr: CertificateSigningRequest): Promise<void>;
}

interface Recognizer {
  subresource: 'selfnodeclient' | 'nodeclient';
  recognize(csr: CertificateSigningRequest, commonName: string): boolean;
  message: string;
}

const RECOGNIZERS: Recognizer[] = [
  {
    subresource: 'selfnodeclient',
    recognize: (csr, cn) => csr.spec.username === cn,
    message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  },
  { subresource: 'nodeclient', recognize: () => true, message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
];

/** The recognizers a request matches, in order: empty when it is not a kubelet client request at all. */
export function recognizersFor(csr: CertificateSigningRequest): Recognizer[] {
  if (csr.spec.signerName !== KUBE_APISERVER_CLIENT_KUBELET) return [];
  const req = requestOf(csr);
  if (!req || kubeletClientProblem(csr, req)) return [];
  return RECOGNIZERS.filter((r) => r.recognize(csr, req.commonName));
}

export class CSRApprovingController implements Controller {
  readonly name = 'csrapproving';
  readonly queue: RateLimitingQueue;
  private readonly csrs: Lister<CertificateSigningRequest>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: ApproverClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'csrapproving' });
    const informer = informers.informerFor<CertificateSigningRequest>(CertificateSigningRequests);
    this.csrs = informer.lister;
    informer.addEventHandler({ add: (c) => this.queue.add(c.metadata.name!), update: (_o, c) => this.queue.add(c.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.get(undefined, name);
    if (!csr || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied') || csr.status?.certificate) return;
    for (const r of recognizersFor(csr)) {
      if (!(await this.client.authorized(csr, r.subresource))) continue;
      const approved = structuredClone(csr);
      const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      (approved.status ??= {}).conditions = [
        ...(approved.status.conditions ?? []),
        { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message, lastUpdateTime: now, lastTransitionTime: now },
      ];
      try {
        await this.client.updateApproval(approved);
        this.log.info({ csr: name, requestor: csr.spec.username }, 'approved');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
  }
}
