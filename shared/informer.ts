// Reflector + Informer + Lister, as in client-go: list the resource, then watch from the list's
// resourceVersion, keeping a local read-only cache with indexes and calling handlers with old and new
// objects. A watch that ends is resumed from the last resourceVersion seen; 410 Gone means relist.
import type { Pod } from './api/core';
import type { KubeObject, ObjectMeta, Status, WatchEvent } from './api/meta';
import { objectKey } from './api/meta';
import type { ResourceInfo } from './api/resources';
import type { Client, ListOptions, ResourceClient } from './client';
import { Clock, realClock } from './clock';
import { isGone, StatusError } from './errors';
import type { Selector } from './labels';
import type { Logger } from './log';
import { newLogger } from './log';
import { listAllPages } from './pager';

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

type IndexFunc<T> = (obj: T) => string[];

/** The read side of an informer's cache. Objects are shared: structuredClone before changing one. */
export class Lister<T extends KubeObject> {
  constructor(private readonly cache: Cache<T>) {}

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.items.get(key);
  }

  list(namespace?: string, selector?: Selector): T[] {
    const source = namespace === undefined ? [...this.cache.items.values()] : this.byIndex('namespace', namespace);
    return selector ? source.filter((o) => selector.matches(o.metadata.labels)) : source;
  }

  byIndex(indexName: string, value: string): T[] {
    const keys = this.cache.indexes.get(indexName)?.get(value);
    return keys ? [...keys].map((k) => this.cache.items.get(k)!).filter(Boolean) : [];
  }
}

/** The store behind a Lister: objects by key, plus indexes from index value to keys. */
class Cache<T extends KubeObject> {
  readonly items = new Map<string, T>();
  readonly indexers = new Map<string, IndexFunc<T>>();
  readonly indexes = new Map<string, Map<string, Set<string>>>();

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) for (const v of fn(obj)) this.indexAdd(index, v, key);
  }

  private indexAdd(index: Map<string, Set<string>>, value: string, key: string): void {
    let set = index.get(value);
    if (!set) index.set(value, (set = new Set()));
    set.add(key);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }

  put(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) this.indexAdd(this.indexes.get(name)!, v, key);
  }

  remove(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
  }
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Calls update(old, same) for every cached object this often (0: never). */
  resyncPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Applied to every listed or watched object before it is cached and handed to handlers (client-go's
   * SetTransform), e.g. stripManagedFields.
   */
  transform?: Transform;
}

/** What an informer keeps of an object it lists or watches: the object, or a part of it. */
export type Transform = <T extends KubeObject>(obj: T) => T;

/**
 * Drops metadata.managedFields, which only the apiserver reads: it is often the largest part of an object,
 * and a write without it keeps the live object's (client-go's TransformStripManagedFields, which
 * kube-scheduler and kube-controller-manager set on their informers).
 */
export const stripManagedFields: Transform = (obj) => {
  const { managedFields, ...metadata } = obj.metadata as ObjectMeta & { managedFields?: unknown };
  return managedFields === undefined ? obj : { ...obj, metadata };
};

/** The list and watch calls an informer makes: a ResourceClient, or a fake in tests. */
export type ListerWatcher<T extends KubeObject> = Pick<ResourceClient<T>, 'list' | 'watch'>;

export class Informer<T extends KubeObject> {
  private readonly cache = new Cache<T>();
  readonly lister = new Lister<T>(this.cache);
  private readonly handlers: EventHandler<T>[] = [];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly source: ListerWatcher<T>;
  private abort = new AbortController();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private lastResourceVersion = '';
  private running = false;
  /** The wait before the next list or watch after a failure: doubles from 200 ms to 30 s. */
  private backoffMs = 0;

