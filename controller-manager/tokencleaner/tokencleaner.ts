// The token cleaner (kube-controller-manager's tokencleaner): deletes a bootstrap token's Secret once
// its expiration has passed, and looks at a token again when it is due to expire. The apiserver already
// refuses an expired token; this keeps `kubeadm token list` and kube-system tidy.
import type { Secret } from '../../shared/api/core';
import { objectKey, splitKey } from '../../shared/api/meta';
import { Secrets } from '../../shared/api/resources';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, timeRemaining } from '../../shared/bootstraptoken';
import type { Clock } from '../../shared/clock';
import { isConflict, isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

/** The one write the controller makes: a delete that only removes the object with that uid. */
export interface SecretDeleter {
  delete(namespace: string, name: string, uid: string): Promise<void>;
}

export class TokenCleaner implements Controller {
  readonly name = 'tokencleaner';
  readonly queue: RateLimitingQueue;
  private readonly secrets: Lister<Secret>;

  constructor(
    informers: SharedInformerFactory,
    private readonly deleter: SecretDeleter,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'token_cleaner' });
    const informer = informers.informerFor<Secret>(Secrets);
    this.secrets = informer.lister;
    const enqueue = (s: Secret) => {
      if (s.metadata.namespace === 'kube-system' && s.type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.queue.add(objectKey(s));
    };
    informer.addEventHandler({ add: enqueue, update: (_o, s) => enqueue(s) });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const secret = this.secrets.get(namespace, name);
    if (!secret || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return;
    const left = timeRemaining(secret, this.clock.now());
    if (left > 0) {
      if (Number.isFinite(left)) this.queue.addAfter(key, left);
      return;
    }
    try {
      await this.deleter.delete(namespace!, name, secret.metadata.uid!);
      this.log.info({ secret: key }, 'deleted expired bootstrap token');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err; // gone already, or replaced by a newer token of the same id
    }
  }
}
