// The generic registry of one resource (k8s.io/apiserver's registry/generic Store): create, get, list,
// update, delete and watch over the storage interface, with the metadata rules every kind shares.
// Resource-specific behaviour comes in through a Strategy.
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../../shared/api/authentication';
import type { DeleteOptions, KubeObject, StatusCause } from '../../shared/api/meta';
import { rfc3339 } from '../../shared/api/meta';
import { apiVersionOf, groupResource, ResourceInfo } from '../../shared/api/resources';
import { decodeObject } from '../../shared/api/decode';
import type { DecodeOptions } from '../../shared/api/decode';
import { newLogger } from '../../shared/log';
import { randomSafeString } from '../../shared/names';
import { alreadyExists, badRequest, conflict, invalid, isNotFound, notFound } from '../../shared/errors';
import { DEFINITIONS } from '../../shared/api/openapi';
import { FieldManager } from '../fieldmanager/fieldmanager';
import type { ObjectChange } from '../admission/admission';
import { isKeyNotFound, isStorageConflict } from '../storage/errors';
import type { Storage, StorageEvent, TTL } from '../storage/interface';
import { checkPreconditions } from '../storage/preconditions';
import { collectionPrefix, objectKey } from './keys';
import { listCollection, ListOptions } from './list';
import type { Predicate } from './selection';
import { interpretStorageError } from './storageerrors';
import { WatchCache } from './watchcache';
import type { Strategy } from './strategy';

export interface WriteOptions {
  dryRun?: boolean;
  /**
   * Validating admission for a user's request (the handler binds the user): called with each change just
   * before it is stored, and may refuse it. The apiserver's own writes have none.
   */
  admission?: (change: ObjectChange) => Promise<void>;
  /**
   * Mutating admission of a user's create: sees the decoded, defaulted object before it is validated,
   * and may change it (or refuse it).
   */
  mutatingAdmission?: (change: ObjectChange) => Promise<void>;
  /** Who asks (a CertificateSigningRequest records its requester). */
  user?: UserInfo;
  /** How the incoming object is decoded: `fieldValidation`, where warnings go. */
  decode?: DecodeOptions;
  /**
   * Who writes, as managedFields record it (`?fieldManager=`, else the user agent's first word); the fields
   * the write changes become theirs. The apiserver's own writes have none and change no one's fields.
   */
  manager?: string;
  /** The subresource managedFields name for a write through one that is stored as the main resource (scale). */
  managerSubresource?: string;
}

/** Subresources whose writes are the system's, recorded for no manager: the scheduler's binding, a namespace's finalize. */
const UNTRACKED_SUBRESOURCES = new Set(['binding', 'finalize']);

export type { ListOptions } from './list';

