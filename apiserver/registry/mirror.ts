// An in-memory copy of one resource's objects, listed from its store once and then followed by a watch
// (relisting after any watch error): what the apiserver's own admission and authorization read instead of
// asking etcd on every request, as Kubernetes' apiserver reads its informers.
import type { KubeObject } from '../../shared/api/meta';
import type { Logger } from '../../shared/log';
import type { Store } from './store';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class StoreMirror<T extends KubeObject> {
  private readonly objects = new Map<string, T>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  /** Keeps the copy current until `signal` aborts: list, then watch until the watch fails, then again. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const round = new AbortController(); // ends this round's watch, whichever way the round ends
      const stop = () => round.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        const { items, resourceVersion } = await this.store.list(undefined, () => true);
        this.objects.clear();
        for (const o of items) this.objects.set(keyOf(o), o as T);
        await new Promise<void>((resolve) => {
          const onError = (err: Error) => {
            this.log.warn({ resource: this.store.resource.plural, err: err.message }, 'mirror watch ended; relisting');
            resolve();
          };
          round.signal.addEventListener('abort', () => resolve(), { once: true });
          this.store
            .watch(
              undefined,
              resourceVersion,
              (e) => {
                if (e.type === 'DELETED') this.objects.delete(keyOf(e.object));
                else this.objects.set(keyOf(e.object), e.object as T);
              },
              onError,
              round.signal,
            )
            .catch(onError);
        });
      } catch (err) {
        this.log.warn({ resource: this.store.resource.plural, err }, 'listing for the mirror failed');
      } finally {
        round.abort();
        signal.removeEventListener('abort', stop);
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