  constructor(
    client: Client | ListerWatcher<T>,
    readonly resource: ResourceInfo,
    private readonly opts: InformerOptions = {},
  ) {
    this.source = 'resource' in client ? (client as Client).resource<T>(resource) : client;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? newLogger('informer')).child({ informer: resource.plural });
    this.cache.addIndexer('namespace', (o) => (o.metadata.namespace ? [o.metadata.namespace] : []));
  }

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced) for (const obj of this.cache.items.values()) this.call(handler, (h) => h.add?.(obj));
  }

  /**
   * Calls every handler; one that throws is logged and the others still run. A handler's failure must not
   * skip the rest, nor end the watch (which would relist and replay every object to every handler).
   */
  private notify(event: (h: EventHandler<T>) => void): void {
    for (const h of this.handlers) this.call(h, event);
  }

  private call(handler: EventHandler<T>, event: (h: EventHandler<T>) => void): void {
    try {
      event(handler);
    } catch (err) {
      this.log.error({ err }, 'event handler failed');
    }
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndexer(name, fn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  run(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
    if (this.opts.resyncPeriodMs) this.scheduleResync(this.opts.resyncPeriodMs);
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
  }

  private scheduleResync(ms: number): void {
    this.clock.setTimeout(() => {
      if (!this.running) return;
      for (const obj of this.cache.items.values()) this.notify((h) => h.update?.(obj, obj));
      this.scheduleResync(ms);
    }, ms);
  }

  private listOptions(): ListOptions {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  /**
   * list, then watch until the watch fails; 410 relists, other errors back off. The backoff grows while
   * lists and watches keep failing and starts again at 200 ms once a watch delivers an event (a bookmark
   * comes every 30 s): a watch that worked and then broke is a new outage, not one more failure of the
   * last one. Else an informer that lived through a few short outages waited up to 30 s to resume after
   * the next.
   */
  private async loop(): Promise<void> {
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watch();
        this.backoffMs = 0;
      } catch (err) {
        if (!this.running) return;
        if (isGone(err)) {
          this.log.info({ resourceVersion: this.lastResourceVersion }, 'watch expired; relisting');
          needList = true;
          continue;
        }
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 200), 30_000);
        this.log.warn({ err, retryInMs: this.backoffMs }, 'list/watch failed');
        await this.clock.sleep(this.backoffMs, this.abort.signal);
      }
    }
  }

  /** Replaces the cache with a fresh list (read in pages), firing add/update/delete for the differences. */
  private async relist(): Promise<void> {
    const list = await listAllPages((opts) => this.source.list(this.opts.namespace, opts), this.listOptions());
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = objectKey(obj);
      seen.add(key);
      this.apply('MODIFIED', obj);
    }
    for (const [key, obj] of [...this.cache.items]) {
      if (!seen.has(key)) this.apply('DELETED', obj);
    }
    this.lastResourceVersion = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
  }

  private async watch(): Promise<void> {
    let gone: Status | undefined;
    await this.source.watch(
      this.opts.namespace,
      {
        ...this.listOptions(),
        resourceVersion: this.lastResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      (event: WatchEvent<T>) => {
        if (event.type === 'ERROR') {
          gone = event.object as unknown as Status;
          return;
        }
        this.backoffMs = 0; // the apiserver and its storage are answering again
        const rv = event.object.metadata?.resourceVersion;
        if (event.type !== 'BOOKMARK') this.apply(event.type, event.object);
        if (rv) this.lastResourceVersion = rv;
      },
      this.abort.signal,
    );
    if (gone) throw new StatusError(gone);
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', received: T): void {
    const obj = this.opts.transform ? this.opts.transform(received) : received;
    const key = objectKey(obj);
    const old = this.cache.items.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.cache.remove(key);
      this.notify((h) => h.delete?.(obj));
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.put(key, obj);
    this.notify((h) => (old ? h.update?.(old, obj) : h.add?.(obj)));
  }
}

/** One informer per resource, shared by every controller of a process. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(
    private readonly client: Client,
    private readonly opts: { resyncPeriodMs?: number; logger?: Logger; clock?: Clock; transform?: Transform } = {},
  ) {}

  informerFor<T extends KubeObject>(resource: ResourceInfo): Informer<T> {
    const key = `${resource.group}/${resource.plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client, resource, this.opts);
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /**
   * An informer of its own for a resource found at run time (a custom resource, while its CRD exists), with
   * this factory's client and options; the caller runs and stops it.
   */
  newInformer<T extends KubeObject>(resource: ResourceInfo): Informer<T> {
    return new Informer<T>(this.client, resource, this.opts);
  }

  start(): void {
    for (const informer of this.informers.values()) informer.run();
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }
}

export const indexByNodeName = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);
export const indexByOwnerUid = (obj: KubeObject): string[] => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
