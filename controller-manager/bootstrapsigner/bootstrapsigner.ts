// The bootstrap signer (kube-controller-manager's bootstrapsigner): signs the kubeconfig of
// kube-public/cluster-info with every bootstrap token meant for signing, one detached JWS per token under
// `jws-kubeconfig-<id>`, and drops the signature of a token that is gone, expired or no longer for
// signing. A joining node reads cluster-info without credentials and trusts it only if the signature of
// its own token is there: only someone who knows the token could have made it.
import type { ConfigMap, Secret } from '../../shared/api/core';
import { ConfigMaps, Secrets } from '../../shared/api/resources';
import {
  hasUsage,
  isBootstrapTokenSecret,
  isExpired,
  secretData,
  timeRemaining,
  TOKEN_ID,
  TOKEN_SECRET,
} from '../../shared/bootstraptoken';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { computeDetachedSignature } from '../../shared/jws';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' };
export const KUBECONFIG_KEY = 'kubeconfig';
export const JWS_PREFIX = 'jws-kubeconfig-';
const KEY = `${CLUSTER_INFO.namespace}/${CLUSTER_INFO.name}`;

/** Whether a Secret is a token that may sign now: a bootstrap token for signing, not expired nor being deleted. */
function canSign(s: Secret, now: number): boolean {
  if (s.metadata.namespace !== 'kube-system' || !isBootstrapTokenSecret(s) || s.metadata.deletionTimestamp) return false;
  return hasUsage(s, 'signing') && !isExpired(s, now) && secretData(s, TOKEN_SECRET) !== '';
}

/** The tokens that may sign, id → secret. */
export function signingTokens(secrets: Secret[], now: number): Map<string, string> {
  return new Map(secrets.filter((s) => canSign(s, now)).map((s) => [secretData(s, TOKEN_ID), secretData(s, TOKEN_SECRET)]));
}

/** cluster-info's data with exactly one signature of its kubeconfig per signing token. */
export function signedData(data: Record<string, string>, tokens: Map<string, string>): Record<string, string> {
  const next = Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith(JWS_PREFIX)));
  const content = data[KUBECONFIG_KEY];
  if (content === undefined) return next;
  for (const [id, secret] of tokens) next[`${JWS_PREFIX}${id}`] = computeDetachedSignature(content, id, secret);
  return next;
}

/** The one write the controller makes. */
export interface ConfigMapWriter {
  update(cm: ConfigMap): Promise<void>;
}

export class BootstrapSigner implements Controller {
  readonly name = 'bootstrapsigner';
  readonly queue: RateLimitingQueue;
  private readonly configMaps: Lister<ConfigMap>;
  private readonly secrets: Lister<Secret>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: ConfigMapWriter,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'bootstrap_signer_queue' });
    const cms = informers.informerFor<ConfigMap>(ConfigMaps);
    const secrets = informers.informerFor<Secret>(Secrets);
    this.configMaps = cms.lister;
    this.secrets = secrets.lister;
    const onConfigMap = (cm: ConfigMap) => {
      if (cm.metadata.namespace === CLUSTER_INFO.namespace && cm.metadata.name === CLUSTER_INFO.name) this.queue.add(KEY);
    };
    cms.addEventHandler({ add: onConfigMap, update: (_o, cm) => onConfigMap(cm) });
    const onSecret = (s: Secret) => {
      if (s.metadata.namespace === 'kube-system' && s.type === 'bootstrap.kubernetes.io/token') this.queue.add(KEY);
    };
    secrets.addEventHandler({ add: onSecret, update: (_o, s) => onSecret(s), delete: onSecret });
  }

  async sync(key: string): Promise<void> {
    const cm = this.configMaps.get(CLUSTER_INFO.namespace, CLUSTER_INFO.name);
    if (key !== KEY || !cm) return;
    const now = this.clock.now();
    const secrets = this.secrets.list('kube-system');
    const data = signedData(cm.data ?? {}, signingTokens(secrets, now));
    // A token's signature must go when it expires, before the token cleaner deletes it.
    const next = Math.min(...secrets.filter((s) => canSign(s, now)).map((s) => timeRemaining(s, now)));
    if (Number.isFinite(next)) this.queue.addAfter(KEY, next);
    if (semanticallyEqual(cm.data ?? {}, data)) return;
    try {
      await this.writer.update({ ...structuredClone(cm), data });
    } catch (err) {
      if (!isNotFound(err)) throw err; // a conflict is retried once the cache shows the newer object
    }
  }
}
