// The list and watch of a Store as an informer's ListerWatcher: the apiserver keeps its own in-memory
// copies (namespaces for admission, RBAC for authorization) with the same Informer every other component
// runs over HTTP (shared/informer.ts), reading the registry in-process instead of through the REST client.
import type { KubeList, KubeObject } from '../../shared/api/meta';
import { apiVersionOf } from '../../shared/api/resources';
import type { ListOptions } from '../../shared/client';
import type { ListerWatcher } from '../../shared/informer';
import { selectionPredicate } from './selection';
import type { Store } from './store';

export function storeListerWatcher<T extends KubeObject>(store: Store): ListerWatcher<T> {
  return {
    async list(namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
      const { limit, continue: token, resourceVersion, resourceVersionMatch } = opts;
      const { items, ...metadata } = await store.list(namespace, selectionPredicate(opts.labelSelector, opts.fieldSelector), {
        limit,
        continue: token,
        resourceVersion,
        resourceVersionMatch,
      });
      return { apiVersion: apiVersionOf(store.resource), kind: `${store.resource.kind}List`, metadata, items: items as T[] };
    },

    /** Streams events until `signal` aborts or `timeoutSeconds` pass (resolves), or the watch fails (rejects). */
    watch(namespace, opts, onEvent, signal): Promise<void> {
      const predicate = selectionPredicate(opts.labelSelector, opts.fieldSelector);
      const ended = new AbortController();
      return new Promise<void>((resolve, reject) => {
        const finish = (err?: Error) => {
          ended.abort();
          if (err) reject(err);
          else resolve();
        };
        const stop = () => finish();
        const timer = opts.timeoutSeconds ? setTimeout(stop, opts.timeoutSeconds * 1000) : undefined;
        signal?.addEventListener('abort', stop, { once: true });
        ended.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
        });
        if (signal?.aborted) return stop();
        store
          .watch(
            namespace,
            opts.resourceVersion ?? '',
            (e) => predicate(e.object) && onEvent({ type: e.type, object: e.object as T }),
            finish,
            ended.signal,
          )
          .catch(finish);
      });
    },
  };
}