/** One page of a collection: its items and the list metadata a client needs to go on. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

const log = newLogger('apiserver');

export class Store {
  readonly resource: ResourceInfo;
  readonly groupResource: string;

  private readonly cache: WatchCache;
  /** Who owns which field of this resource's objects: managedFields and server-side apply. */
  readonly fieldManager: FieldManager;

  constructor(
    private readonly storage: Storage,
    readonly strategy: Strategy,
  ) {
    this.resource = strategy.resource;
    this.groupResource = groupResource(this.resource);
    this.fieldManager = new FieldManager(this.resource, DEFINITIONS);
    const prefix = collectionPrefix(this.resource);
    this.cache = new WatchCache(
      {
        watch: (rv, onEvent, onError, signal) => this.watchStorage(prefix, rv, onEvent, onError, signal),
        currentRevision: () => this.interpreted('', () => storage.currentRevision()),
      },
      log.child({ resource: this.groupResource }),
    );
  }

  /** How long this kind's objects live after their last write (events: --event-ttl); forever when unset. */
  private get ttl(): TTL {
    return { ttlSeconds: this.strategy.ttlSeconds };
  }

  key(namespace: string | undefined, name: string): string {
    return objectKey(this.resource, namespace, name);
  }

  /** Runs `op`, turning the storage errors it throws about object `name` into Status errors. */
  private async interpreted<T>(name: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw interpretStorageError(err, this.groupResource, name);
    }
  }

  /** Sets apiVersion and kind, which are not stored inside the object's JSON. */
  private typed<T extends KubeObject>(obj: T): T {
    return { apiVersion: apiVersionOf(this.resource), kind: this.resource.kind, ...obj };
  }

  private typedMeta<T extends KubeObject>(obj: T): T {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    const typed = { apiVersion: apiVersionOf(this.resource), kind: this.resource.kind, ...rest } as T;
    this.strategy.defaultsOnRead?.(typed);
    return typed;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.interpreted(name, () => this.storage.get(this.key(namespace, name)));
    if (!obj) throw notFound(this.groupResource, name);
    return this.typedMeta(obj);
  }

  /** Lists the collection (paged with `limit` and `continue`, at a resourceVersion) as Kubernetes does (./list.ts). */
  async list(namespace: string | undefined, predicate: Predicate, options: ListOptions = {}): Promise<ListResult> {
    const page = await this.interpreted('', () =>
      listCollection(this.storage, collectionPrefix(this.resource, namespace), predicate, options),
    );
    const result: ListResult = { items: page.items.map((o) => this.typedMeta(o)), resourceVersion: page.revision };
    if (page.continue) result.continue = page.continue;
    if (page.remainingItemCount !== undefined) result.remainingItemCount = page.remainingItemCount;
    return result;
  }

  /** Decodes, defaults and validates an incoming object: the edge every write passes. */
  private admit(body: unknown, opts: WriteOptions): KubeObject {
    const obj = this.strategy.decode ? this.strategy.decode(body, opts.decode) : decodeObject(this.resource, body, opts.decode);
    this.strategy.defaults?.(obj);
    return obj;
  }

  private validate(obj: KubeObject, old?: KubeObject): void {
    const causes: StatusCause[] = this.strategy.validate(obj, old);
    if (causes.length)
      throw invalid(this.resource.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', causes, this.resource.group || undefined);
  }

  async create(namespace: string | undefined, body: unknown, opts: WriteOptions = {}, applied = false): Promise<KubeObject> {
    const obj = this.admit(body, opts);
    const meta = obj.metadata;
    if (this.resource.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    // Mutating admission sees the object before its name is generated, as upstream's (a refused pod of a
    // ReplicaSet is `pods "web-7c5d8-" is forbidden`).
    await opts.mutatingAdmission?.(this.change('CREATE', '', obj));
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSafeString(5)}`;
    // The system fields first, as upstream's BeforeCreate fills them before validating: a Job's generated
    // selector names its uid.
    const uid = randomUUID();
    const creationTimestamp = rfc3339();
    meta.uid = uid;
    meta.creationTimestamp = creationTimestamp;
    this.strategy.prepareForCreate?.(obj);
    this.validate(obj);
    // Who set what is recorded once the object is known to be valid (a refused request costs no bookkeeping),
    // without what no one owns (uid, creation time). It changes only metadata.managedFields.
    if (!applied && opts.manager !== undefined) {
      delete meta.uid;
      delete meta.creationTimestamp;
      this.fieldManager.update(undefined, obj, opts.manager);
      meta.uid = uid;
      meta.creationTimestamp = creationTimestamp;
    }
    if (this.strategy.generationChanged) meta.generation = 1;
    else delete meta.generation;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    return this.interpreted(meta.name ?? '', async () => {
      await opts.admission?.(this.change('CREATE', '', obj));
      // A dry run answers what would be stored, and refuses what would be refused: a name that is taken.
      if (opts.dryRun && (await this.storage.get(this.key(meta.namespace, meta.name!))))
        throw alreadyExists(this.groupResource, meta.name!);
      await this.strategy.beforeCreate?.(obj, opts);
      if (opts.dryRun) return this.typed(obj);
      try {
        return this.typed(await this.storage.create(this.key(meta.namespace, meta.name!), obj, this.ttl));
      } catch (err) {
        await this.strategy.afterCreateFailed?.(obj);
        throw err;
      }
    });
  }

  /**
   * PUT: replaces the object. Status is kept from the stored object unless `subresource` is `status`,
   * in which case only status changes.
   */
  async update(
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const incoming = this.admit(body, opts);
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = incoming.metadata.resourceVersion;
    return this.guaranteedUpdate(namespace, name, () => incoming, subresource, opts, rv);
  }

  /**
   * Applies `mutate` to the current object and stores the result with the same rules as PUT. Used by
   * PATCH (mutate applies the patch) and by subresources. `expectedRV` makes a stale write a Conflict.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => unknown,
    subresource?: string,
    opts: WriteOptions = {},
    expectedRV?: string,
    applied = false,
  ): Promise<KubeObject> {
    const key = this.key(namespace, name);
    const manager = applied || (subresource && UNTRACKED_SUBRESOURCES.has(subresource)) ? undefined : opts.manager;
    let dryRunResult: KubeObject | undefined;
    const tryUpdate = async (current: KubeObject): Promise<KubeObject> => {
      if (expectedRV && expectedRV !== current.metadata.resourceVersion) throw conflict(this.groupResource, name);
      const next = this.admit(await mutate(this.typedMeta(structuredClone(current))), opts);
      // A patched object that names a resourceVersion (kubectl diff's patches do) is meant for that state only.
      const rv = next.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(this.groupResource, name);
      const merged =
        subresource === 'status'
          ? this.withStatusOf(current, next)
          : subresource
            ? this.systemWrite(next) // binding, finalize, approval: the server computed the whole object
            : this.withMetadataRules(current, next);
      if (!subresource) this.strategy.prepareForUpdate?.(merged, current);
      this.validate(merged, current);
      if (manager !== undefined) this.fieldManager.update(current, merged, manager, opts.managerSubresource ?? subresource ?? '');
      await opts.admission?.(this.change('UPDATE', subresource ?? '', merged, current));
      await this.strategy.beforeUpdate?.(merged, current, opts);
      if (opts.dryRun) {
        // What would be stored, at the resourceVersion it would replace (kubectl diff compares the two).
        dryRunResult = { ...merged, metadata: { ...merged.metadata, resourceVersion: current.metadata.resourceVersion } };
        return current;
      }
      return merged;
    };
    return this.interpreted(name, async () => {
      const stored = await this.storage.guaranteedUpdate(key, tryUpdate, {}, this.ttl);
      if (dryRunResult) return this.typed(dryRunResult);
      const finished = await this.finishIfReady(stored);
      return this.typedMeta(finished ?? stored);
    });
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): `config` applied to the object for `manager`,
   * which is created when it does not exist (after `admitCreate`, the namespace's admission). Conflicts
   * with other managers are a 409 unless `force`.
   */
  async apply(
    namespace: string | undefined,
    name: string,
    config: unknown,
    apply: { manager: string; force: boolean; admitCreate?: () => Promise<void> },
    opts: WriteOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const given = (config as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    if (typeof given === 'string' && given !== name)
      throw badRequest(`the name of the object (${given}) does not match the name on the URL (${name})`);
    const applyTo = (live: KubeObject | undefined) => this.fieldManager.apply(live, config, apply.manager, apply.force);
    try {
      return { object: await this.guaranteedUpdate(namespace, name, applyTo, undefined, opts, undefined, true), created: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await apply.admitCreate?.();
    const obj = applyTo(undefined);
    obj.metadata.name = name;
    if (this.resource.namespaced && namespace) obj.metadata.namespace ??= namespace;
    return { object: await this.create(namespace, obj, opts, true), created: true };
  }

  private change(operation: ObjectChange['operation'], subresource: string, object?: KubeObject, oldObject?: KubeObject): ObjectChange {
    const meta = (object ?? oldObject)!.metadata;
    return { operation, resource: this.resource, subresource, namespace: meta.namespace ?? '', name: meta.name ?? '', object, oldObject };
  }

  /** A main-resource update: the caller's spec and metadata, the stored status and system fields. */
  private withMetadataRules(current: KubeObject, next: KubeObject): KubeObject {
    const m = next.metadata;
    const c = current.metadata;
    m.uid = c.uid;
    m.creationTimestamp = c.creationTimestamp;
    m.namespace = c.namespace;
    m.name = c.name;
    m.deletionTimestamp = c.deletionTimestamp;
    m.deletionGracePeriodSeconds = c.deletionGracePeriodSeconds;
    if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
    if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
    delete m.resourceVersion;
    const merged = next as KubeObject & { status?: unknown };
    if (this.resource.subresources?.includes('status')) {
      const status = (current as KubeObject & { status?: unknown }).status;
      if (status === undefined) delete merged.status;
      else merged.status = status;
    }
    if (this.strategy.generationChanged) m.generation = (c.generation ?? 1) + (this.strategy.generationChanged(next, current) ? 1 : 0);
    else delete m.generation;
    return merged;
  }

  private systemWrite(next: KubeObject): KubeObject {
    delete next.metadata.resourceVersion;
    return next;
  }

  /** A `/status` update: everything from the stored object except the status. */
  private withStatusOf(current: KubeObject, next: KubeObject): KubeObject {
    const merged = structuredClone(current) as KubeObject & { status?: unknown };
    merged.status = (next as KubeObject & { status?: unknown }).status;
    delete merged.metadata.resourceVersion;
    return merged;
  }

  /**
   * An object being deleted goes away once no finalizer holds it and no grace period is running
   * (`deletionGracePeriodSeconds` 0). Returns the deleted object when it did, undefined when someone else
   * finished it first (it is gone, or another object now has its name). Anything else, an etcd outage or a
   * cluster IP that could not be released, is the caller's error.
   */
  private async finishIfReady(obj: KubeObject): Promise<KubeObject | undefined> {
    const m = obj.metadata;
    if (!m.deletionTimestamp || (m.finalizers?.length ?? 0) > 0 || (m.deletionGracePeriodSeconds ?? 0) > 0) return undefined;
    if (this.strategy.holdsDeletion?.(obj)) return undefined;
    let deleted: KubeObject;
    try {
      deleted = await this.storage.delete(this.key(m.namespace, m.name!), { uid: m.uid });
    } catch (err) {
      if (isKeyNotFound(err) || isStorageConflict(err)) return undefined;
      throw err;
    }
    await this.strategy.afterDelete?.(deleted);
    return deleted;
  }

  async delete(namespace: string | undefined, name: string, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<KubeObject> {
    const key = this.key(namespace, name);
    return this.interpreted(name, async () => {
      const current = await this.storage.get(key);
      if (!current) throw notFound(this.groupResource, name);
      // Storage checks the preconditions as it deletes or marks the object; a dry run checks them here.
      const preconditions = {
        uid: options.preconditions?.uid ?? current.metadata.uid,
        resourceVersion: options.preconditions?.resourceVersion,
      };
      this.strategy.admitDelete?.(current);
      await opts.admission?.(this.change('DELETE', '', undefined, this.typedMeta(current)));

      const grace = this.strategy.gracePeriodSeconds?.(current, options) ?? 0;
      const finalizers = this.finalizersFor(current, options);
      const immediate = grace === 0 && finalizers.length === 0 && !this.strategy.holdsDeletion?.(current);
      if (opts.dryRun) {
        // Nothing changes: the answer is the object as it is, or as it would be marked for deletion.
        checkPreconditions(key, current, preconditions);
        return this.typedMeta(immediate ? current : this.markedForDeletion(structuredClone(current), options, grace));
      }
      if (immediate) {
        const deleted = await this.storage.delete(key, preconditions);
        await this.strategy.afterDelete?.(deleted);
        return this.typedMeta(deleted);
      }
      // Graceful: mark the object and keep it until its owner (kubelet, controllers) lets it go.
      const marked = await this.storage.guaranteedUpdate(
        key,
        (obj) => this.markedForDeletion(obj, options, grace),
        preconditions,
        this.ttl,
      );
      const finished = await this.finishIfReady(marked);
      return this.typedMeta(finished ?? marked);
    });
  }

  /** The object with its deletion timestamp, grace period and the finalizers the delete asks for. */
  private markedForDeletion(obj: KubeObject, options: DeleteOptions, grace: number): KubeObject {
    const m = obj.metadata;
    m.finalizers = this.finalizersFor(obj, options);
    if (m.finalizers.length === 0) delete m.finalizers;
    if (!m.deletionTimestamp) m.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
    if (m.deletionGracePeriodSeconds === undefined || grace < m.deletionGracePeriodSeconds) m.deletionGracePeriodSeconds = grace;
    this.strategy.prepareForDelete?.(obj);
    return obj;
  }

  /** The object's finalizers plus the one the propagation policy asks for (orphan / foregroundDeletion). */
  private finalizersFor(obj: KubeObject, options: DeleteOptions): string[] {
    const finalizers = new Set(obj.metadata.finalizers ?? []);
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : (this.strategy.defaultPropagation ?? 'Background'));
    if (!obj.metadata.deletionTimestamp) {
      for (const f of this.strategy.finalizersOnDelete?.(obj) ?? []) finalizers.add(f);
      if (policy === 'Orphan') finalizers.add('orphan');
      if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    }
    return [...finalizers];
  }

  /**
   * Streams changes after `resourceVersion` until `signal` aborts: from the watch cache when it holds
   * them, else from etcd. Returns once the watch is set up. The events may be shared between watchers.
   */
  watch(
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (e: StorageEvent) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.cache.subscribe(namespace, resourceVersion, onEvent, onError, signal)) return Promise.resolve();
    return this.watchStorage(collectionPrefix(this.resource, namespace), resourceVersion, onEvent, onError, signal);
  }

  /** A watch of etcd itself, with typed objects and Status errors. */
  private watchStorage(
    prefix: string,
    resourceVersion: string,
    onEvent: (e: StorageEvent) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return this.interpreted('', () =>
      this.storage.watch(
        prefix,
        resourceVersion,
        (e) => onEvent({ type: e.type, object: this.typedMeta(e.object) }),
        (err) => onError(interpretStorageError(err, this.groupResource, '') as Error),
        signal,
      ),
    );
  }

  /** Ends the watch cache's etcd watch (the apiserver is stopping). */
  close(): void {
    this.cache.stop();
  }
}
